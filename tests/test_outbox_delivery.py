"""The worker delivers the outbox over SMTP to a real server (aiosmtpd on loopback)."""
from __future__ import annotations

from datetime import timedelta

from trainings.db import utcnow
from trainings.extensions import db
from trainings.outbox import delivery
from trainings.outbox.models import OutboxMessage
from trainings.outbox.services import deliver_pending, queue_mail


def queued(to="siti@example.org", **kwargs) -> int:
    message = queue_mail(to, kwargs.pop("subject", "Halo"), kwargs.pop("body", "Isi pesan"),
                         **kwargs)
    db.session.commit()
    return message.id


def state_of(message_id):
    db.session.expire_all()
    return db.session.get(OutboxMessage, message_id)


def test_a_message_is_delivered_and_marked_sent(mail_app, smtp_server):
    message_id = queued(to_name="Siti Rahma", subject="Undangan", language="id",
                        attachments=[{"filename": "a.txt", "mimetype": "text/plain",
                                      "text": "lampiran"}])
    assert deliver_pending() == 1
    message = state_of(message_id)
    assert (message.state, message.attempts, message.error) == ("sent", 1, None)
    assert message.sent_at is not None
    (received,) = smtp_server.messages
    assert received.envelope_to == ["siti@example.org"]
    assert received["To"] == "Siti Rahma <siti@example.org>"
    assert received["Subject"] == "Undangan"
    assert received["Content-Language"] == "id"
    parts = {p.get_filename(): p.get_content() for p in received.iter_attachments()}
    assert parts == {"a.txt": "lampiran"}
    assert deliver_pending() == 0  # never twice
    assert len(smtp_server.messages) == 1


def test_a_refused_recipient_fails_at_once_with_the_reason(mail_app, smtp_server):
    refused = queued(to="refused@example.org")
    fine = queued(to="dewi@example.org")
    assert deliver_pending() == 1
    message = state_of(refused)
    assert (message.state, message.attempts) == ("failed", 1)
    assert "550" in message.error and "No such mailbox" in message.error
    assert state_of(fine).state == "sent"
    later = utcnow() + timedelta(days=1)
    assert delivery.deliver_due(later) == 0  # a failed message is not tried again
    assert state_of(refused).attempts == 1


def test_a_temporary_refusal_is_retried_with_back_off_then_failed(mail_app, smtp_server):
    mail_app.config.update(MAIL_MAX_ATTEMPTS=3, MAIL_RETRY_BASE=60)
    message_id = queued(to="busy@example.org")
    now = utcnow()
    assert delivery.deliver_due(now) == 0
    first = state_of(message_id)
    assert (first.state, first.attempts) == ("pending", 1) and "451" in first.error
    assert timedelta(seconds=55) < first.next_attempt_at - now <= timedelta(seconds=61)
    assert delivery.deliver_due(now + timedelta(seconds=30)) == 0  # not due yet
    assert state_of(message_id).attempts == 1
    second_try = now + timedelta(seconds=61)
    delivery.deliver_due(second_try)
    second = state_of(message_id)
    assert (second.state, second.attempts) == ("pending", 2)
    assert second.next_attempt_at - second_try > timedelta(seconds=115)  # doubled
    delivery.deliver_due(second_try + timedelta(seconds=121))
    last = state_of(message_id)
    assert (last.state, last.attempts) == ("failed", 3) and "451" in last.error
    assert smtp_server.messages == []


def test_no_server_answering_keeps_the_message_for_a_retry(app):
    from tests.mail import free_port
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_USE_TLS=False)
    message_id = queued()
    assert deliver_pending() == 0
    message = state_of(message_id)
    assert (message.state, message.attempts) == ("pending", 1)
    assert "ConnectionRefused" in message.error
    assert message.next_attempt_at > utcnow()


def test_without_a_mail_server_nothing_is_sent_and_nothing_is_lost(app):
    assert app.config["MAIL_SERVER"] is None
    message_id = queued()
    assert deliver_pending() == 0
    message = state_of(message_id)
    assert (message.state, message.attempts) == ("pending", 0)


def test_two_workers_never_claim_the_same_message(mail_app):
    ids = [queued(to=f"p{i}@example.org") for i in range(4)]
    now = utcnow()
    first = delivery.claim_due(now, 2)
    second = delivery.claim_due(now, 10)
    assert sorted(first + second) == sorted(ids)
    assert not set(first) & set(second)
    assert delivery.claim_due(now, 10) == []


def test_the_worker_command_delivers_the_outbox(mail_app, smtp_server, runner):
    queued(to="ayesha@example.org", subject="Hello")
    result = runner.invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "outbox.deliver: 1" in result.output
    assert [m["Subject"] for m in smtp_server.to("ayesha@example.org")] == ["Hello"]
