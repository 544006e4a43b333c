"""The staff audit: appended in the same transaction as the change; API and page."""
import pytest
from sqlalchemy import func, select

from trainings.audit import services as audit
from trainings.audit.models import AuditEntry
from trainings.enrolment import services as enrolment
from trainings.errors import Conflict
from trainings.extensions import db
from trainings.scheduling import services as scheduling

from .certificates_helpers import base, certified_training


def actions(training):
    return [e.action for e in db.session.scalars(select(AuditEntry).where(
        AuditEntry.training_id == training.id).order_by(AuditEntry.id))]


def test_staff_changes_are_recorded(make, client, login):
    training, (person,), organiser = certified_training(make)
    facilitator = make.user("facilitator", email="fasilitator@example.org")
    scheduling.update_training(training, {"capacity": 30}, actor=organiser)
    staff = scheduling.add_staff(training, facilitator.email, "facilitator", actor=organiser)
    scheduling.remove_staff(training, staff.id, actor=organiser)
    enrolment.change_status(person, "rejected", actor=organiser, notify=False)
    enrolment.change_status(person, "accepted", actor=organiser, notify=False)
    from trainings.attendance.services import set_records
    set_records(training.sessions[0], [{"enrolment": person.id, "status": "late"}], actor=organiser)
    from trainings.certificates import services as certificates
    [certificate] = certificates.issue_all(training, actor=organiser, base=base())
    certificates.revoke(certificate, actor=organiser, reason="wrong")
    db.session.commit()
    assert actions(training) == [
        "training.updated", "staff.added", "staff.removed", "enrolment.status_changed",
        "enrolment.status_changed", "attendance.recorded", "certificate.issued",
        "certificate.revoked"]
    decision = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "enrolment.status_changed").order_by(AuditEntry.id))
    assert decision.details == {"from": "accepted", "to": "rejected"}
    assert (decision.object_type, decision.object_id, decision.actor_id) == (
        "enrolment", person.id, organiser.id)
    # exports of personal data are recorded too
    login(organiser)
    assert client.get(f"/trainings/{training.id}/enrolments.csv").status_code == 200
    assert client.get(f"/trainings/{training.id}/attendance.xlsx").status_code == 200
    exports = db.session.scalars(select(AuditEntry.details).where(
        AuditEntry.action == "export.downloaded").order_by(AuditEntry.id)).all()
    assert [(d["what"], d["format"]) for d in exports] == [("enrolments", "csv"),
                                                             ("attendance", "xlsx")]


def test_a_participants_own_withdrawal_is_not_staff_audit(make):
    participant = make.user()
    training = make.training(organiser=make.user("organiser"))
    mine = make.enrolment(training, user=participant)
    enrolment.withdraw_own(mine, actor=participant)
    db.session.commit()
    assert actions(training) == []


def test_the_entry_shares_the_changes_transaction(make):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser)
    with pytest.raises(Conflict):
        scheduling.add_staff(training, organiser.email, "organiser", actor=organiser)
    scheduling.update_training(training, {"capacity": 5}, actor=organiser)
    db.session.rollback()  # the change is undone: so is its entry
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_api_and_page_newest_first_paginated_organisers_only(make, api, client, login):
    organiser = make.user("organiser")
    facilitator = make.user("facilitator")
    training = make.training(organiser=organiser, facilitators=[facilitator])
    for capacity in range(1, audit.PER_PAGE + 6):
        scheduling.update_training(training, {"capacity": capacity}, actor=organiser)
    db.session.commit()
    first = api(organiser).get(f"/api/v1/trainings/{training.id}/audit")
    assert first.status_code == 200
    body = first.get_json()
    assert (body["total"], body["pages"], len(body["items"])) == (audit.PER_PAGE + 5, 2,
                                                                  audit.PER_PAGE)
    item = body["items"][0]
    assert set(item) == {"at", "actor", "action", "object", "details"}
    assert item["actor"] == {"id": organiser.id, "name": organiser.name}
    assert item["object"] == {"type": "training", "id": training.id}
    assert item["at"].endswith("Z")
    ids = [i["at"] for i in body["items"]]
    assert ids == sorted(ids, reverse=True)
    second = api(organiser).get(f"/api/v1/trainings/{training.id}/audit?page=2").get_json()
    assert len(second["items"]) == 5
    assert api(organiser).get(f"/api/v1/trainings/{training.id}/audit?page=x").status_code == 422
    assert api(facilitator).get(f"/api/v1/trainings/{training.id}/audit").status_code == 403
    assert api(make.user("organiser")).get(
        f"/api/v1/trainings/{training.id}/audit").status_code == 403
    login(organiser)
    page = client.get(f"/trainings/{training.id}/audit")
    assert page.status_code == 200 and "Training settings changed" in page.get_data(as_text=True)
    assert "Page 1 of 2" in page.get_data(as_text=True)
    client.get("/logout")
    login(facilitator)
    assert client.get(f"/trainings/{training.id}/audit").status_code == 403
