"""Undoing an applied meeting report: statuses go back exactly, records the import created
are removed, a record changed since is kept and named, once only, audited; the page has a
confirmation step, CSRF and the policy of applying; Indonesian."""
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from trainings.attendance import services
from trainings.attendance.models import AttendanceChange, AttendanceRecord
from trainings.audit.models import AuditEntry
from trainings.errors import DomainError
from trainings.extensions import db

ZOOM = (Path(__file__).parent / "data" / "attendance" / "zoom_participants.csv").read_bytes()


@pytest.fixture
def cohort(make):
    return five_participants(make)


def five_participants(make):
    """A training of two sessions, five accepted participants, the first session's
    facilitator "Fasilitator Ayu" (the one-step import tests use them too)."""
    organiser = make.user("organiser")
    facilitator = make.user("facilitator", name="Fasilitator Ayu")
    training = make.training(organiser=organiser, sessions=2)
    session = training.sessions[0]
    session.facilitators.append(facilitator)
    people = {name: make.enrolment(training, name=name, email=email) for name, email in [
        ("Siti Nurhalizah", "siti.nurhalizah@example.org"), ("Dewi Lestari", "dewi.lestari@example.org"),
        ("Tan Mei Ling", "tan.meiling@example.org"), ("Rina Wulandari", "rina.w@example.org"),
        ("Budi Santoso", "budi@example.org")]}
    db.session.commit()
    return dict(organiser=organiser, facilitator=facilitator, training=training, session=session,
                people=people, other=training.sessions[1])


def records(session):
    return {e: (s, m) for e, s, m in db.session.execute(
        select(AttendanceRecord.enrolment_id, AttendanceRecord.status, AttendanceRecord.minutes)
        .where(AttendanceRecord.session_id == session.id))}


def apply(cohort, overwrite=False):
    staged = services.stage_import(cohort["session"], ZOOM, actor=cohort["organiser"], filename="zoom.csv")
    services.apply_staged(cohort["session"], staged, actor=cohort["organiser"], overwrite=overwrite)
    db.session.commit()
    return staged


def by_hand(cohort, status="present", **who):
    session, people = cohort["session"], cohort["people"]
    services.set_records(session, [services.Change(enrolment=people[n].id, status=status)
                                   for n in who["names"]], actor=who.get("actor", cohort["facilitator"]))
    db.session.commit()


def test_undo_restores_exactly_even_after_an_overwrite(cohort):
    session, people = cohort["session"], cohort["people"]
    by_hand(cohort, names=list(people))  # 5 marked present by hand
    services.set_records(session, [services.Change(enrolment=people["Tan Mei Ling"].id, note="ok",
                                                   minutes=7)], actor=cohort["facilitator"])
    db.session.commit()
    before = records(session)
    staged = apply(cohort, overwrite=True)
    assert records(session) != before  # the box lowered some of them
    result = services.undo_import(session, staged, actor=cohort["organiser"])
    db.session.commit()
    assert records(session) == before
    assert result["kept"] == [] and result["removed"] == 0 and result["restored"] > 0
    tan = db.session.scalar(select(AttendanceRecord).where(
        AttendanceRecord.enrolment_id == people["Tan Mei Ling"].id, AttendanceRecord.session_id == session.id))
    assert tan.note == "ok"
    undo_rows = db.session.scalars(select(AttendanceChange).where(
        AttendanceChange.source == f"undo:import:{staged.id}")).all()
    assert len(undo_rows) == result["restored"]
    assert {r.changed_by_id for r in undo_rows} == {cohort["organiser"].id}


def test_records_the_import_created_are_removed(cohort):
    session, other = cohort["session"], cohort["other"]
    services.set_records(other, [services.Change(enrolment=cohort["people"]["Budi Santoso"].id,
                                                 status="present")], actor=cohort["facilitator"])
    db.session.commit()
    staged = apply(cohort)
    assert len(records(session)) == 5
    result = services.undo_import(session, staged, actor=cohort["organiser"])
    db.session.commit()
    assert records(session) == {} and result["removed"] == 5
    assert len(records(other)) == 1  # another session is not touched
    removals = db.session.scalars(select(AttendanceChange).where(
        AttendanceChange.source == f"undo:import:{staged.id}")).all()
    assert len(removals) == 5 and {r.new_status for r in removals} == {None}


def test_a_record_changed_since_is_kept_and_named(cohort):
    session, people = cohort["session"], cohort["people"]
    staged = apply(cohort)
    budi = people["Budi Santoso"]
    by_hand(cohort, status="excused", names=["Budi Santoso"])
    plan = {i.enrolment: i for i in services.undo_plan(session, staged)}
    assert plan[budi.id].kept and plan[budi.id].kept_by == "Fasilitator Ayu"
    result = services.undo_import(session, staged, actor=cohort["organiser"])
    db.session.commit()
    assert result["kept"] == [{"name": "Budi Santoso", "by": "Fasilitator Ayu"}]
    assert records(session) == {budi.id: ("excused", records(session)[budi.id][1])}


