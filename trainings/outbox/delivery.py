"""Delivery of the outbox over SMTP (Flask-Mailman), run by the worker.

Each round claims the due ``pending`` messages one by one with a conditional UPDATE (so
two workers never send the same message), sends them on one SMTP connection and records
the outcome:

* accepted by the server: ``sent`` with ``sent_at``;
* refused for good (a 5xx answer to the recipient, the sender or the data): ``failed`` at
  once, with the server's reason;
* anything temporary (no connection, 4xx, a dropped connection): tried again after
  ``MAIL_RETRY_BASE`` seconds, doubled after each failure, and ``failed`` with the last
  error after ``MAIL_MAX_ATTEMPTS`` tries. A message is never lost and never retried forever.
"""
from __future__ import annotations

import logging
import smtplib
from datetime import datetime, timedelta

from flask import current_app
from flask_mailman import EmailMessage
from sqlalchemy import select, update

from ..db import utcnow
from ..extensions import db, mail
from .models import OutboxMessage

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)  # a claimed message is tried again after this if its worker died


def _claim(message_id: int, due: datetime, now: datetime) -> bool:
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.state == "pending",
               OutboxMessage.next_attempt_at <= due)
        .values(attempts=OutboxMessage.attempts + 1, next_attempt_at=now + LEASE)
        .execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount == 1


def claim_due(now: datetime, limit: int) -> list[int]:
    """Ids of due pending messages, each claimed for this round."""
    ids = db.session.scalars(
        select(OutboxMessage.id).where(OutboxMessage.state == "pending",
                                       OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(limit)).all()
    return [i for i in ids if _claim(i, now, now)]


def email_for(message: OutboxMessage, connection) -> EmailMessage:
    config = current_app.config
    to = f"{message.to_name} <{message.to_email}>" if message.to_name else message.to_email
    headers = {"Content-Language": message.language} if message.language else {}
    email = EmailMessage(subject=message.subject, body=message.body,
                         from_email=config["MAIL_DEFAULT_SENDER"], to=[to],
                         headers=headers, connection=connection)
    for item in message.attachments or []:
        email.attach(item["filename"], item["text"], item["mimetype"])
    return email


def permanent_reason(exc: Exception) -> str | None:
    """The server's reason when it refused the message for good (5xx), else None."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _text in exc.recipients.values()]
        if codes and all(code >= 500 for code in codes):
            return "; ".join(f"{addr}: {code} {_decode(text)}"
                             for addr, (code, text) in exc.recipients.items())
        return None
    if isinstance(exc, smtplib.SMTPResponseException) and not isinstance(
            exc, smtplib.SMTPAuthenticationError) and exc.smtp_code >= 500:
        return f"{exc.smtp_code} {_decode(exc.smtp_error)}"
    return None


def _decode(text) -> str:
    return text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)


def _sent(message_id: int, now: datetime) -> None:
    db.session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id)
                       .values(state="sent", sent_at=now, error=None))
    db.session.commit()


def _failed(message_id: int, reason: str) -> None:
    db.session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id)
                       .values(state="failed", error=reason[:1000]))
    db.session.commit()


def _retry_later(message_id: int, reason: str, now: datetime) -> None:
    """Back off (base × 2^(tries-1)), or fail after the last try."""
    config = current_app.config
    message = db.session.get(OutboxMessage, message_id)
    if message.attempts >= int(config["MAIL_MAX_ATTEMPTS"]):
        _failed(message_id, reason)
        return
    delay = timedelta(seconds=int(config["MAIL_RETRY_BASE"]) * 2 ** max(0, message.attempts - 1))
    db.session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id)
                       .values(state="pending", error=reason[:1000], next_attempt_at=now + delay))
    db.session.commit()


def deliver_due(now: datetime | None = None, *, limit: int | None = None) -> int:
    """One delivery round; how many messages the server accepted."""
    config = current_app.config
    if not config["MAIL_SERVER"]:
        return 0
    now = now or utcnow()
    claimed = claim_due(now, limit or int(config["MAIL_BATCH"]))
    if not claimed:
        return 0
    connection = mail.get_connection(
        backend=config["MAIL_BACKEND"], fail_silently=False, host=config["MAIL_SERVER"],
        port=int(config["MAIL_PORT"]), username=config["MAIL_USERNAME"] or "",
        password=config["MAIL_PASSWORD"] or "", use_tls=bool(config["MAIL_USE_TLS"]),
        use_ssl=bool(config["MAIL_USE_SSL"]), timeout=config["MAIL_TIMEOUT"])
    try:
        connection.open()
    except OSError as exc:  # no server, refused login, TLS failure (SMTPException too)
        logger.warning("mail server unavailable: %s", exc)
        for message_id in claimed:
            _retry_later(message_id, f"{exc.__class__.__name__}: {exc}", now)
        return 0
    sent = 0
    try:
        for index, message_id in enumerate(claimed):
            message = db.session.get(OutboxMessage, message_id)
            try:
                connection.send_messages([email_for(message, connection)])
            except OSError as exc:  # smtplib's errors are OSErrors too
                if isinstance(exc, smtplib.SMTPException) and not isinstance(
                        exc, smtplib.SMTPServerDisconnected):
                    reason = permanent_reason(exc)
                    if reason:
                        _failed(message_id, reason)
                    else:
                        _retry_later(message_id, f"{exc.__class__.__name__}: {exc}", now)
                    continue
                # The connection is gone: this one and the rest of the round wait.
                for later in claimed[index:]:
                    _retry_later(later, f"{exc.__class__.__name__}: {exc}", now)
                break
            _sent(message_id, utcnow())
            sent += 1
    finally:
        try:
            connection.close()
        except OSError:
            pass
    return sent
