"""API tokens with a scope and an expiry; Bearer tokens for the exports and the training
feed (and nowhere else outside the API); calendar feed tokens stored as digests."""
import hashlib
from datetime import timedelta

from sqlalchemy import select

from trainings.auth import services
from trainings.auth.models import ApiToken
from trainings.db import utcnow
from trainings.extensions import db


def _bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_an_expired_or_revoked_token_is_401(client, make):
    user = make.user("organiser")
    token = services.issue_token(user, "x", expires_days=1)
    db.session.commit()
    assert client.get("/api/v1/trainings", headers=_bearer(token)).status_code == 200
    stored = db.session.scalar(select(ApiToken))
    assert timedelta(hours=23) < stored.expires_at - utcnow() <= timedelta(days=1)
    stored.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = client.get("/api/v1/trainings", headers=_bearer(token))
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "unauthorized"


def test_every_token_expires(app, make):
    token = services.issue_token(make.user(), "default")
    stored = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == services.digest(token)))
    assert stored.expires_at - utcnow() > timedelta(days=89)
    for days in (0, -1, 4000):
        try:
            services.issue_token(make.user(), "bad", expires_days=days)
        except services.accounts.ValidationError as error:
            assert error.field == "expires_days"
        else:
            raise AssertionError(days)


def test_a_read_token_reads_and_gets_403_on_any_state_change(client, make):
    organiser = make.user("organiser")
    read = services.issue_token(organiser, "notebook", scope="read")
    write = services.issue_token(organiser, "script", scope="write")
    db.session.commit()
    training = make.training(organiser=organiser, sessions=1)
    assert client.get("/api/v1/trainings", headers=_bearer(read)).status_code == 200
    for method, path in (("post", "/api/v1/trainings"),
                         ("put", f"/api/v1/sessions/{training.sessions[0].id}/attendance"),
                         ("patch", f"/api/v1/trainings/{training.id}"),
                         ("delete", f"/api/v1/trainings/{training.id}/staff/1")):
        response = getattr(client, method)(path, headers=_bearer(read), json={})
        assert response.status_code == 403, method
        assert response.get_json()["error"]["code"] == "insufficient_scope"
    allowed = client.post("/api/v1/trainings", headers=_bearer(write), json={})
    assert allowed.status_code == 422  # past authentication: the body is checked


def test_cli_token_with_scope_and_expiry(runner, client, make):
    make.user("organiser", email="org@example.org")
    result = runner.invoke(args=["users", "token", "org@example.org", "--scope", "read",
                                 "--expires-days", "7"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    stored = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == services.digest(token)))
    assert stored.scope == "read"
    assert timedelta(days=6) < stored.expires_at - utcnow() <= timedelta(days=7)
    assert client.post("/api/v1/trainings", headers=_bearer(token), json={}).status_code == 403
    bad = runner.invoke(args=["users", "token", "org@example.org", "--scope", "admin"])
    assert bad.exit_code != 0


def test_the_profile_form_sets_scope_and_expiry(client, make, login):
    user = make.user()
    login(user)
    page = client.post("/profile/tokens", data={"token-name": "sheet", "token-scope": "read",
                                                "token-expires_days": "30"})
    assert page.status_code == 200
    stored = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert stored.scope == "read"
    assert timedelta(days=29) < stored.expires_at - utcnow() <= timedelta(days=30)
    assert "Read only" in client.get("/profile").get_data(as_text=True)


def test_exports_and_the_training_feed_answer_to_a_bearer_token(client, make):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser, sessions=1)
    make.enrolment(training, name="Ayu Lestari")
    token = services.issue_token(organiser, "notebook", scope="read")
    db.session.commit()
    for path in (f"/trainings/{training.id}/enrolments.csv",
                 f"/trainings/{training.id}/enrolments.xlsx",
                 f"/trainings/{training.id}/attendance.csv",
                 f"/trainings/{training.id}/attendance.xlsx",
                 f"/trainings/{training.id}/calendar.ics"):
        response = client.get(path, headers=_bearer(token))
        assert response.status_code == 200, path
        assert "Set-Cookie" not in response.headers  # no session is opened
        assert client.get(path).status_code == 302  # without a token: the login page, as before
        assert client.get(path, headers=_bearer("anyam_wrong")).status_code == 401
    csv = client.get(f"/trainings/{training.id}/enrolments.csv", headers=_bearer(token))
    assert "Ayu Lestari" in csv.get_data(as_text=True)


def test_a_bearer_token_opens_no_page_and_changes_nothing_outside_the_api(client, make):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser, sessions=1)
    token = services.issue_token(organiser, "script", scope="write")
    db.session.commit()
    assert client.get("/trainings", headers=_bearer(token)).status_code == 302
    assert client.get("/profile", headers=_bearer(token)).status_code == 302
    response = client.post(f"/trainings/{training.id}/edit", headers=_bearer(token),
                           data={"title_en": "Changed"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_an_expired_token_opens_no_export(client, make):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser)
    token = services.issue_token(organiser, "old")
    db.session.scalar(select(ApiToken)).expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert client.get(f"/trainings/{training.id}/enrolments.csv",
                      headers=_bearer(token)).status_code == 401


def test_calendar_feed_tokens_are_stored_as_digests(client, make):
    user = make.user()
    token = services.issue_calendar_token(user)
    db.session.commit()
    assert user.calendar_token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in (user.calendar_feed_nonce or "")
    assert services.calendar_feed_token(user) == token  # the page can show the link again
    assert client.get(f"/me/calendar.ics?token={token}").status_code == 200
    services.revoke_calendar_token(user)
    db.session.commit()
    assert client.get(f"/me/calendar.ics?token={token}").status_code == 404
