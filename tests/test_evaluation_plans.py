"""Action plans, follow-up mails and demographics, without HTTP."""
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from trainings.errors import ValidationError
from trainings.evaluation import services
from trainings.evaluation.models import CommitmentUpdate, Demographics, FollowUpMail
from trainings.extensions import db
from trainings.outbox.models import OutboxMessage


@pytest.fixture
def setup(make):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser, sessions=2)  # last session ends 2023-12-07 09:00 UTC
    ayu = make.enrolment(training, user=make.user(), language="id")
    tan = make.enrolment(training, user=make.user(), language="en", country="MY")
    return {"organiser": organiser, "training": training, "ayu": ayu, "tan": tan}


def test_commitments_are_validated_and_nothing_written_on_bad_input(setup):
    with pytest.raises(ValidationError) as info:
        services.add_commitments(setup["ayu"], [{"text": "", "due": "2024-02-30"},
                                                {"text": "ok", "due": "2024-03-01"}], actor=None)
    assert {d["field"] for d in info.value.details} == {"commitments.0.text", "commitments.0.due"}
    assert services.plan_of(setup["ayu"]) is None
    with pytest.raises(ValidationError):
        services.add_commitments(setup["ayu"], [], actor=None)


def test_updates_are_kept_with_their_dates(setup):
    plan = services.add_commitments(setup["ayu"], [{"text": "Train 10 paralegals", "due": "2024-03-31"}],
                                    actor=None)
    commitment = plan.commitments[0]
    services.update_commitment(commitment, {"status": "in_progress", "note": "Two trained"}, actor=None)
    services.update_commitment(commitment, {"note": "Five trained"}, actor=None)
    with pytest.raises(ValidationError):
        services.update_commitment(commitment, {"status": "finished"}, actor=None)
    with pytest.raises(ValidationError):
        services.update_commitment(commitment, {}, actor=None)
    db.session.commit()
    history = services.commitment_dict(commitment)["history"]
    assert [(h["status"], h["note"]) for h in history] == [
        ("not_started", ""), ("in_progress", "Two trained"), ("in_progress", "Five trained")]
    assert all(h["at"].endswith("Z") for h in history)
    assert commitment.status == "in_progress"
    totals = services.totals(services.plans_of_training(setup["training"]))
    assert totals["by_status"]["in_progress"] == 1 and totals["plans"] == 1


def test_only_accepted_participants_write_plans(setup, make):
    waiting = make.enrolment(setup["training"], status="waitlisted")
    with pytest.raises(ValidationError) as info:
        services.add_commitments(waiting, [{"text": "x", "due": "2024-01-01"}], actor=None)
    assert info.value.status == 403


def test_follow_up_days_validated(setup):
    for bad in ([0], [30, "90"], "30", [True], list(range(1, 20))):
        with pytest.raises(ValidationError):
            services.set_follow_up_days(setup["training"], bad, actor=None)
    assert services.set_follow_up_days(setup["training"], [90, 30, 30], actor=None) == [30, 90]


def test_follow_up_days_from_the_forms_text(app):
    assert services.parse_days_text("90, 30 7") == [90, 30, 7]
    assert services.parse_days_text("  ") == [] and services.parse_days_text(None) == []
    for bad in ("30, ninety", "-5", "1.5"):
        with pytest.raises(ValidationError) as info:
            services.parse_days_text(bad)
        assert info.value.details[0]["field"] == "follow_up_days"


