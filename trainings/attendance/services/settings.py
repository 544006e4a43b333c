"""A training's attendance settings: the certificate rule and the import thresholds."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ...audit.services import record as audit
from ...errors import ValidationError
from ...extensions import db
from ...scheduling.models import Training, TrainingSession
from .. import eligibility


def update_settings(training: Training, *, actor, min_sessions=None, min_percent=None,
                    mandatory_sessions=(), excused_counts=False, threshold_percent=60,
                    late_after_minutes=15) -> Training:
    """The certificate rule and the import thresholds of a training."""
    held = {sid for sid, status in db.session.execute(
        select(TrainingSession.id, TrainingSession.status)
        .where(TrainingSession.training_id == training.id))}
    rule = eligibility.validate_rule({
        "min_sessions": min_sessions, "min_percent": min_percent,
        "mandatory_sessions": list(mandatory_sessions or []),
        "excused_counts": bool(excused_counts)})
    foreign = [s for s in rule.get("mandatory_sessions", []) if s not in held]
    if foreign:
        raise ValidationError(_l("Mandatory sessions must be sessions of this training."),
                              field="mandatory_sessions")
    if min_sessions is not None and min_sessions > len(held):
        raise ValidationError(_l("The training has only %(n)s sessions.", n=len(held)),
                              field="min_sessions")
    if not isinstance(threshold_percent, int) or not 1 <= threshold_percent <= 100:
        raise ValidationError(_l("The threshold must be from 1 to 100 percent."),
                              field="threshold_percent")
    if not isinstance(late_after_minutes, int) or not 0 <= late_after_minutes <= 600:
        raise ValidationError(_l("Late after must be from 0 to 600 minutes."),
                              field="late_after_minutes")
    training.certificate_rule = rule
    training.attendance_threshold_percent = threshold_percent
    training.late_after_minutes = late_after_minutes
    audit(training.id, actor, "attendance.settings", training,
          {"fields": ["certificate_rule", "attendance_threshold_percent", "late_after_minutes"]})
    db.session.flush()
    return training
