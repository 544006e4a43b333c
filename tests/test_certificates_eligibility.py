"""The issue-all look-up of who is missing a certificate: its rules (attendance threshold,
the survey gate, withdrawn people, those already certified) and its query count, which must
not grow with the number of participants; the job computes it once and issues in batches."""
from __future__ import annotations

from sqlalchemy import func, select

from trainings import jobs
from trainings.certificates import services
from trainings.certificates.models import Certificate
from trainings.enrolment.models import Enrolment
from trainings.evaluation import services as evaluation
from trainings.extensions import db
from trainings.outbox.models import OutboxMessage

from .certificates_helpers import attend, base
from .evaluation_helpers import feedback_data, survey


def _training(make):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser, sessions=3,
                             certificate_rule={"min_sessions": 2})
    required = survey(training, organiser, feedback_data(required_for_certificate=True))
    return training, organiser, required


def _people(make, training, required, k: int) -> set[int]:
    """``k`` people of each kind; the ids of those who should be issued a certificate."""
    expected = set()
    for i in range(k):
        full = make.enrolment(training, name=f"Full {i:02d}")
        just = make.enrolment(training, name=f"Just {i:02d}")  # exactly the threshold
        short = make.enrolment(training, name=f"Short {i:02d}")  # below it
        silent = make.enrolment(training, name=f"Silent {i:02d}")  # survey not answered
        gone = make.enrolment(training, name=f"Gone {i:02d}")  # withdraws after answering
        attend(full, training.sessions)
        attend(just, training.sessions[:2])
        attend(short, training.sessions[:1])
        attend(silent, training.sessions)
        attend(gone, training.sessions)
        db.session.commit()
        for enrolment in (full, just, short, gone):
            evaluation.submit_response(required, enrolment, {"q1": 4}, actor=None)
        gone.status = "withdrawn"
        db.session.commit()
        expected |= {full.id, just.id}
    return expected


def test_the_look_up_honours_threshold_survey_gate_withdrawal_and_issued(app, make):
    training, organiser, required = _training(make)
    expected = _people(make, training, required, 2)
    found = services.eligible_missing(training)
    assert {eid for eid, _p in found} == expected
    assert all(p.eligible and p.held == 3 and p.attended >= 2 for _e, p in found)
    names = [e.name for e, _p in services.missing_eligible(training)]
    assert names == sorted(names) and len(names) == 4
    one = found[0][0]
    services.issue_one(db.session.get(Enrolment, one), actor=organiser, base=base())
    db.session.commit()
    assert {eid for eid, _p in services.eligible_missing(training)} == expected - {one}


def test_the_look_up_and_a_batch_take_as_many_queries_for_few_as_for_many(app, make,
                                                                          count_queries):
    counts = []
    for k in (1, 6):
        training, organiser, required = _training(make)
        expected = _people(make, training, required, k)
        db.session.expire_all()
        with count_queries() as looked_up:
            found = services.eligible_missing(training)
        assert len(found) == len(expected) == 2 * k
        shared = services.training_claims(training)
        with count_queries() as issuing:
            issued = services.issue_all(training, actor=organiser, base=base(), pending=found,
                                        shared=shared)
        db.session.commit()
        assert {c.enrolment_id for c in issued} == expected
        reads = [s for s in issuing.statements if not s.lstrip().upper().startswith("INSERT")]
        counts.append((looked_up.count, len(reads)))
    assert counts[0][0] == counts[1][0], counts
    # A batch reads as much for 12 as for 2 (its rows are then inserted, a statement each).
    assert counts[0][1] == counts[1][1], counts


def test_the_job_issues_in_batches_skipping_who_was_issued_meanwhile(app, make, monkeypatch):
    from trainings.certificates.services import job as job_module
    monkeypatch.setattr(job_module, "BATCH", 2)
    training, organiser, required = _training(make)
    expected = _people(make, training, required, 3)  # 6 eligible: 3 batches
    services.confirm_name(db.session.get(Enrolment, min(expected)), "Nama Yang Dikonfirmasi",
                          actor=None)
    db.session.commit()
    job = services.start_issue_all(training, actor=organiser, base=base())
    db.session.commit()
    assert job.total == 6
    calls = []
    real = job_module.issue_all

    def spying(*args, **kwargs):
        calls.append(len(kwargs["pending"]))
        if len(calls) == 2:  # someone issues the last person by hand meanwhile
            last = kwargs["pending"][-1][0]
            services.issue_one(db.session.get(Enrolment, last),
                               actor=organiser, base=base())
        return real(*args, **kwargs)

    monkeypatch.setattr(job_module, "issue_all", spying)
    jobs.run(job.id)
    assert calls == [2, 2, 2]
    current = db.session.execute(select(Certificate.enrolment_id, Certificate.name).where(
        Certificate.training_id == training.id, Certificate.replaced_at.is_(None))).all()
    assert sorted(eid for eid, _n in current) == sorted(expected)  # one each, none twice
    assert dict(current)[min(expected)] == "Nama Yang Dikonfirmasi"
    mails = db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.kind == "certificate", OutboxMessage.training_id == training.id))
    assert mails == 6
    assert jobs.get(job.id).state == "done"
