"""The certificate rule of a training (``Training.certificate_rule``): its shape.

The rule is a setting of the training, so scheduling checks it when a training is saved;
applying it to attendance is the attendance area's business (``attendance/eligibility.py``).
"""
from __future__ import annotations

from flask_babel import gettext as _

from ...errors import ValidationError

RULE_KEYS = {"min_sessions", "min_percent", "mandatory_sessions", "excused_counts"}


def validate_rule(rule, field: str = "certificate_rule") -> dict:
    """A clean certificate rule from user input, or a ValidationError naming the problem."""
    if rule is None:
        return {}
    if not isinstance(rule, dict):
        raise ValidationError(_("The certificate rule must be an object."), field=field)
    unknown = set(rule) - RULE_KEYS
    if unknown:
        raise ValidationError(_("Unknown certificate rule fields: %(names)s",
                                names=", ".join(sorted(unknown))), field=field)
    clean: dict = {}
    if rule.get("min_sessions") is not None:
        value = rule["min_sessions"]
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 1000:
            raise ValidationError(_("min_sessions must be a whole number from 0 to 1000."),
                                  field=f"{field}.min_sessions")
        clean["min_sessions"] = value
    if rule.get("min_percent") is not None:
        value = rule["min_percent"]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 100:
            raise ValidationError(_("min_percent must be a number from 0 to 100."),
                                  field=f"{field}.min_percent")
        clean["min_percent"] = value
    mandatory = rule.get("mandatory_sessions") or []
    if not isinstance(mandatory, list) or not all(isinstance(v, int) and not isinstance(v, bool)
                                                  for v in mandatory):
        raise ValidationError(_("mandatory_sessions must be a list of session ids."),
                              field=f"{field}.mandatory_sessions")
    if mandatory:
        clean["mandatory_sessions"] = sorted(set(mandatory))
    if "excused_counts" in rule:
        if not isinstance(rule["excused_counts"], bool):
            raise ValidationError(_("excused_counts must be true or false."),
                                  field=f"{field}.excused_counts")
        clean["excused_counts"] = rule["excused_counts"]
    return clean
