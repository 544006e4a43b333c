"""Login, logout, CSRF, safe redirects, API tokens."""
import hashlib

import pytest
from sqlalchemy import select

from trainings.auth.models import ApiToken
from trainings.auth.services import (
    change_password,
    is_safe_next,
    issue_token,
    revoke_token,
    update_profile,
)
from trainings.errors import NotFound, ValidationError
from trainings.extensions import db


def test_login_with_right_password_and_refusal_with_wrong(client, make):
    user = make.user(email="dewi@example.org")
    bad = client.post("/login", data={"email": "dewi@example.org", "password": "wrong-password"})
    assert bad.status_code == 422
    assert "The email or the password is wrong." in bad.get_data(as_text=True)
    unknown = client.post("/login", data={"email": "nobody@example.org", "password": "x" * 12})
    assert "The email or the password is wrong." in unknown.get_data(as_text=True)

    good = client.post("/login", data={"email": "DEWI@example.org", "password": "correct-horse-battery"})
    assert good.status_code == 302
    assert client.get("/trainings").status_code == 200
    assert user.last_login_at is not None


def test_pages_need_login(client):
    response = client.get("/trainings")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_session_is_renewed_at_login(client, make):
    user = make.user()
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
        session["lang"] = "id"
    client.post("/login", data={"email": user.email, "password": "correct-horse-battery"})
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session.get("lang") == "id"  # the visitor's language choice survives
        assert session["_user_id"] == str(user.id)


def test_logout_is_a_post_with_csrf(app_factory, make):
    app = app_factory(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    with app.app_context():
        user = make.user()
        email = user.email
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    assert client.post("/login", data={"email": email, "password": "correct-horse-battery",
                                       "csrf_token": token}).status_code == 302
    assert client.get("/logout").status_code == 405
    client.post("/logout")  # no token: refused, still logged in
    assert client.get("/trainings").status_code == 200
    page = client.get("/trainings").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    client.post("/logout", data={"csrf_token": token})
    assert client.get("/trainings").status_code == 302


def test_state_changes_without_csrf_token_are_refused(app_factory, make):
    app = app_factory(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    with app.app_context():
        user = make.user()
        email = user.email
    response = client.post("/login", data={"email": email, "password": "correct-horse-battery"})
    assert response.status_code == 400
    with client.session_transaction() as session:
        assert "_user_id" not in session


@pytest.mark.parametrize("target", ["//evil.example", "/\\evil.example", "https:evil.example",
                                    "http://evil.example/", "javascript:alert(1)", "evil.example",
                                    "\\\\evil.example", " //evil.example", "/ok\r\nSet-Cookie: x=1"])
def test_next_never_leaves_the_site(client, make, target):
    user = make.user()
    response = client.post("/login", data={"email": user.email, "password": "correct-horse-battery",
                                           "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/" or response.headers["Location"].startswith("/trainings")
    assert not is_safe_next(target)


def test_next_goes_to_a_local_page(client, make):
    user = make.user()
    response = client.post("/login", data={"email": user.email, "password": "correct-horse-battery",
                                           "next": "/profile?tab=tokens"})
    assert response.headers["Location"] == "/profile?tab=tokens"


def test_tokens_are_stored_hashed_and_work_until_revoked(client, make, login):
    user = make.user()
    token = issue_token(user, "crm")
    db.session.commit()
    stored = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in (stored.token_hash, stored.prefix)

    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/trainings", headers=headers).status_code == 200

    login(user)
    client.post(f"/profile/tokens/{stored.id}/revoke")
    assert client.get("/api/v1/trainings", headers=headers).status_code == 401


def test_profile_page_creates_a_token_shown_once(client, make, login):
    user = make.user()
    login(user)
    page = client.post("/profile/tokens", data={"token-name": "notebook"}).get_data(as_text=True)
    token = page.split('id="new-token">')[1].split("<")[0]
    assert token.startswith("anyam_")
    assert client.get("/api/v1/trainings",
                      headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert token not in client.get("/profile").get_data(as_text=True)


def test_profile_updates_language_and_zone_and_refuses_unknown_zone(client, make, login):
    user = make.user(language="en", timezone="Asia/Jakarta")
    login(user)
    bad = client.post("/profile", data={"action": "profile", "profile-name": "Siti",
                                        "profile-language": "id", "profile-timezone": "Mars/Base"})
    assert bad.status_code == 422
    assert "Choose a valid time zone." in bad.get_data(as_text=True)
    assert user.timezone == "Asia/Jakarta"
    ok = client.post("/profile", data={"action": "profile", "profile-name": "Siti",
                                       "profile-language": "id", "profile-timezone": "Asia/Karachi"})
    assert ok.status_code == 302
    db.session.refresh(user)
    assert (user.name, user.language, user.timezone) == ("Siti", "id", "Asia/Karachi")


def test_password_change_needs_the_current_password(client, make, login):
    user = make.user()
    login(user)
    wrong = client.post("/profile", data={"action": "password", "password-current_password": "nope",
                                          "password-new_password": "a-new-long-password",
                                          "password-confirm": "a-new-long-password"})
    assert wrong.status_code == 422
    right = client.post("/profile", data={"action": "password",
                                          "password-current_password": "correct-horse-battery",
                                          "password-new_password": "a-new-long-password",
                                          "password-confirm": "a-new-long-password"})
    assert right.status_code == 302
    db.session.refresh(user)
    assert user.check_password("a-new-long-password")


def test_profile_and_password_services_refuse_bad_input_and_write_nothing(app, make):
    user = make.user(name="Dewi", language="en", timezone="Asia/Jakarta")
    with pytest.raises(ValidationError) as error:
        update_profile(user, name="  ", language="id", timezone="Asia/Karachi", actor=user)
    assert error.value.field == "name"
    with pytest.raises(ValidationError) as error:
        update_profile(user, name="Dewi", language="id", timezone="Mars/Base", actor=user)
    assert error.value.field == "timezone"
    db.session.rollback()
    assert (user.name, user.timezone) == ("Dewi", "Asia/Jakarta")
    update_profile(user, name=" Dewi S. ", language="id", timezone="Asia/Karachi", actor=user)
    assert (user.name, user.language, user.timezone) == ("Dewi S.", "id", "Asia/Karachi")

    with pytest.raises(ValidationError) as error:
        change_password(user, current="wrong", new="a-new-long-password", actor=user)
    assert error.value.field == "current_password"
    with pytest.raises(ValidationError) as error:
        change_password(user, current="correct-horse-battery", new="short", actor=user)
    assert error.value.field == "password"
    change_password(user, current="correct-horse-battery", new="a-new-long-password", actor=user)
    assert user.check_password("a-new-long-password")


def test_a_token_of_someone_else_cannot_be_revoked(client, make, login):
    owner, other = make.user(), make.user()
    issue_token(owner, "crm")
    db.session.commit()
    stored = db.session.scalar(select(ApiToken).where(ApiToken.user_id == owner.id))
    with pytest.raises(NotFound):
        revoke_token(other, stored.id)
    login(other)
    assert client.post(f"/profile/tokens/{stored.id}/revoke").status_code == 404
    db.session.refresh(stored)
    assert stored.revoked_at is None


def test_the_login_greeting_is_in_the_persons_language(client, make):
    person = make.user("participant", language="id", name="Siti")
    from tests.factories import PASSWORD
    response = client.post("/login", data={"email": person.email, "password": PASSWORD},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"], follow_redirects=True).get_data(as_text=True)
    assert "Selamat datang, Siti." in page
