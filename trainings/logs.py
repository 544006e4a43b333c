"""Secrets in URLs stay out of the access logs.

A calendar app can only subscribe to a URL, so feed URLs carry their token
(``/me/calendar.ics?token=...``), and the one-time links of mails carry theirs in the path
(``/password/reset/<token>``, ``/invitation/<token>``). The access loggers of werkzeug
(development server) and gunicorn print request lines; this filter masks those values
before any handler sees them.
"""
from __future__ import annotations

import logging
import re

MASK = "[masked]"
ACCESS_LOGGERS = ("werkzeug", "gunicorn.access")
_PATTERNS = (
    re.compile(r"(?i)([?&](?:token|access_token|key)=)[^&\s\"']+"),
    re.compile(r"(/(?:password/reset|invitation)/)[^/?\s\"']+"),
)


def mask(text: str) -> str:
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + MASK, text)
    return text


class SecretMaskingFilter(logging.Filter):
    """Replaces a record's message by its masked form (arguments merged in first)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record is left to logging itself
            return True
        masked = mask(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


def mask_secrets_in_access_logs() -> None:
    """Attach the filter once to every access logger."""
    for name in ACCESS_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, SecretMaskingFilter) for f in logger.filters):
            logger.addFilter(SecretMaskingFilter())
