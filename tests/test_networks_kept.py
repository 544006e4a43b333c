"""The programme dashboard's cheap paths: the programme with its stored row in one statement
and its managers (and organisations) in a second, no ORM objects; the API's JSON kept per
stored version (never stale, the same bytes as a fresh answer); the programme list without
per-row work."""
import re
from dataclasses import FrozenInstanceError

import pytest
from flask import current_app

from trainings.api.schemas import dump
from trainings.api.schemas.networks import Dashboard
from trainings.extensions import db
from trainings.overview import dashboard, dashboard_page, summaries
from trainings.policy import can
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
            or "programme_managers" in s or "programme_organisations" in s]


def test_the_dashboard_reads_the_programme_with_its_row_then_its_people_and_no_more(
        make, api, login, client, count_queries):
    organiser, colleague = make.user("organiser"), make.user("organiser")
    programme, _ = _programme(make, organiser, managers=[colleague.email])
    caller, url = api(colleague), f"/api/v1/programmes/{programme.id}/dashboard"
    assert caller.get(url).status_code == 200
    with count_queries() as counter:
        answer = caller.get(url)
    assert answer.status_code == 200 and answer.get_json()["people"] == 2
    touching = _dashboard_statements(counter.statements)
    assert len(touching) == 2, touching  # the programme with its stored row; its managers
    assert "programme_dashboards" in touching[0] and "programme_managers" in touching[1]
    assert api(make.user("organiser")).get(url).status_code == 403  # still checked
    assert caller.get("/api/v1/programmes/999999/dashboard").status_code == 404

    login(colleague)  # the page: its organisations come with the managers
    page_url = f"/programmes/{programme.id}"
    client.get(page_url)
    with count_queries() as counter:
        page = client.get(page_url)
    assert page.status_code == 200
    touching = _dashboard_statements(counter.statements)
    assert len(touching) == 2 and "programme_organisations" in touching[1], touching


def test_load_programme_reads_managers_organisations_and_the_row(make):
    organiser = make.user("organiser", name="Zed", email="zed@example.org")
    colleague = make.user("organiser", name="Amy", email="amy@example.org")
    programme, _ = _programme(make, organiser, managers=[colleague.email],
                              organisations=["Yayasan B", "Kalyanamitra"])
    db.session.execute(summaries.summaries.delete())
    db.session.commit()
    loaded, row = dashboard.load_programme(programme.id)
    assert row is None and loaded.title("en") == "Kept" and loaded.organisations == ()
    assert [(m.name, m.email) for m in loaded.managers] == [("Amy", "amy@example.org"),
                                                           ("Zed", "zed@example.org")]
    assert can(colleague, "programme.view", loaded) and can(organiser, "programme.manage", loaded)
    assert not can(make.user("organiser"), "programme.view", loaded)
    dashboard.cached_dashboard(loaded)  # computes and stores
    loaded, row = dashboard.load_programme(programme.id, organisations=True)
    assert row.version == row.computed_version and row.data["people"] == 2
    assert [o.name for o in loaded.organisations] == ["Kalyanamitra", "Yayasan B"]
    assert len(loaded.managers) == 2


def test_the_page_names_managers_and_organisations_and_follows_their_changes(
        make, login, client):
    organiser = make.user("organiser", name="Zed Manager")
    programme, _ = _programme(make, organiser, organisations=["Kalyanamitra"])
    login(organiser)
    page = client.get(f"/programmes/{programme.id}").get_data(as_text=True)
    assert "Organisations: Kalyanamitra" in page and "Managers: Zed Manager" in page
    programmes.update_programme(programme, {"organisations": ["LBH APIK", "Kalyanamitra"]},
                                actor=organiser)
    organiser.name = "Zed Renamed"
    db.session.commit()
    page = client.get(f"/programmes/{programme.id}").get_data(as_text=True)
    assert "Organisations: Kalyanamitra, LBH APIK" in page and "Managers: Zed Renamed" in page
    with pytest.raises(FrozenInstanceError):
        dashboard.load_programme(programme.id)[0].title_en = "changed"


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


def _as_of(page):
    text = page.get_data(as_text=True)
    return text[text.index("Figures as of") + len("Figures as of "):].split(";")[0]


def test_the_kept_page_is_per_zone_and_per_permission(make, login, client):
    jakarta = make.user("organiser", timezone="Asia/Jakarta")
    karachi = make.user("organiser", timezone="Asia/Karachi")
    admin = make.user("admin")
    programme, (first, _second) = _programme(make, jakarta, managers=[karachi.email])
    url = f"/programmes/{programme.id}"
    views = {}
    for viewer in (jakarta, karachi, jakarta, karachi):  # the second round: kept pieces
        login(viewer)
        views.setdefault(viewer.id, []).append(client.get(url))
        client.post("/logout")
    assert [_as_of(p)[-3:] for p in views[jakarta.id]] == ["WIB", "WIB"]
    assert [_as_of(p)[-3:] for p in views[karachi.id]] == ["PKT", "PKT"]
    for pages in views.values():
        assert pages[0].get_data() == pages[1].get_data()
    text = views[karachi.id][1].get_data(as_text=True)
    assert f"/programmes/{programme.id}/edit" in text and "donor report" in text

    manager = make.user("participant")  # a participant managing it: no donor report
    programmes.update_programme(programme, {"managers": [jakarta.email, manager.email]},
                                actor=jakarta)
    db.session.commit()
    login(manager)
    text = client.get(url).get_data(as_text=True)
    assert "donor report" not in text and f"/programmes/{programme.id}/edit" in text
    client.post("/logout")
    login(jakarta)  # karachi is no longer a manager: the kept page named him
    text = client.get(url).get_data(as_text=True)
    assert karachi.name not in text and manager.name in text and "donor report" in text
    client.post("/logout")
    login(karachi)
    assert client.get(url).status_code == 403  # kept pieces never skip the check
    client.post("/logout")
    login(admin)
    assert client.get(url).status_code == 200


def test_the_kept_page_follows_a_change_of_the_figures_and_of_the_title(make, login, client):
    organiser = make.user("organiser")
    programme, (first, _second) = _programme(make, organiser)
    url = f"/programmes/{programme.id}"
    login(organiser)
    client.get(url)
    before = client.get(url).get_data(as_text=True)
    assert "<strong>2</strong> people reached" in before
    make.enrolment(first, email="third@example.org")
    assert "<strong>3</strong> people reached" in client.get(url).get_data(as_text=True)
    programmes.update_programme(programme, {"title": "Renamed"}, actor=organiser)
    db.session.commit()
    client.get(url)
    assert "<h1>Renamed</h1>" in client.get(url).get_data(as_text=True)
