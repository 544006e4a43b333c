"""The programme dashboard's cheap paths: the programme, its managers and its stored row read
in one statement, the API's JSON kept per stored version (never stale, the same bytes as a
fresh answer), and the programme list without per-row work."""
import re

from flask import current_app

from trainings.api.schemas import dump
from trainings.api.schemas.networks import Dashboard
from trainings.extensions import db
from trainings.overview import dashboard, dashboard_page, summaries
from trainings.programmes import services as programmes


def _programme(make, organiser, trainings=2, people=2, **extra):
    made = [make.training(organiser=organiser, sessions=2) for _ in range(trainings)]
    for training in made:
        for n in range(people):
            make.enrolment(training, email=f"kept{n}@example.org", organisation="Org A")
    programme = programmes.create_programme(
        {"title": "Kept", "trainings": [t.id for t in made], **extra}, actor=organiser)
    db.session.commit()
    return programme, made


def _dashboard_statements(statements):
    return [s for s in statements if "programme_dashboards" in s or "FROM programmes" in s
            or "programme_managers" in s]


def test_the_programme_its_managers_and_the_stored_row_come_in_one_statement(
        make, api, count_queries):
    organiser, colleague = make.user("organiser"), make.user("organiser")
    programme, _ = _programme(make, organiser, managers=[colleague.email])
    caller, url = api(colleague), f"/api/v1/programmes/{programme.id}/dashboard"
    assert caller.get(url).status_code == 200
    with count_queries() as counter:
        answer = caller.get(url)
    assert answer.status_code == 200 and answer.get_json()["people"] == 2
    touching = _dashboard_statements(counter.statements)
    assert len(touching) == 1, touching  # programme + managers + stored row, nothing after
    assert "programme_dashboards" in touching[0] and "programme_managers" in touching[0]
    assert api(make.user("organiser")).get(url).status_code == 403  # still checked
    assert caller.get("/api/v1/programmes/999999/dashboard").status_code == 404


def test_load_programme_gives_the_row_of_stored_figures_only_once_there_is_one(make):
    organiser = make.user("organiser")
    programme, _ = _programme(make, organiser)
    db.session.execute(summaries.summaries.delete())
    db.session.commit()
    db.session.expire_all()
    loaded, row = dashboard.load_programme(programme.id)
    assert loaded.id == programme.id and row is None
    assert [m.id for m in loaded.managers] == [organiser.id]
    dashboard.cached_dashboard(loaded)  # computes and stores
    loaded, row = dashboard.load_programme(programme.id, organisations=True)
    assert row.version == row.computed_version and row.data["people"] == 2


def test_the_kept_json_is_a_fresh_answer_byte_for_byte_and_follows_every_change(
        make, api, monkeypatch):
    organiser = make.user("organiser")
    programme, (first, _second) = _programme(make, organiser)
    caller = api(organiser)
    url = f"/api/v1/programmes/{programme.id}/dashboard"
    caller.get(url)  # computes and stores; not kept yet
    kept = caller.get(url)
    fresh = current_app.json.response(dump(Dashboard, dashboard.cached_dashboard(programme)))
    assert kept.get_data() == fresh.get_data() and kept.mimetype == "application/json"

    serialised = []
    real = Dashboard.model_validate
    monkeypatch.setattr(Dashboard, "model_validate",
                        lambda data: serialised.append(1) or real(data))
    again = caller.get(url, headers={"Accept-Language": "id"})  # no language in the answer
    assert again.get_data() == kept.get_data() and serialised == []  # served as kept

    make.enrolment(first, email="newcomer@example.org")
    changed = caller.get(url)
    assert changed.get_json()["people"] == 3 and serialised  # a new version, serialised anew
    assert caller.get(url).get_json()["people"] == 3


def test_kept_json_is_bounded(make, api, monkeypatch):
    monkeypatch.setattr(dashboard_page, "_ANSWERS", {})
    monkeypatch.setattr(dashboard_page, "LIMIT", 2)
    organiser = make.user("organiser")
    caller = api(organiser)
    for _ in range(3):
        programme, _ = _programme(make, organiser, trainings=1, people=1)
        for _view in range(2):
            assert caller.get(f"/api/v1/programmes/{programme.id}/dashboard").status_code == 200
        assert len(dashboard_page._ANSWERS) <= 2


def _list_queries(login, client, count_queries, user):
    login(user)
    client.get("/programmes")
    with count_queries() as counter:
        page = client.get("/programmes")
    client.post("/logout")
    assert page.status_code == 200
    return counter.count, page.get_data(as_text=True)


def test_the_programme_list_counts_trainings_in_a_constant_number_of_queries(
        make, login, client, count_queries):
    few, many = make.user("organiser"), make.user("organiser")
    _programme(make, few, trainings=1, people=1)
    for _ in range(3):
        _programme(make, many, trainings=4, people=1)
    small, small_page = _list_queries(login, client, count_queries, few)
    large, large_page = _list_queries(login, client, count_queries, many)
    assert small == large
    assert "(1 training)" in small_page and large_page.count("(4 trainings)") == 3
    assert large_page.count('name="trainings" type="checkbox"') == 12  # the form's choices


def test_the_edit_form_checks_the_programmes_own_trainings(make, login, client):
    organiser = make.user("organiser")
    programme, (first, second) = _programme(make, organiser)
    other = make.training(organiser=organiser, title_en="Not in it")
    login(organiser)
    page = client.get(f"/programmes/{programme.id}/edit").get_data(as_text=True)
    boxes = dict(re.findall(r'<input( checked)? id="trainings-\d+" name="trainings" '
                            r'type="checkbox" value="(\d+)">', page)[i][::-1]
                 for i in range(3))
    assert boxes == {str(first.id): " checked", str(second.id): " checked", str(other.id): ""}
    assert re.search(r'<label for="trainings-\d+">Not in it</label>', page)
