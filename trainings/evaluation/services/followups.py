"""Follow-up mails: N days after a training's last session (``follow_up_days``), every
participant with an action plan is asked, once per offset, to update it."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ...db import utcnow
from ...enrolment.models import Enrolment
from ...extensions import db
from ...outbox.services import queue_mail
from ...scheduling.models import Training, TrainingSession
from ...web import absolute_url
from ..models import ActionPlan, EvaluationSettings, FollowUpMail


def last_session_end(training_id: int) -> datetime | None:
    sessions = db.session.scalars(select(TrainingSession).where(
        TrainingSession.training_id == training_id, TrainingSession.status != "cancelled"))
    ends = [s.ends_at for s in sessions]
    return max(ends) if ends else None


def send_due_follow_ups(now: datetime | None = None, *, commit: bool = False) -> int:
    """Queue every follow-up mail that is due, once per person and offset, in the person's
    language. Each mail is claimed by inserting its ``FollowUpMail`` row in a savepoint: the
    unique constraint makes a second worker skip it. ``commit=True`` (the periodic task)
    commits after each mail; otherwise the caller commits."""
    now = now or utcnow()
    queued = 0
    for settings in db.session.scalars(select(EvaluationSettings)):
        days = settings.follow_up_days or []
        end = last_session_end(settings.training_id) if days else None
        due = [d for d in days if end is not None and end + timedelta(days=d) <= now]
        if not due:
            continue
        training = db.session.get(Training, settings.training_id)
        sent = {tuple(r) for r in db.session.execute(
            select(FollowUpMail.enrolment_id, FollowUpMail.offset_days)
            .where(FollowUpMail.training_id == training.id))}
        people = db.session.scalars(select(Enrolment).join(
            ActionPlan, ActionPlan.enrolment_id == Enrolment.id)
            .where(ActionPlan.training_id == training.id, Enrolment.status == "accepted")
            .order_by(Enrolment.id))
        link = absolute_url("evaluation.my_plan", training_id=training.id)
        for enrolment in people:
            for offset in due:
                if (enrolment.id, offset) in sent:
                    continue
                try:
                    with db.session.begin_nested():
                        db.session.add(FollowUpMail(training_id=training.id, offset_days=offset,
                                                    enrolment_id=enrolment.id, queued_at=now))
                        db.session.flush()
                except IntegrityError:
                    continue  # another worker queued this one
                _queue_follow_up(training, enrolment, offset, link)
                queued += 1
                if commit:
                    db.session.commit()
    db.session.flush()
    return queued


def run_follow_ups(now: datetime | None = None) -> int:
    """The periodic task (``trainings.periodic``): queue what is due and commit."""
    queued = send_due_follow_ups(now, commit=True)
    db.session.commit()
    return queued


def _queue_follow_up(training, enrolment, offset: int, link: str) -> None:
    lang = enrolment.language or "en"
    with force_locale(lang):
        subject = _("How is your action plan going? (%(training)s)",
                    training=training.title(lang))
        body = "\n".join([
            _("Dear %(name)s,", name=enrolment.name), "",
            _("It is %(num)s days since the last session of \"%(training)s\". Please take a "
              "minute to update the status of your commitments.", num=offset,
              training=training.title(lang)), "", link])
    queue_mail(enrolment.email, subject, body, to_name=enrolment.name, training=training,
               kind="action_plan_follow_up")
