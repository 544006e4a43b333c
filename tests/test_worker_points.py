"""Issue 11 points that no other test showed: a web request only queues mail (the worker
sends it), the outbox page shows each message's delivery, and an announcement written in
one language reaches each person once; outside tests a request only queues a batch."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from trainings import jobs
from trainings.certificates import services
from trainings.db import utcnow
from trainings.extensions import db
from trainings.notifications.announcements import announce
from trainings.outbox.delivery import deliver_due
from trainings.outbox.models import OutboxMessage
from trainings.outbox.services import queue_mail
from trainings.scheduling.models import Training

from .certificates_helpers import certified_training
from .test_enrolment_web import FORM


def test_a_web_request_only_queues_mail_and_the_worker_sends_it(make, client, mail_app,
                                                                 smtp_server):
    training = make.training(organiser=make.user("organiser"), capacity=5, sessions=1,
                             applications_open=True)  # a session to come: applications taken
    assert client.post(f"/trainings/{training.id}/apply", data=FORM).status_code == 302
    message = db.session.scalar(select(OutboxMessage))
    assert (message.state, message.attempts) == ("pending", 0)
    assert smtp_server.messages == []  # the request talked to no mail server
    assert deliver_due(utcnow()) == 1  # what the worker's outbox.deliver task does
    (received,) = smtp_server.messages
    assert received.envelope_to == [message.to_email] == [FORM["email"].lower()]


def test_the_outbox_page_shows_sent_failed_with_the_reason_and_a_retry_to_come(
        make, login, mail_app, smtp_server):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser, sessions=1)
    for address in ("dewi@example.org", "refused@example.org", "busy@example.org"):
        queue_mail(address, f"Hello {address.split('@')[0]}", "Body", training=training)
    db.session.commit()
    assert deliver_due(utcnow()) == 1
    page = login(organiser).get(f"/trainings/{training.id}/outbox").get_data(as_text=True)
    rows = {row.split("&lt;")[1].split("&gt;")[0]: row for row in page.split("<tr>")[2:]}
    assert "Sent" in rows["dewi@example.org"] and "Failed" not in rows["dewi@example.org"]
    refused = rows["refused@example.org"]
    assert "Failed" in refused and "550" in refused and "No such mailbox here" in refused
    busy = rows["busy@example.org"]
    assert "Waiting for another try" in busy and "451" in busy and "1 attempt" in busy
    assert "Messages are delivered by email" in page


def test_an_announcement_in_one_language_reaches_each_person_once(make):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser, sessions=1)
    make.enrolment(training, name="Siti", email="siti@example.org", language="id")
    make.enrolment(training, name="Ayesha", email="ayesha@example.org", language="en")
    make.enrolment(training, name="Waiting", email="wait@example.org", status="waitlisted")
    queued = announce(training, {"id": "Info", "en": "News"}, {"id": "", "en": "Text"},
                      actor=organiser)
    db.session.commit()
    assert queued == 2
    sent = {m.to_email: (m.language, m.subject, m.body)
            for m in db.session.scalars(select(OutboxMessage))}
    # Siti's language has no body: she gets the English text, whole and consistent.
    assert sent == {"siti@example.org": ("en", "News", "Text"),
                    "ayesha@example.org": ("en", "News", "Text")}


def test_outside_tests_requests_only_queue_jobs_unless_celery_is_configured(app):
    from trainings import create_app
    production = {"SECRET_KEY": "a-real-secret-key-0123456789", "INSTANCE_PATH": app.instance_path,
                  "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]}
    assert jobs.mode(create_app(production)) == "worker"
    assert jobs.mode(create_app(dict(production, CELERY_BROKER_URL="redis://x"))) == "celery"


def test_issuing_all_from_the_page_renders_nothing_in_the_web_process(app, make, login,
                                                                      runner):
    app.config["JOBS_MODE"] = "worker"  # what a web process does outside tests
    training, _e, organiser = certified_training(make, names=["Siti Rahmawati", "Dewi Lestari"])
    training_id = training.id
    response = login(organiser).post(f"/trainings/{training_id}/certificates/issue-all")
    assert response.status_code == 302 and "/jobs/" in response.headers["Location"]
    job_id = response.headers["Location"].rsplit("/", 1)[1]
    assert jobs.get(job_id).state == "queued"
    assert services.valid_certificates(training) == []
    cache = Path(app.instance_path) / "cache" / "certificates"
    assert not list(cache.glob("*.pdf"))  # no PDF rendered by the request
    assert "jobs: 1" in runner.invoke(args=["worker", "--once"]).output
    assert jobs.get(job_id).state == "done"
    assert len(list(cache.glob("*.pdf"))) == 2  # the worker rendered them
    assert len(services.valid_certificates(db.session.get(Training, training_id))) == 2


def watch_heartbeats(job, progress):
    """A long job that reports no progress: only the heartbeat thread speaks for it."""
    import time

    from sqlalchemy import text
    seen = set()
    deadline = time.monotonic() + 10
    while len(seen) < 3 and time.monotonic() < deadline:
        with db.engine.connect() as connection:  # what another worker sees
            seen.add(connection.execute(text("SELECT heartbeat_at FROM jobs WHERE id = :id"),
                                        {"id": job.id}).scalar())
        time.sleep(0.05)
    return {"beats": len(seen)}


def test_a_running_job_beats_in_the_jobs_table_without_reporting_progress(app, monkeypatch):
    monkeypatch.setitem(jobs.KINDS, "test.watch", "tests.test_worker_points:watch_heartbeats")
    app.config["JOBS_HEARTBEAT"] = 0.2
    job = jobs.create("test.watch", {})
    db.session.commit()
    job_id = job.id
    jobs.run(job_id)
    db.session.expire_all()
    done = jobs.get(job_id)
    assert done.state == "done" and done.result == {"beats": 3}  # the claim's and two beats
