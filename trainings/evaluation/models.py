"""Tables of the evaluation area.

Anonymous surveys: who has answered (``survey_participations``: survey and enrolment,
nothing else) is kept apart from what was answered (``survey_responses`` with no
enrolment, no timestamp and a random key), so nothing joins the two. On SQLite both tables
are ``WITHOUT ROWID``, so not even the storage order follows the order of submission.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import UTCDateTime, utcnow
from ..extensions import db

KINDS = ("feedback", "pre_test", "post_test")
QUESTION_TYPES = ("scale", "choice", "multi", "text")
COMMITMENT_STATUSES = ("not_started", "in_progress", "done", "dropped")
GENDERS = ("woman", "man", "non_binary", "self_described", "prefer_not_to_say")
WG_DOMAINS = ("seeing", "hearing", "walking", "remembering", "self_care", "communicating")
WG_ANSWERS = ("no_difficulty", "some_difficulty", "a_lot_of_difficulty", "cannot_do_at_all")


def _in(column: str, values) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


class Survey(db.Model):
    __tablename__ = "surveys"
    __table_args__ = (
        CheckConstraint(_in("kind", KINDS), name="kind_known"),
        CheckConstraint("closes_at IS NULL OR opens_at IS NULL OR closes_at > opens_at",
                        name="closes_after_opening"),
        CheckConstraint("NOT (is_anonymous AND kind != 'feedback')", name="tests_not_anonymous"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    training_id: Mapped[int] = mapped_column(ForeignKey("trainings.id", ondelete="CASCADE"),
                                             index=True)
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("training_sessions.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="feedback")
    title_id: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300))
    is_anonymous: Mapped[bool] = mapped_column(default=False)
    is_required_for_certificate: Mapped[bool] = mapped_column(default=False)
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    training = relationship("Training")
    session = relationship("TrainingSession")
    questions: Mapped[list[SurveyQuestion]] = relationship(
        back_populates="survey", cascade="all, delete-orphan", order_by="SurveyQuestion.position")

    @property
    def is_test(self) -> bool:
        return self.kind in ("pre_test", "post_test")

    def title(self, lang: str) -> str:
        return self.title_id if lang == "id" and self.title_id else self.title_en


class SurveyQuestion(db.Model):
    __tablename__ = "survey_questions"
    __table_args__ = (
        UniqueConstraint("survey_id", "key"),
        CheckConstraint(_in("type", QUESTION_TYPES), name="type_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(default=0)
    type: Mapped[str] = mapped_column(String(10))
    text_id: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text)
    is_required: Mapped[bool] = mapped_column(default=True)
    # [{"id": "...", "en": "..."}] for choice and multi
    options: Mapped[list] = mapped_column(JSON, default=list)
    # indexes into options of the correct answers (tests only), else None
    correct: Mapped[list | None] = mapped_column(JSON)

    survey: Mapped[Survey] = relationship(back_populates="questions")

    def text(self, lang: str) -> str:
        return self.text_id if lang == "id" and self.text_id else self.text_en


class SurveyParticipation(db.Model):
    """That an enrolment has answered a survey: the one-response rule and the reminder list.
    Deliberately nothing else (no time, no link to the response)."""

    __tablename__ = "survey_participations"
    __table_args__ = ({"sqlite_with_rowid": False},)

    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"),
                                           primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"),
                                              primary_key=True, index=True)


class SurveyResponse(db.Model):
    """What was answered. For an anonymous survey ``enrolment_id`` and ``submitted_at`` are
    empty and the key is random."""

    __tablename__ = "survey_responses"
    __table_args__ = (UniqueConstraint("survey_id", "enrolment_id"), {"sqlite_with_rowid": False})

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    enrolment_id: Mapped[int | None] = mapped_column(
        ForeignKey("enrolments.id", ondelete="CASCADE"), index=True)
    # {"q1": 4, "q2": [0, 2], "q3": "text"}
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    # share of correct answers (tests), else None
    score: Mapped[float | None] = mapped_column()
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class EvaluationSettings(db.Model):
    """Per-training settings of this area (kept here so scheduling's table stays its own)."""

    __tablename__ = "evaluation_settings"

    training_id: Mapped[int] = mapped_column(ForeignKey("trainings.id", ondelete="CASCADE"),
                                             primary_key=True)
    # days after the last session on which participants with a plan are asked to update it
    follow_up_days: Mapped[list] = mapped_column(JSON, default=list)


class ActionPlan(db.Model):
    __tablename__ = "action_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    training_id: Mapped[int] = mapped_column(ForeignKey("trainings.id", ondelete="CASCADE"),
                                             index=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"),
                                              unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    enrolment = relationship("Enrolment")
    commitments: Mapped[list[Commitment]] = relationship(
        back_populates="plan", cascade="all, delete-orphan",
        order_by="[Commitment.position, Commitment.id]")


class Commitment(db.Model):
    __tablename__ = "action_plan_commitments"
    __table_args__ = (CheckConstraint(_in("status", COMMITMENT_STATUSES), name="status_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("action_plans.id", ondelete="CASCADE"),
                                         index=True)
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="not_started")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    plan: Mapped[ActionPlan] = relationship(back_populates="commitments")
    updates: Mapped[list[CommitmentUpdate]] = relationship(
        back_populates="commitment", cascade="all, delete-orphan",
        order_by="[CommitmentUpdate.created_at, CommitmentUpdate.id]")


class CommitmentUpdate(db.Model):
    """Every status change or note, kept (the history organisers see)."""

    __tablename__ = "action_plan_updates"
    __table_args__ = (CheckConstraint(_in("status", COMMITMENT_STATUSES), name="status_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(
        ForeignKey("action_plan_commitments.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    commitment: Mapped[Commitment] = relationship(back_populates="updates")


class FollowUpMail(db.Model):
    """A follow-up mail queued for one person and one offset: never twice."""

    __tablename__ = "action_plan_follow_ups"
    __table_args__ = (UniqueConstraint("enrolment_id", "offset_days"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    training_id: Mapped[int] = mapped_column(ForeignKey("trainings.id", ondelete="CASCADE"),
                                             index=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"))
    offset_days: Mapped[int] = mapped_column()
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Demographics(db.Model):
    """Optional gender and Washington Group Short Set answers, given with explicit consent."""

    __tablename__ = "enrolment_demographics"
    __table_args__ = (
        CheckConstraint("gender IS NULL OR " + _in("gender", GENDERS), name="gender_known"),
        *[CheckConstraint(f"{d} IS NULL OR " + _in(d, WG_ANSWERS), name=f"{d}_known")
          for d in WG_DOMAINS],
    )

    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"),
                                              primary_key=True)
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    gender: Mapped[str | None] = mapped_column(String(20))
    seeing: Mapped[str | None] = mapped_column(String(20))
    hearing: Mapped[str | None] = mapped_column(String(20))
    walking: Mapped[str | None] = mapped_column(String(20))
    remembering: Mapped[str | None] = mapped_column(String(20))
    self_care: Mapped[str | None] = mapped_column(String(20))
    communicating: Mapped[str | None] = mapped_column(String(20))

    @property
    def washington_group(self) -> dict:
        return {d: getattr(self, d) for d in WG_DOMAINS}

    @property
    def has_disability(self) -> bool | None:
        """The Washington Group cut-off: at least one "a lot of difficulty" or "cannot do
        at all"; None when no question was answered."""
        values = [v for v in self.washington_group.values() if v]
        if not values:
            return None
        return any(v in ("a_lot_of_difficulty", "cannot_do_at_all") for v in values)
