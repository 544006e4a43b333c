"""The text checks of the certificate services (messages from :mod:`trainings.messages`)."""
from __future__ import annotations

from flask_babel import gettext as _

from ...errors import ValidationError
from ...messages import NOT_TEXT, TOO_LONG, text


def clean(value, field: str, *, required: bool, limit: int) -> str:
    """Stripped text of at most ``limit`` characters; ``required`` asks for a reason."""
    cleaned = (value or "").strip() if isinstance(value, str) or value is None else None
    if cleaned is None:
        raise ValidationError(NOT_TEXT, field=field)
    if required and not cleaned:
        raise ValidationError(_("Please give a reason."), field=field)
    if len(cleaned) > limit:
        raise ValidationError(text(TOO_LONG, num=limit), field=field)
    return cleaned
