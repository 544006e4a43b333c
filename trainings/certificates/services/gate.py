"""Eligibility for a certificate: the attendance rule and the survey gate (surveys marked
"required for the certificate" in the evaluation area)."""
from __future__ import annotations

from ...attendance.eligibility import Progress, evaluate
from ...evaluation.services import required_surveys_pending


class Eligibility:
    """Attendance progress (its fields read through) plus the required surveys not answered."""

    __slots__ = ("progress", "surveys_pending")

    def __init__(self, progress: Progress, surveys_pending=()):
        self.progress = progress
        self.surveys_pending = tuple(surveys_pending)

    def __getattr__(self, name):
        return getattr(self.progress, name)

    @property
    def eligible(self) -> bool:
        return self.progress.eligible and not self.surveys_pending


def eligibility(training, enrolments) -> dict[int, Eligibility]:
    """Every enrolment's eligibility in three queries, whatever their number."""
    enrolments = list(enrolments)
    progress = evaluate(training, [e.id for e in enrolments])
    pending = required_surveys_pending(enrolments)
    return {e.id: Eligibility(progress[e.id], pending.get(e.id, ())) for e in enrolments}
