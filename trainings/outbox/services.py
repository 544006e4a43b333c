"""Mail: every message is written to the outbox; the worker delivers it (see delivery.py)."""
from __future__ import annotations

from flask import current_app
from sqlalchemy import func, select

from ..db import utcnow
from ..extensions import db
from ..timezones import iso_utc
from .delivery import deliver_due
from .models import OutboxMessage


def delivery_configured(app=None) -> bool:
    """Whether mail leaves Anyam at all (``MAIL_SERVER`` set). Pages say that a message was
    sent only when this is true; otherwise organisers pass the links on themselves."""
    return bool((app or current_app).config["MAIL_SERVER"])


def queue_mail(to_email: str, subject: str, body: str, *, to_name: str = "", training=None,
               kind: str = "general", attachment_ref: str | None = None,
               language: str | None = None, attachments: list[dict] | None = None,
               flush: bool = True) -> OutboxMessage:
    """Write a message to the outbox (in the caller's transaction); the worker sends it.
    ``flush=False``: added only, inserted at the caller's next flush (many mails at once)."""
    message = OutboxMessage(to_email=to_email, to_name=to_name, subject=subject[:300], body=body,
                            kind=kind, attachment_ref=attachment_ref, language=language,
                            attachments=list(attachments or []), state="pending",
                            attempts=0, next_attempt_at=utcnow(),
                            training_id=training.id if training is not None else None)
    db.session.add(message)
    if flush:
        db.session.flush()
    return message


def outbox_for_training(training, limit: int = 200, offset: int = 0) -> list[OutboxMessage]:
    query = (select(OutboxMessage).where(OutboxMessage.training_id == training.id)
             .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
             .limit(limit).offset(offset))
    return list(db.session.scalars(query))


def outbox_count(training) -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.training_id == training.id)) or 0


def message_dict(message: OutboxMessage) -> dict:
    """The API shape of one message (``GET /api/v1/trainings/{id}/outbox``)."""
    return {"id": message.id, "to": message.to_email, "kind": message.kind,
            "subject": message.subject, "language": message.language, "state": message.state,
            "attempts": message.attempts, "sent_at": iso_utc(message.sent_at),
            "error": message.error}


def deliver_pending(limit: int | None = None) -> int:
    """Deliver the messages that are due (the worker's periodic task); how many were sent."""
    return deliver_due(utcnow(), limit=limit)
