"""Issuing: eligibility, idempotency, codes, decisions, revocation, correction, mail, jobs."""
from __future__ import annotations

import pytest
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from trainings import jobs
from trainings.certificates import codes, services
from trainings.certificates.demo import load_demo_certificates
from trainings.certificates.models import Certificate, Signatory
from trainings.errors import Conflict, ValidationError
from trainings.extensions import db
from trainings.outbox.models import OutboxMessage

from .certificates_helpers import base, certified_training


def test_only_eligible_accepted_enrolments_get_certificates(app, make):
    training, (full, partial), organiser = certified_training(
        make, names=["Siti Rahmawati", "Rabia Khan"], sessions=3)
    # Rabia attended one session only: delete her later records by making a new one.
    from trainings.attendance.models import AttendanceRecord
    db.session.execute(AttendanceRecord.__table__.delete().where(
        AttendanceRecord.enrolment_id == partial.id, AttendanceRecord.session_id != training.sessions[0].id))
    waitlisted = make.enrolment(training, name="Tan Mei Ling", status="waitlisted")
    from .certificates_helpers import attend
    attend(waitlisted, training.sessions)
    db.session.commit()

    issued = services.issue_all(training, actor=organiser, base=base())
    db.session.commit()
    assert [c.enrolment_id for c in issued] == [full.id]
    certificate = issued[0]
    assert certificate.name == "Siti Rahmawati"
    assert (certificate.sessions_attended, certificate.sessions_held) == (3, 3)
    assert certificate.issued_by_id == organiser.id and certificate.issue_reason is None
    assert certificate.claims["training"] == {"id": training.title_id, "en": training.title_en}
    assert certificate.claims["first_date"] == "2023-12-05"
    assert certificate.claims["last_date"] == "2023-12-09"


def test_issue_all_is_idempotent_and_the_database_allows_one_current_per_enrolment(app, make):
    training, (enrolment,), organiser = certified_training(make)
    assert len(services.issue_all(training, actor=organiser, base=base())) == 1
    db.session.commit()
    assert services.issue_all(training, actor=organiser, base=base()) == []
    db.session.add(Certificate(code=codes.new_code(), training_id=training.id,
                               enrolment_id=enrolment.id, name="x", sessions_attended=1,
                               sessions_held=1, claims={}))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_codes_are_random_grouped_and_tolerant_when_typed():
    made = {codes.new_code() for _ in range(2000)}
    assert len(made) == 2000
    for code in list(made)[:50]:
        assert codes.PATTERN.match(code)
        assert not set(code) & set("ILOU")
    assert len(codes.ALPHABET) == 32 and codes.LENGTH * 5 >= 60
    code = "7KQ3-MX9D-2HTP-B4RW"
    assert codes.normalise("7kq3mx9d2htpb4rw") == code
    assert codes.normalise(" 7KQ3 MX9D-2htp-b4rw ") == code
    assert codes.normalise("7KQ3-MX9D-2HTP-B4R") is None
    assert codes.normalise("OIL0-0000-0000-0000") == "0110-0000-0000-0000"
    assert codes.normalise("<script>") is None and codes.normalise(None) is None


def test_issue_one_by_decision_needs_a_reason(app, make):
    training, (enrolment,), organiser = certified_training(make, attended=1)
    with pytest.raises(ValidationError) as error:
        services.issue_one(enrolment, actor=organiser, base=base(), reason="  ")
    assert error.value.field == "reason"
    certificate = services.issue_one(enrolment, actor=organiser, base=base(),
                                     reason="Was ill; made up the sessions with a written task")
    db.session.commit()
    assert certificate.issue_reason.startswith("Was ill")
    assert certificate.sessions_attended == 1
    with pytest.raises(Conflict):
        services.issue_one(enrolment, actor=organiser, base=base(), reason="again")
    rejected = make.enrolment(training, status="rejected")
    with pytest.raises(ValidationError):
        services.issue_one(rejected, actor=organiser, base=base(), reason="no")


def test_revoke_needs_a_reason_and_shows_in_verification(app, make):
    training, _e, organiser = certified_training(make)
    certificate = services.issue_all(training, actor=organiser, base=base())[0]
    with pytest.raises(ValidationError):
        services.revoke(certificate, actor=organiser, reason="")
    services.revoke(certificate, actor=organiser, reason="Issued by mistake")
    db.session.commit()
    info = services.verification(certificate, base())
    assert info["valid"] is False and info["status"] == "revoked"
    assert info["revoked_at"] and info["revoke_reason"] == "Issued by mistake"
    with pytest.raises(Conflict):
        services.revoke(certificate, actor=organiser, reason="twice")
    # A revoked certificate still counts: issue-all does not hand out another.
    assert services.issue_all(training, actor=organiser, base=base()) == []


def test_corrected_reissue_keeps_the_history(app, make):
    training, (enrolment,), organiser = certified_training(make, names=["Siti Rahmawti"])
    old = services.issue_all(training, actor=organiser, base=base())[0]
    db.session.commit()
    new = services.reissue(old, actor=organiser, base=base(), name="Siti Rahmawati",
                           reason="Misspelt name")
    db.session.commit()
    assert new.code != old.code and new.name == "Siti Rahmawati"
    assert old.status == "replaced" and old.replaced_by_id == new.id and new.replaces_id == old.id
    info = services.verification(old, base())
    assert info["valid"] is False and info["replaced_by"] == new.code
    assert services.verification(new, base())["valid"] is True
    assert services.current_certificate(enrolment).id == new.id
    assert [c.id for c in services.history(new)] == [old.id, new.id]
    with pytest.raises(Conflict):
        services.reissue(old, actor=organiser, base=base(), reason="again")


