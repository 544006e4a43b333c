"""Groups: creation, balanced assignment, own choice while there is room, refusals."""
from collections import Counter

import pytest
from sqlalchemy import func, select

from trainings.enrolment.groups import services as groups
from trainings.enrolment.groups.models import GroupMember, TrainingGroup
from trainings.errors import Conflict
from trainings.extensions import db

THEMES = [("Kesejahteraan dan keselamatan", "Wellness and safety"),
          ("Relevansi strategis", "Strategic relevance"),
          ("Ketahanan kelembagaan", "Institutional resilience")]


def _members() -> int:
    return db.session.scalar(select(func.count()).select_from(GroupMember))


def _gathering(make, people=30, capacity=10):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser)
    countries = ["ID"] * 12 + ["MY"] * 9 + ["PK"] * 6 + ["TL"] * 3
    orgs = ["Kalyanamitra", "INFID", "Komnas Perempuan", "Solidaritas Perempuan", "KAPAL"]
    for i in range(people):
        make.enrolment(training, country=countries[i % len(countries)],
                       organisation=orgs[i % len(orgs)], commit=False)
    make.enrolment(training, status="waitlisted", commit=False)
    db.session.commit()
    for name_id, name_en in THEMES:
        groups.create_group(training, {"name": {"id": name_id, "en": name_en},
                                       "capacity": capacity}, actor=organiser)
    db.session.commit()
    return organiser, training


def test_create_group_api_and_refusals(make, api):
    organiser = make.user("organiser")
    facilitator = make.user("facilitator")
    training = make.training(organiser=organiser)
    url = f"/api/v1/trainings/{training.id}/groups"
    response = api(organiser).post(url, json={"name": {"id": "Relevansi strategis",
                                                       "en": "Strategic relevance"},
                                              "capacity": 10, "facilitators": [facilitator.email]})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["name"] == {"id": "Relevansi strategis", "en": "Strategic relevance"}
    assert body["capacity"] == 10 and body["facilitators"] == [facilitator.email]
    assert body["members"] == []
    for bad in ({"name": "X", "capacity": 0}, {"capacity": 5}, {"name": "X", "capacity": 5,
                                                                "facilitators": ["no@x.org"]}):
        assert api(organiser).post(url, json=bad).status_code == 422, bad
    assert api(facilitator).post(url, json={"name": "Y", "capacity": 3}).status_code == 403
    assert db.session.scalar(select(func.count(TrainingGroup.id))) == 1


def test_assign_puts_everyone_in_exactly_one_balanced_group(make, api):
    organiser, training = _gathering(make)
    response = api(organiser).post(f"/api/v1/trainings/{training.id}/groups/assign",
                                   json={"by": ["country", "organisation"]})
    assert response.status_code == 200, response.get_json()
    items = response.get_json()["items"]
    members = [m["enrolment"] for g in items for m in g["members"]]
    accepted = {e for e, in db.session.execute(db.text(
        "SELECT id FROM enrolments WHERE status = 'accepted'"))}
    assert sorted(members) == sorted(accepted)  # everyone once, the waitlist not at all
    assert all(len(g["members"]) <= g["capacity"] for g in items)
    for group in items:  # 12 Indonesians over 3 groups: 4 each; 9 Malaysians: 3 each
        counts = Counter(m["country"] for m in group["members"])
        assert counts["ID"] == 4 and counts["MY"] == 3 and counts["PK"] == 2
    # assigning again keeps everybody where they are
    again = api(organiser).post(f"/api/v1/trainings/{training.id}/groups/assign", json={})
    assert [[m["enrolment"] for m in g["members"]] for g in again.get_json()["items"]] == \
        [[m["enrolment"] for m in g["members"]] for g in items]


def test_assign_with_too_few_places_is_409_and_writes_nothing(make, api):
    organiser, training = _gathering(make, people=31)
    response = api(organiser).post(f"/api/v1/trainings/{training.id}/groups/assign",
                                   json={"by": ["country"]})
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "groups_full"
    assert _members() == 0
    assert api(organiser).post(f"/api/v1/trainings/{training.id}/groups/assign",
                               json={"by": ["sector"]}).status_code == 422


def test_join_while_there_is_room(make, api):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser)
    group = groups.create_group(training, {"name": "Kecil", "capacity": 1}, actor=organiser)
    other = groups.create_group(training, {"name": "Lain", "capacity": 5}, actor=organiser)
    db.session.commit()
    first, second, outsider = make.user(), make.user(), make.user()
    make.enrolment(training, user=first)
    make.enrolment(training, user=second)
    make.enrolment(training, user=outsider, status="applied")
    response = api(first).post(f"/api/v1/groups/{group.id}/join")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["members"] == []  # a participant does not see the members
    full = api(second).post(f"/api/v1/groups/{group.id}/join")
    assert full.status_code == 409 and full.get_json()["error"]["code"] == "group_full"
    assert api(outsider).post(f"/api/v1/groups/{group.id}/join").status_code == 403
    assert _members() == 1
    # changing one's mind moves the person: still in exactly one group
    assert api(first).post(f"/api/v1/groups/{other.id}/join").status_code == 200
    assert api(second).post(f"/api/v1/groups/{group.id}/join").status_code == 200
    assert _members() == 2


def test_group_list_shows_members_to_the_team_only(make, api):
    organiser, training = _gathering(make, people=6)
    groups.assign(training, ["country"], actor=organiser)
    db.session.commit()
    items = api(organiser).get(f"/api/v1/trainings/{training.id}/groups").get_json()["items"]
    assert sum(len(g["members"]) for g in items) == 6
    person = make.user()
    make.enrolment(training, user=person)
    seen = api(person).get(f"/api/v1/trainings/{training.id}/groups").get_json()["items"]
    assert all(g["members"] == [] for g in seen)
    assert api(make.user()).get(f"/api/v1/trainings/{training.id}/groups").status_code == 403


def test_join_service_refuses_a_full_group(make):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser)
    group = groups.create_group(training, {"name": "G", "capacity": 1}, actor=organiser)
    a, b = make.enrolment(training), make.enrolment(training)
    groups.join(group, a, actor=None)
    with pytest.raises(Conflict):
        groups.join(group, b, actor=None)


def test_concurrent_joins_never_overfill_a_group(app, make):
    import threading

    organiser = make.user("organiser")
    training = make.training(organiser=organiser)
    group = groups.create_group(training, {"name": "Kecil", "capacity": 5}, actor=organiser)
    people = [make.enrolment(training, commit=False) for _ in range(20)]
    db.session.commit()
    group_id, ids = group.id, [p.id for p in people]
    barrier = threading.Barrier(len(ids))
    outcomes, errors = [], []

    def work(enrolment_id):
        from trainings.enrolment.models import Enrolment
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                groups.join(db.session.get(TrainingGroup, group_id),
                            db.session.get(Enrolment, enrolment_id), actor=None)
                db.session.commit()
                outcomes.append("joined")
            except Conflict:
                db.session.rollback()
                outcomes.append("full")
            except Exception as exc:  # noqa: BLE001 - reported by the assertion below
                db.session.rollback()
                errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert Counter(outcomes) == {"joined": 5, "full": 15}
    db.session.expire_all()
    assert _members() == 5
