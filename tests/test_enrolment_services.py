"""Enrolment services without HTTP: allocation by capacity and country quota, approval,
waitlist promotion, duplicates, validation, participant accounts and invitations, stats."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from trainings.attendance.models import AttendanceRecord
from trainings.auth.models import User
from trainings.db import utcnow
from trainings.enrolment import services
from trainings.enrolment.models import Enrolment, Invitation
from trainings.errors import Conflict, Forbidden, NotFound, ValidationError
from trainings.extensions import db
from trainings.outbox.models import OutboxMessage
from trainings.overview.stats import stats


def person(n, country="ID", **extra):
    data = {"name": f"Person {n}", "email": f"Person{n}@Example.org", "country": country,
            "organisation": "Kalyanamitra", "sector": "activist", "timezone": "Asia/Jakarta",
            "language": "id"}
    data.update(extra)
    return data


def enrol(training, n, country="ID", **extra):
    enrolment = services.enrol(training, person(n, country, **extra))
    db.session.commit()
    return enrolment


def test_accepted_while_capacity_and_quota_have_room_else_waitlisted(make):
    training = make.training(capacity=3, quotas={"ID": 2, "MY": 2})
    statuses = [enrol(training, 1, "ID").status, enrol(training, 2, "Indonesia").status,
                enrol(training, 3, "IDN").status]
    assert statuses == ["accepted", "accepted", "waitlisted"]  # Indonesia's quota is full
    assert enrol(training, 4, "MY").status == "accepted"
    assert enrol(training, 5, "MY").status == "waitlisted"  # capacity is full
    # a country without a quota entry is limited only by the capacity
    assert enrol(training, 6, "PK").status == "waitlisted"


def test_country_without_quota_entry_is_limited_only_by_capacity(make):
    training = make.training(capacity=3, quotas={"ID": 1})
    assert [enrol(training, n, "PK").status for n in range(3)] == ["accepted"] * 3
    assert enrol(training, 9, "ID").status == "waitlisted"


def test_no_capacity_and_no_quota_accepts_everybody(make):
    training = make.training()
    assert {enrol(training, n, c).status for n, c in enumerate(["ID", "MY", "PK", "FR"])} == {"accepted"}


def test_counts_enrolments_made_outside_the_services(make):
    training = make.training(capacity=2, quotas={"ID": 1})
    make.enrolment(training, country="ID", status="accepted")
    assert enrol(training, 1, "ID").status == "waitlisted"
    assert enrol(training, 2, "MY").status == "accepted"
    assert enrol(training, 3, "MY").status == "waitlisted"


def test_withdrawal_promotes_the_oldest_waitlisted_enrolment_that_fits(make):
    training = make.training(capacity=3, quotas={"ID": 2, "MY": 1})
    first = enrol(training, 1, "ID")
    enrol(training, 2, "ID")
    malaysian = enrol(training, 3, "MY")
    waiting_id = enrol(training, 4, "ID")      # Indonesia full
    waiting_my = enrol(training, 5, "MY")      # full
    assert (waiting_id.status, waiting_my.status) == ("waitlisted", "waitlisted")

    promoted = services.change_status(malaysian, "withdrawn")
    db.session.commit()
    # the Malaysian seat: the oldest waitlisted is Indonesian but Indonesia's quota is full
    assert promoted == [waiting_my]
    assert waiting_my.status == "accepted" and waiting_id.status == "waitlisted"

    promoted = services.change_status(first, "rejected")
    db.session.commit()
    assert promoted == [waiting_id] and waiting_id.status == "accepted"


def test_withdrawing_a_waitlisted_enrolment_promotes_nobody(make):
    training = make.training(capacity=1)
    enrol(training, 1)
    waiting = enrol(training, 2)
    third = enrol(training, 3)
    assert services.change_status(waiting, "withdrawn") == []
    assert third.status == "waitlisted"


def test_approval_flow(make):
    training = make.training(capacity=1, sessions=1, applications_open=True)
    training.requires_approval = True
    db.session.commit()
    one = services.enrol(training, person(1), public=True)
    two = services.enrol(training, person(2), public=True)
    db.session.commit()
    assert (one.status, two.status) == ("applied", "applied")
    services.change_status(one, "accepted")
    db.session.commit()
    with pytest.raises(Conflict) as full:
        services.change_status(two, "accepted")
    assert full.value.code == "no_place"
    db.session.rollback()
    services.change_status(two, "waitlisted")
    db.session.commit()
    assert services.change_status(one, "withdrawn") == [two]
    db.session.commit()
    assert two.status == "accepted"


def test_organisers_bypass_approval_and_public_needs_open_applications(make):
    training = make.training(capacity=5)
    training.requires_approval = True
    db.session.commit()
    with pytest.raises(Conflict) as closed:
        services.enrol(training, person(1), public=True)
    assert closed.value.code == "applications_closed"
    assert services.enrol(training, person(2)).status == "accepted"


def test_invalid_transitions_are_refused(make):
    training = make.training()
    accepted = enrol(training, 1)
    with pytest.raises(Conflict):
        services.change_status(accepted, "waitlisted")
    with pytest.raises(ValidationError):
        services.change_status(accepted, "applied")
    with pytest.raises(ValidationError):
        services.change_status(accepted, "nonsense")


def test_same_email_twice_is_a_conflict_case_insensitively(make):
    training = make.training()
    first = enrol(training, 1)
    assert first.email == "person1@example.org"
    with pytest.raises(Conflict) as error:
        services.enrol(training, person(1, email="PERSON1@example.ORG"))
    assert error.value.code == "duplicate_email"
    db.session.rollback()
    # another training may enrol the same person
    assert services.enrol(make.training(), person(1)).status == "accepted"


@pytest.mark.parametrize("field,value", [
    ("email", "not-an-email"), ("country", "Atlantis"), ("timezone", "Mars/Olympus"),
    ("language", "fr"), ("sector", "military"), ("name", ""), ("name", "x" * 201),
    ("timezone", 7), ("name", ["list"]),
])
def test_bad_fields_are_refused_and_nothing_written(make, field, value):
    training = make.training()
    with pytest.raises(ValidationError) as error:
        services.enrol(training, person(1, **{field: value}))
    assert error.value.status == 422
    assert [d["field"] for d in error.value.details] == [field]
    db.session.rollback()
    assert db.session.scalar(select(db.func.count()).select_from(Enrolment)) == 0


def test_missing_optional_fields_get_defaults_from_the_country(make):
    training = make.training()
    pakistani = services.enrol(training, {"name": "Rabia", "email": "rabia@example.org",
                                          "country": "Pakistan"})
    indonesian = services.enrol(training, {"name": "Siti", "email": "siti@example.org",
                                           "country": "ID", "timezone": ""})
    assert (pakistani.timezone, pakistani.language, pakistani.sector) == ("Asia/Karachi", "en", "other")
    assert (indonesian.timezone, indonesian.language) == ("Asia/Jakarta", "id")


def test_every_bad_field_is_reported_at_once(make):
    with pytest.raises(ValidationError) as error:
        services.enrol(make.training(), person(1, email="x", country="Atlantis", language="fr"))
    assert {d["field"] for d in error.value.details} == {"email", "country", "language"}


def test_countries_in_indonesian_and_english_are_normalised(make):
    training = make.training()
    assert enrol(training, 1, "Malaysia").country_code == "MY"
    assert enrol(training, 2, "Jerman").country_code == "DE"   # Indonesian name
    assert enrol(training, 3, "PAK").country_code == "PK"
    assert enrol(training, 4, "Belanda").country_code == "NL"


@pytest.mark.parametrize("consent", [False, None, "yes", 1])
def test_accessibility_needs_without_explicit_consent_are_refused(make, consent):
    training = make.training()
    extra = {} if consent is None else {"accessibility_consent": consent}
    with pytest.raises(ValidationError) as caught:
        enrol(training, 1, accessibility_needs="Live captions", **extra)
    assert caught.value.details[0]["field"] == "accessibility_consent"
    assert db.session.scalar(select(func.count()).select_from(Enrolment)) == 0


def test_accessibility_needs_are_stored_with_consent(make):
    training = make.training()
    with_consent = enrol(training, 2, accessibility_needs="Live captions",
                         accessibility_consent=True)
    without_needs = enrol(training, 3, accessibility_consent=True)
    assert with_consent.accessibility_needs == "Live captions" and with_consent.accessibility_consent
    assert without_needs.accessibility_needs is None and not without_needs.accessibility_consent


def test_acceptance_creates_an_account_and_queues_an_invitation(make, app):
    training = make.training(capacity=1, title_en="Women's Leadership")
    accepted = enrol(training, 1, language="en")
    waiting = enrol(training, 2)
    user = db.session.scalar(select(User).where(User.email == "person1@example.org"))
    assert user is not None and user.role == "participant" and user.password_hash is None
    # every enrolment belongs to the person (account) of its email; only acceptance invites
    waiting_user = db.session.get(User, waiting.user_id)
    assert accepted.user_id == user.id and waiting_user.email == "person2@example.org"
    assert waiting_user.password_hash is None
    mails = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [(m.to_email, m.kind) for m in mails] == [("person1@example.org", "invitation"),
                                                     ("person2@example.org", "enrolment")]
    assert "Women's Leadership" in mails[0].subject
    assert "/invitation/" in mails[0].body
    assert "daftar tunggu" in mails[1].body  # written in the person's language (Indonesian)
    token = mails[0].body.split("/invitation/")[1].split()[0]
    invitation = services.invitation_for_token(token)
    assert invitation.user_id == user.id
    # only a digest is stored
    assert db.session.scalar(select(Invitation.token_hash)) != token

    services.accept_invitation(token, "a-good-long-password")
    db.session.commit()
    assert user.check_password("a-good-long-password")
    assert services.invitation_for_token(token) is None  # one time
    with pytest.raises(NotFound):
        services.accept_invitation(token, "another-long-password")


def test_existing_account_is_linked_without_invitation(make):
    existing = make.user("participant", email="person1@example.org")
    enrolment = enrol(make.training(), 1)
    assert enrolment.user_id == existing.id
    assert db.session.scalar(select(db.func.count()).select_from(Invitation)) == 0
    mail = db.session.scalar(select(OutboxMessage))
    assert mail.kind == "enrolment" and "/invitation/" not in mail.body


def test_expired_invitation_is_refused(make):
    enrol(make.training(), 1)
    body = db.session.scalar(select(OutboxMessage.body))
    token = body.split("/invitation/")[1].split()[0]
    invitation = db.session.scalar(select(Invitation))
    invitation.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert services.invitation_for_token(token) is None
    assert services.invitation_for_token("made-up") is None


def test_promotion_links_an_account_too(make):
    training = make.training(capacity=1)
    first = enrol(training, 1)
    second = enrol(training, 2)
    services.change_status(first, "withdrawn")
    db.session.commit()
    assert second.status == "accepted" and second.user_id is not None


def test_participant_withdraws_own_enrolment_only(make):
    training = make.training(capacity=1)
    first = enrol(training, 1)
    second = enrol(training, 2)
    with pytest.raises(Forbidden):
        services.withdraw_own(first, actor=make.user())
    assert services.withdraw_own(first, actor=first.user) == [second]


def test_promote_waitlisted_after_capacity_raised(make):
    training = make.training(capacity=1)
    enrol(training, 1)
    waiting = [enrol(training, n) for n in (2, 3, 4)]
    training.capacity = 3
    db.session.commit()
    assert services.promote_waitlisted(training) == waiting[:2]


def test_stats_by_country_and_attendance(make):
    training = make.training(sessions=3, quotas={"ID": 2, "MY": 2})
    s1, s2, s3 = training.sessions
    s3.status = "cancelled"
    a = make.enrolment(training, country="ID", status="accepted")
    b = make.enrolment(training, country="PK", status="accepted")
    make.enrolment(training, country="ID", status="waitlisted")
    gone = make.enrolment(training, country="PK", status="withdrawn")
    assert stats(training)["attendance_rate"] is None
    db.session.add_all([
        AttendanceRecord(session_id=s1.id, enrolment_id=a.id, status="present"),
        AttendanceRecord(session_id=s1.id, enrolment_id=b.id, status="late"),
        AttendanceRecord(session_id=s2.id, enrolment_id=a.id, status="absent"),
        AttendanceRecord(session_id=s2.id, enrolment_id=gone.id, status="present"),
        AttendanceRecord(session_id=s3.id, enrolment_id=a.id, status="present"),
    ])
    db.session.commit()
    result = stats(training)
    assert result["by_country"]["ID"] == {"applied": 0, "accepted": 1, "waitlisted": 1,
                                          "rejected": 0, "withdrawn": 0}
    assert result["by_country"]["PK"]["accepted"] == 1 and result["by_country"]["PK"]["withdrawn"] == 1
    assert result["by_country"]["MY"]["accepted"] == 0  # a quota country with nobody yet
    assert [s["attendance_rate"] for s in result["sessions"]] == [1.0, 0.0, None]
    assert result["attendance_rate"] == 0.5  # 2 attended of 2 accepted x 2 held sessions


def test_search_and_filters(make):
    training = make.training()
    make.enrolment(training, name="Siti Rahmawati", country="ID", sector="activist")
    make.enrolment(training, name="Tan Mei Ling", country="MY", sector="academic",
                   organisation="Universiti 100%")
    assert [e.name for e in services.list_enrolments(training, search="RAHMA")] == ["Siti Rahmawati"]
    assert [e.name for e in services.list_enrolments(training, search="100%")] == ["Tan Mei Ling"]
    assert [e.name for e in services.list_enrolments(training, search="%")] == ["Tan Mei Ling"]
    assert services.list_enrolments(training, search="_") == []
    assert [e.name for e in services.list_enrolments(training, sector="academic")] == ["Tan Mei Ling"]
    with pytest.raises(ValidationError):
        services.list_enrolments(training, sector="military")


def test_search_folds_case_and_diacritics(make):
    from trainings.enrolment import services as enrolment
    training = make.training(sessions=0)
    make.enrolment(training, name="Ñgau Lestari", email="ngau@example.org")
    make.enrolment(training, name="Ṣāima Qureshi", email="sq@example.org", country="PK")
    make.enrolment(training, name="Budi", email="budi@example.org", organisation="Yayasan Çahaya")
    names = lambda q: [e.name for e in enrolment.list_enrolments(training, search=q)]  # noqa: E731
    assert names("ngau") == ["Ñgau Lestari"] and names("ÑGAU") == ["Ñgau Lestari"]
    assert names("saima") == ["Ṣāima Qureshi"] and names("ṣāima") == ["Ṣāima Qureshi"]
    assert names("cahaya") == ["Budi"]


def test_list_sorted_by_name_country_or_status(make):
    import pytest as _pytest

    from trainings.enrolment import services as enrolment
    from trainings.errors import ValidationError as _ValidationError
    training = make.training(sessions=0)
    make.enrolment(training, name="Zainab", country="PK", status="accepted")
    make.enrolment(training, name="Ana", country="MY", status="waitlisted")
    make.enrolment(training, name="Édi", country="ID", status="applied")
    order = lambda s: [e.name for e in enrolment.list_enrolments(training, sort=s)]  # noqa: E731
    assert order("name") == ["Ana", "Édi", "Zainab"]
    assert order("country") == ["Édi", "Ana", "Zainab"]
    assert order(None) == ["Zainab", "Ana", "Édi"]  # order of application
    with _pytest.raises(_ValidationError):
        enrolment.list_enrolments(training, sort="shoe size")