def test_follow_ups_once_per_person_and_offset_in_their_language(setup):
    training = setup["training"]
    services.set_follow_up_days(training, [30, 90], actor=None)
    services.add_commitments(setup["ayu"], [{"text": "x", "due": "2024-03-01"}], actor=None)
    services.add_commitments(setup["tan"], [{"text": "y", "due": "2024-03-01"}], actor=None)
    last_end = datetime(2023, 12, 7, 9, 0, tzinfo=UTC)
    assert services.send_due_follow_ups(last_end + timedelta(days=29)) == 0
    assert services.send_due_follow_ups(last_end + timedelta(days=30)) == 2
    assert services.send_due_follow_ups(last_end + timedelta(days=31)) == 0  # not twice
    assert services.send_due_follow_ups(last_end + timedelta(days=95)) == 2
    db.session.commit()
    mails = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert len(mails) == 4
    ayu_mail = next(m for m in mails if m.to_email == setup["ayu"].email)
    assert ayu_mail.subject.startswith("Bagaimana") and "/my-action-plan" in ayu_mail.body
    assert any(m.subject.startswith("How is") for m in mails)
    # the database refuses a duplicate even if two workers raced
    db.session.add(FollowUpMail(training_id=training.id, enrolment_id=setup["ayu"].id, offset_days=30))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_demographics_need_consent(setup):
    ayu = setup["ayu"]
    with pytest.raises(ValidationError) as info:
        services.set_demographics(ayu, {"gender": "woman"}, actor=None)
    assert info.value.field == "demographics_consent"
    with pytest.raises(ValidationError):
        services.set_demographics(ayu, {"demographics_consent": False,
                                        "washington_group": {"seeing": "some_difficulty"}}, actor=None)
    with pytest.raises(ValidationError):
        services.set_demographics(ayu, {"demographics_consent": True, "gender": "other"}, actor=None)
    with pytest.raises(ValidationError):
        services.set_demographics(ayu, {"demographics_consent": True,
                                        "washington_group": {"seeing": "blind"}}, actor=None)
    assert db.session.scalar(select(func.count()).select_from(Demographics)) == 0
    record = services.set_demographics(ayu, {
        "demographics_consent": True, "gender": "woman",
        "washington_group": {"seeing": "some_difficulty", "walking": "a_lot_of_difficulty"}}, actor=None)
    assert record.has_disability is True
    some = services.set_demographics(setup["tan"], {
        "demographics_consent": True, "washington_group": {"hearing": "some_difficulty"}}, actor=None)
    assert some.has_disability is False
    # withdrawing consent erases
    services.set_demographics(ayu, {"demographics_consent": False}, actor=None)
    assert services.demographics_of(ayu) is None


def test_history_rows_are_never_rewritten(setup):
    plan = services.add_commitments(setup["ayu"], [{"text": "x", "due": "2024-03-01"}], actor=None)
    services.update_commitment(plan.commitments[0], {"status": "done"}, actor=None)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(CommitmentUpdate)) == 2


def test_cli_command_queues_due_follow_ups(setup, runner):
    services.set_follow_up_days(setup["training"], [30], actor=None)
    services.add_commitments(setup["ayu"], [{"text": "x", "due": "2024-03-01"}], actor=None)
    db.session.commit()
    result = runner.invoke(args=["evaluation", "follow-ups", "--now", "2024-02-01T00:00:00Z"])
    assert result.exit_code == 0 and "1 follow-up" in result.output
    again = runner.invoke(args=["evaluation", "follow-ups", "--now", "2024-02-02T00:00:00Z"])
    assert "0 follow-up" in again.output
    assert runner.invoke(args=["evaluation", "follow-ups", "--now", "yesterday"]).exit_code != 0


def test_follow_ups_are_a_periodic_task(setup):
    import importlib
    from datetime import UTC, datetime

    from trainings import periodic
    task = periodic.TASKS["evaluation.follow_ups"]
    module, _sep, name = task.target.partition(":")
    run = getattr(importlib.import_module(module), name)
    services.set_follow_up_days(setup["training"], [30], actor=None)
    services.add_commitments(setup["tan"], [{"text": "x", "due": "2024-03-01"}], actor=None)
    db.session.commit()
    assert run(datetime(2024, 2, 1, tzinfo=UTC)) == 1
    assert run(datetime(2024, 2, 2, tzinfo=UTC)) == 0
