"""Mail: every message is written to the outbox; SMTP delivers it when configured."""
from __future__ import annotations

import smtplib
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import select

from ..db import utcnow
from ..extensions import db
from .models import OutboxMessage


def queue_mail(to_email: str, subject: str, body: str, *, to_name: str = "", training=None,
               kind: str = "general", attachment_ref: str | None = None) -> OutboxMessage:
    """Write a message to the outbox (in the caller's transaction)."""
    message = OutboxMessage(to_email=to_email, to_name=to_name, subject=subject[:300], body=body,
                            kind=kind, attachment_ref=attachment_ref,
                            training_id=training.id if training is not None else None)
    db.session.add(message)
    db.session.flush()
    return message


def outbox_for_training(training, limit: int = 200) -> list[OutboxMessage]:
    query = (select(OutboxMessage).where(OutboxMessage.training_id == training.id)
             .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc()).limit(limit))
    return list(db.session.scalars(query))


def deliver_pending(limit: int = 100) -> int:
    """Send unsent messages through SMTP when MAIL_SERVER is set. Returns how many were sent."""
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        return 0
    pending = db.session.scalars(select(OutboxMessage).where(OutboxMessage.sent_at.is_(None))
                                 .order_by(OutboxMessage.id).limit(limit)).all()
    sent = 0
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        for message in pending:
            mail = EmailMessage()
            mail["From"] = config["MAIL_DEFAULT_SENDER"]
            mail["To"] = f"{message.to_name} <{message.to_email}>" if message.to_name else message.to_email
            mail["Subject"] = message.subject
            mail.set_content(message.body)
            try:
                smtp.send_message(mail)
            except smtplib.SMTPException as exc:
                message.error = str(exc)[:1000]
                continue
            message.sent_at = utcnow()
            message.error = None
            sent += 1
    return sent
