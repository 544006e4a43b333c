"""The training page loads the training with its organisations, quotas and team in one
statement: the page's statements do not grow with them, and each shows once, in order."""
from __future__ import annotations

import re

import pytest

from trainings.errors import NotFound
from trainings.extensions import db
from trainings.scheduling import services


def test_training_page_statements_do_not_grow_with_organisations_quotas_or_team(
        make, login, client, count_queries):
    organiser = make.user("organiser")
    small = make.training(organiser=organiser, sessions=2, organisations=("Komnas Perempuan",))
    large = make.training(organiser=organiser, sessions=2,
                          organisations=("Komnas Perempuan", "INFID", "LBH Apik"),
                          quotas={"ID": 10, "PK": 5, "BD": 3},
                          facilitators=[make.user("facilitator", name=f"Fasilitator {i}")
                                        for i in range(3)])
    login(organiser)

    def statements(training):
        client.get(f"/trainings/{training.id}")  # warm: the same request twice
        with count_queries() as counter:
            response = client.get(f"/trainings/{training.id}")
        assert response.status_code == 200
        return counter.statements, response.get_data(as_text=True)

    few, _html = statements(small)
    many, html = statements(large)
    assert len(many) == len(few)
    lazy = [s for s in many if re.match(r"\s*SELECT\s+(training_country_quotas|training_organisations"
                                        r"|training_staff)\.(id|training_id),", s)]
    assert lazy == []  # no lazy load after the training's statement
    assert html.count("Komnas Perempuan, INFID, LBH Apik") == 1
    for i in range(3):
        assert html.count(f"Fasilitator {i}") == 1
    quotas = re.search(r"<dd>([^<]*: 10[^<]*)</dd>", html).group(1)
    assert quotas.count(": ") == 3 and quotas.index(": 3") < quotas.index(": 10") < quotas.index(": 5")


def test_load_training_page_is_the_training_with_its_collections_once(make):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser, organisations=("Komnas Perempuan", "INFID"),
                             quotas={"ID": 10, "PK": 5},
                             facilitators=[make.user("facilitator"), make.user("facilitator")])
    training_id = training.id
    db.session.expunge_all()
    loaded = services.load_training_page(training_id)
    assert [o.name for o in loaded.organisations] == ["Komnas Perempuan", "INFID"]
    assert loaded.country_quotas == {"ID": 10, "PK": 5}
    assert sorted(s.role for s in loaded.staff) == ["facilitator", "facilitator", "organiser"]
    db.session.expunge_all()
    with pytest.raises(NotFound):
        services.load_training_page(training_id + 1000)