def test_an_import_is_undone_once_and_audited(cohort):
    session = cohort["session"]
    staged = apply(cohort)
    services.undo_import(session, staged, actor=cohort["organiser"])
    db.session.commit()
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "attendance.import_undone")).all()
    assert len(entries) == 1 and entries[0].object_id == staged.id and entries[0].details["removed"] == 5
    count = db.session.scalar(select(func.count()).select_from(AttendanceChange))
    with pytest.raises(DomainError) as error:
        services.undo_import(session, staged, actor=cohort["organiser"])
    db.session.rollback()
    assert error.value.code == "import_undone"
    assert db.session.scalar(select(func.count()).select_from(AttendanceChange)) == count
    with pytest.raises(DomainError):  # nor applied again: upload it again for that
        services.apply_staged(session, staged, actor=cohort["organiser"])
    db.session.rollback()
    assert records(session) == {}
    assert services.applied_imports(session) == []


def test_undoing_one_import_keeps_what_a_later_import_changed(cohort):
    session = cohort["session"]
    first = apply(cohort)
    after_first = records(session)
    second = services.stage_import(session, ZOOM, actor=cohort["organiser"], filename="zoom.csv")
    services.apply_staged(session, second, actor=cohort["organiser"], min_minutes=1440)
    db.session.commit()
    assert services.import_source(first) != services.import_source(second)
    lowered = {e for e, value in records(session).items() if value[0] != after_first[e][0]}
    result = services.undo_import(session, first, actor=cohort["organiser"])
    db.session.commit()
    assert 0 < len(result["kept"]) == len(lowered) and result["removed"] == 5 - len(lowered)
    assert set(records(session)) == lowered  # still as the second import left them


def login_as(app_factory, user, csrf):
    client = app_factory(WTF_CSRF_ENABLED=csrf).test_client()
    with client.session_transaction() as browser:
        browser["_user_id"], browser["_fresh"] = user.get_id(), True
        browser["login_at"] = browser["seen_at"] = time.time()
    return client


def test_page_confirms_first_then_undoes(cohort, login, client):
    session = cohort["session"]
    staged = apply(cohort)
    by_hand(cohort, status="excused", names=["Budi Santoso"])
    login(cohort["facilitator"])
    page = client.get(f"/sessions/{session.id}/attendance/import").get_data(as_text=True)
    url = f"/sessions/{session.id}/attendance/imports/{staged.id}/undo"
    assert url in page and "Undo this import" in page
    confirm = client.get(url)
    html = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "changed since by Fasilitator Ayu: kept" in html
    assert "record removed" in html and len(records(session)) == 5  # nothing written by the GET
    done = client.post(url, follow_redirects=True)
    text = done.get_data(as_text=True)
    assert done.status_code == 200 and "Import undone: 0 statuses restored, 4 records removed." in text
    assert "Budi Santoso (by Fasilitator Ayu)" in text
    again = client.post(url, follow_redirects=True).get_data(as_text=True)
    assert "This import was already undone." in again and len(records(session)) == 1


def test_permissions_and_csrf(cohort, make, app_factory, login, client):
    session = cohort["session"]
    staged = apply(cohort)
    url = f"/sessions/{session.id}/attendance/imports/{staged.id}/undo"
    stranger = make.user("facilitator")
    cohort["other"].facilitators.append(stranger)  # facilitates another session only
    db.session.commit()
    login(stranger)
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    assert len(records(session)) == 5
    guarded = login_as(app_factory, cohort["organiser"], csrf=True)
    assert guarded.get(url).status_code == 200
    assert guarded.post(url).status_code == 400
    db.session.expire_all()
    assert len(records(session)) == 5 and not services.is_undone(staged)
    missing = f"/sessions/{cohort['other'].id}/attendance/imports/{staged.id}/undo"
    login(cohort["organiser"])
    assert client.get(missing).status_code == 404  # the import of another session


def test_in_indonesian(cohort, login, client):
    session = cohort["session"]
    staged = apply(cohort)
    url = f"/sessions/{session.id}/attendance/imports/{staged.id}/undo"
    login(cohort["organiser"])
    client.post("/language", data={"lang": "id", "next": url})
    page = client.get(url).get_data(as_text=True)
    assert "Batalkan impor ini" in page and "catatan dihapus" in page
    done = client.post(url, follow_redirects=True).get_data(as_text=True)
    assert "Impor dibatalkan" in done


def test_confirmation_page_queries_do_not_grow_with_records(cohort, make, login, client, count_queries):
    session = cohort["session"]
    first = apply(cohort)
    for n in range(12):
        make.enrolment(cohort["training"], name=f"Peserta {n}", email=f"p{n}@example.org")
    db.session.commit()
    second = apply(cohort)  # creates 12 more records (absent)
    login(cohort["organiser"])
    counts = []
    for staged, rows in ((first, 5), (second, 12)):
        url = f"/sessions/{session.id}/attendance/imports/{staged.id}/undo"
        client.get(url)  # warm: the first request of a login loads more
        with count_queries() as counter:
            page = client.get(url)
        assert page.status_code == 200
        assert len(services.undo_plan(session, staged)) == rows
        counts.append(counter.count)
    assert counts[0] == counts[1]
