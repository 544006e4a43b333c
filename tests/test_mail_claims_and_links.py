"""No page claims that mail was sent unless a mail server delivers it; organisers get the
links to pass on; links never follow an untrusted Host header."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from trainings.extensions import db
from trainings.outbox.models import OutboxMessage

from .test_enrolment_web import FORM


@pytest.fixture
def open_training(make):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser, capacity=5, sessions=2, applications_open=True)
    db.session.commit()
    return organiser, training


def thanks_page(client, training) -> str:
    response = client.post(f"/trainings/{training.id}/apply", data=FORM)
    assert response.status_code == 302
    return client.get(response.headers["Location"]).get_data(as_text=True)


def test_without_a_mail_server_the_thanks_page_does_not_claim_an_email(client, open_training):
    _organiser, training = open_training
    page = thanks_page(client, training)
    assert "You have a place." in page
    assert "sent you an email" not in page
    assert "The organisers will give you a link to set your password" in page
    assert db.session.scalar(select(OutboxMessage)).state == "pending"  # kept, not lost


def test_with_a_mail_server_the_thanks_page_says_the_email_is_sent(app, client, open_training,
                                                                  smtp_server):
    app.config.update(smtp_server.config())
    _organiser, training = open_training
    assert "We have sent you an email with a link to set your password" in thanks_page(
        client, training)


def test_an_organiser_sees_the_set_password_link_to_pass_on(make, login, open_training):
    organiser, training = open_training
    client = login(organiser)
    added = client.post(f"/trainings/{training.id}/participants/add", follow_redirects=True,
                        data={k: v for k, v in FORM.items() if k != "privacy_consent"})
    page = added.get_data(as_text=True)
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "invitation"))
    link = "http://localhost/invitation/" + message.body.split("/invitation/")[1].split()[0]
    assert "No mail server is configured, so nothing is sent" in page
    assert link in page
    enrolment_id = _enrolment_id(training)
    again = client.post(f"/enrolments/{enrolment_id}/invitation", follow_redirects=True)
    fresh = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "invitation")
                               .order_by(OutboxMessage.id.desc())).first()
    new_link = "http://localhost/invitation/" + fresh.body.split("/invitation/")[1].split()[0]
    assert new_link != link and new_link in again.get_data(as_text=True)


def _enrolment_id(training):
    from trainings.enrolment.models import Enrolment
    return db.session.scalar(select(Enrolment.id).where(Enrolment.training_id == training.id))


def test_with_a_mail_server_the_organiser_is_told_it_goes_by_email(app, make, login,
                                                                  open_training, smtp_server):
    app.config.update(smtp_server.config())
    organiser, training = open_training
    client = login(organiser)
    page = client.post(f"/trainings/{training.id}/participants/add", follow_redirects=True,
                       data={k: v for k, v in FORM.items() if k != "privacy_consent"}
                       ).get_data(as_text=True)
    assert "/invitation/" not in page  # the link goes to the person only
    again = client.post(f"/enrolments/{_enrolment_id(training)}/invitation",
                        follow_redirects=True).get_data(as_text=True)
    assert "is on its way by email" in again and "/invitation/" not in again


def test_an_untrusted_host_is_refused_and_no_link_points_to_it(client, open_training):
    _organiser, training = open_training
    evil = client.post(f"/trainings/{training.id}/apply", data=FORM,
                       headers={"Host": "evil.example"})
    assert evil.status_code == 400
    assert not any("evil.example" in m.body for m in db.session.scalars(select(OutboxMessage)))
    assert db.session.scalar(select(OutboxMessage)) is None  # nothing was written at all


def test_a_trusted_host_is_served_and_used_for_links(app_factory, make):
    app = app_factory(TRUSTED_HOSTS="anyam.example.org, .hub.example.org")
    with app.app_context():
        organiser = make.user("organiser")
        training = make.training(organiser=organiser, capacity=5, sessions=1,
                                 applications_open=True)
        db.session.commit()
        client = app.test_client()
        ok = client.post(f"/trainings/{training.id}/apply", data=FORM,
                         headers={"Host": "anyam.example.org"})
        assert ok.status_code == 302
        message = db.session.scalar(select(OutboxMessage))
        assert "http://anyam.example.org/invitation/" in message.body
        assert client.get("/healthz", headers={"Host": "jakarta.hub.example.org"}).status_code == 200
        assert client.get("/healthz", headers={"Host": "localhost"}).status_code == 400
        db.session.remove()


def test_the_public_base_url_wins_over_any_host(app_factory, make):
    app = app_factory(PUBLIC_BASE_URL="https://anyam.example.org")
    with app.app_context():
        organiser = make.user("organiser")
        training = make.training(organiser=organiser, capacity=5, sessions=1,
                                 applications_open=True)
        db.session.commit()
        client = app.test_client()
        client.post(f"/trainings/{training.id}/apply", data=FORM, headers={"Host": "other.example"})
        message = db.session.scalar(select(OutboxMessage))
        assert "https://anyam.example.org/invitation/" in message.body
        assert "other.example" not in message.body
        db.session.remove()