def test_each_participant_gets_a_mail_with_the_certificate(app, make):
    training, (enrolment,), organiser = certified_training(make)
    certificate = services.issue_all(training, actor=organiser, base=base())[0]
    db.session.commit()
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "certificate"))
    assert mail.to_email == enrolment.email
    assert mail.attachment_ref == f"certificate:{certificate.code}"
    assert f"{base()}/verify/{certificate.code}" in mail.body
    assert f"{base()}/certificates/{certificate.code}.pdf" in mail.body


def test_issue_all_job_records_progress_in_the_database(app, make):
    training, _e, organiser = certified_training(make, names=["A One", "B Two", "C Three"])
    job = services.start_issue_all(training, actor=organiser, base=base())
    db.session.commit()
    assert (job.state, job.total) == ("queued", 3)
    assert services.start_issue_all(training, actor=organiser, base=base()).id == job.id
    jobs.dispatch(job)  # inline under TESTING
    db.session.expire_all()
    job = jobs.get(job.id)
    assert (job.state, job.done, job.total) == ("done", 3, 3)
    assert job.result == {"issued": 3} and job.result_ref == f"training:{training.id}"
    assert len(services.valid_certificates(training)) == 3


def test_a_failing_job_is_marked_failed(app, make):
    training, _e, organiser = certified_training(make)
    job = services.start_issue_all(training, actor=organiser, base=base())
    db.session.commit()
    db.session.delete(training.sessions[0])
    for s in training.sessions[1:]:
        s.status = "cancelled"
    db.session.commit()
    jobs.run(job.id)
    job = jobs.get(job.id)
    assert job.state == "failed" and job.error


def test_thread_mode_runs_the_same_job(app_factory, make):
    app = app_factory(JOBS_MODE="thread")
    import time
    with app.app_context():
        training, _e, organiser = certified_training(make)
        job = services.start_issue_all(training, actor=organiser, base=base())
        db.session.commit()
        jobs.dispatch(job)
        for _ in range(300):
            db.session.expire_all()
            if jobs.get(job.id).finished:
                break
            time.sleep(0.1)
        assert jobs.get(job.id).state == "done"
        db.session.remove()


def test_signatory_images_are_validated(app, make):
    training, _e, organiser = certified_training(make)
    png = (b"\x89PNG\r\n\x1a\n" + b"\0\0\0\rIHDR" + (100).to_bytes(4, "big") + (40).to_bytes(4, "big")
           + b"\x08\x06\0\0\0" + b"\0" * 20)
    signatory = services.add_signatory(training, actor=organiser, name="Dewi", signature=png)
    assert signatory.signature_sha256
    for bad in (b"GIF89a....", b"\x89PNG\r\n\x1a\n" + b"\0" * (services.MAX_IMAGE_BYTES + 1),
                b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
                b'<svg xmlns="http://www.w3.org/2000/svg"><image href="file:///etc/passwd"/></svg>',
                b'<!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg"/>',
                b'<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill:url(http://x/y)"/></svg>'):
        with pytest.raises(ValidationError):
            services.add_signatory(training, actor=organiser, name="X", signature=bad)


def test_demo_loader_is_idempotent(app, make):
    training, _e, _o = certified_training(make)
    load_demo_certificates(training)
    db.session.commit()
    load_demo_certificates(training)
    db.session.commit()
    assert db.session.query(Signatory).count() == 2
    assert training.certificate_statement_en.startswith("Has completed")
    assert db.session.query(Certificate).count() == 0


def test_cli_issue_all_and_verify(app, make, runner):
    training, (enrolment,), _o = certified_training(make, names=["Siti Rahmawati"])
    result = runner.invoke(args=["certificates", "issue-all", str(training.id),
                                 "--base-url", "https://anyam.example.org"])
    assert result.exit_code == 0, result.output
    assert "1 issued" in result.output
    code = services.current_certificate(enrolment).code
    result = runner.invoke(args=["certificates", "verify", code.lower()])
    assert f"{code}: valid, Siti Rahmawati" in result.output


def test_a_retry_takes_over_a_stalled_job_and_finishes_it_without_duplicates(app, make):
    from datetime import timedelta

    from trainings.db import utcnow
    training, enrolments, organiser = certified_training(make, names=["A One", "B Two", "C Three"])
    stuck = services.start_issue_all(training, actor=organiser, base=base())
    db.session.commit()
    # Its worker issued one certificate, then died (no heartbeat for two minutes).
    services.issue_all(training, actor=organiser, base=base(), limit=1)
    stuck.state, stuck.heartbeat_at = "running", utcnow() - timedelta(minutes=2)
    db.session.commit()
    retry = services.start_issue_all(training, actor=organiser, base=base())
    db.session.commit()
    assert (retry.id, retry.state) == (stuck.id, "stalled")  # taken over, not started anew
    jobs.dispatch(retry)
    db.session.expire_all()
    done = jobs.get(stuck.id)
    assert (done.state, done.done, done.total, done.attempts) == ("done", 3, 3, 1)
    assert done.result == {"issued": 3}
    assert len(services.valid_certificates(training)) == 3
    assert db.session.query(Certificate).count() == 3  # nobody got a second one


def test_text_limits_use_the_shared_message_in_both_languages(app, make):
    training, _e, organiser = certified_training(make)
    certificate = services.issue_all(training, actor=organiser, base=base())[0]
    for lang, expected in (("en", "At most 500 characters."), ("id", "Paling banyak 500 karakter.")):
        with force_locale(lang), pytest.raises(ValidationError) as error:
            services.revoke(certificate, actor=organiser, reason="x" * 501)
        assert error.value.field == "reason" and str(error.value.message) == expected
    assert certificate.revoked_at is None
    assert services.verify_url(certificate.code, "https://a.example/") == \
        f"https://a.example/verify/{certificate.code}"
