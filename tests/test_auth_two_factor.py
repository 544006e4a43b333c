"""Two-factor login (TOTP) for staff: set-up on the profile, the second login step,
recovery codes, and the requirement for admins."""
import re
import time

import pyotp
from sqlalchemy import func, select

from trainings.auth.models import RecoveryCode
from trainings.auth.services.two_factor import stored_secret
from trainings.extensions import db

from .factories import PASSWORD


def _set_up(client):
    page = client.post("/profile/two-factor", data={"action": "start", "check-password": PASSWORD})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'src="data:image/svg+xml;base64,' in html
    secret = re.search(r'<code class="token">([A-Z2-7]+)</code>', html).group(1)
    done = client.post("/profile/two-factor", data={
        "action": "confirm", "confirm-code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([0-9a-f]{5}-[0-9a-f]{5})</code></li>", done.get_data(as_text=True))
    return secret, codes


def _password_step(client, user):
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return response.headers["Location"]


def test_set_up_then_log_in_with_a_code_used_once(app, make, login):
    user = make.user("organiser")
    client = login(user)
    secret, codes = _set_up(client)
    assert len(codes) == 10
    db.session.expire_all()
    assert secret not in user.totp_secret  # stored encrypted
    assert stored_secret(user) == secret
    stored = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert not set(codes) & set(stored)  # digests only

    browser = app.test_client()
    assert _password_step(browser, user) == "/login/code"
    assert browser.get("/profile").status_code == 302  # the password alone is not a login
    assert browser.post("/login/code", data={"code": "000000"}).status_code == 422
    # a fresh code from the next time step (the set-up used the current one)
    code = pyotp.TOTP(secret).at(time.time() + 30)
    assert browser.post("/login/code", data={"code": code}).status_code == 302
    assert browser.get("/profile").status_code == 200

    replay = app.test_client()
    _password_step(replay, user)
    assert replay.post("/login/code", data={"code": code}).status_code == 422  # used already


def test_a_recovery_code_works_once(app, make, login):
    user = make.user("facilitator")
    _secret, codes = _set_up(login(user))
    first = app.test_client()
    _password_step(first, user)
    assert first.post("/login/code", data={"code": codes[0].upper()}).status_code == 302
    second = app.test_client()
    _password_step(second, user)
    assert second.post("/login/code", data={"code": codes[0]}).status_code == 422
    assert db.session.scalar(select(func.count()).select_from(RecoveryCode)
                             .where(RecoveryCode.used_at.is_not(None))) == 1


def test_set_up_needs_the_password_and_turning_off_too(app, make, login):
    user = make.user("organiser")
    client = login(user)
    wrong = client.post("/profile/two-factor", data={"action": "start", "check-password": "nope-nope-nope"})
    assert wrong.status_code == 422
    _set_up(client)
    assert client.post("/profile/two-factor", data={
        "action": "disable", "check-password": "nope-nope-nope"}).status_code == 422
    db.session.expire_all()
    assert user.totp_secret
    assert client.post("/profile/two-factor", data={
        "action": "disable", "check-password": PASSWORD}).status_code == 302
    db.session.expire_all()
    assert user.totp_secret is None
    assert _password_step(app.test_client(), user) == "/"


def test_admins_must_set_it_up_first_when_required(app, make, login):
    app.config["REQUIRE_2FA_FOR_ADMINS"] = True
    admin, organiser = make.user("admin"), make.user("organiser")
    client = login(admin)
    response = client.get("/trainings")
    assert response.status_code == 302 and response.headers["Location"] == "/profile/two-factor"
    _set_up(client)
    assert client.get("/trainings").status_code == 200
    other = app.test_client()
    other.post("/login", data={"email": organiser.email, "password": PASSWORD})
    assert other.get("/trainings").status_code == 200  # only admins


def test_participants_have_no_two_factor_page(client, make, login):
    login(make.user())
    assert client.get("/profile/two-factor").status_code == 302


def test_the_cli_resets_two_factor_and_ends_sessions(app, make, login, runner):
    user = make.user("organiser")
    client = login(user)
    _set_up(client)
    result = runner.invoke(args=["users", "reset-2fa", user.email])
    assert result.exit_code == 0, result.output
    assert client.get("/profile").status_code == 302  # logged out
    db.session.expire_all()
    assert user.totp_secret is None
    assert db.session.scalar(select(func.count()).select_from(RecoveryCode)) == 0
    assert _password_step(app.test_client(), user) == "/"  # the password alone again
    assert runner.invoke(args=["users", "reset-2fa", "ghost@example.org"]).exit_code != 0


def test_the_cli_logs_a_person_out_everywhere(app, make, login, runner):
    user = make.user()
    client = login(user)
    assert runner.invoke(args=["users", "logout", user.email]).exit_code == 0
    assert client.get("/profile").status_code == 302


def test_after_a_secret_key_change_only_a_recovery_code_opens(app, make, login):
    user = make.user("organiser")
    secret, codes = _set_up(login(user))
    app.config["SECRET_KEY"] = "another-secret-key-for-this-test"
    browser = app.test_client()
    _password_step(browser, user)
    code = pyotp.TOTP(secret).at(time.time() + 30)
    assert browser.post("/login/code", data={"code": code}).status_code == 422
    assert browser.post("/login/code", data={"code": codes[1]}).status_code == 302


def test_the_secret_between_the_set_up_steps_is_not_readable_in_the_cookie(app, make, login):
    import base64
    import zlib
    user = make.user("organiser")
    client = login(user)
    html = client.post("/profile/two-factor", data={"action": "start",
                                                    "check-password": PASSWORD}).get_data(as_text=True)
    secret = re.search(r'<code class="token">([A-Z2-7]+)</code>', html).group(1)
    cookie = client.get_cookie("session").value
    payload = cookie.lstrip(".").split(".")[0]
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    data = zlib.decompress(raw) if cookie.startswith(".") else raw
    assert secret.encode() not in data


def test_wrong_codes_count_towards_the_lockout(app, make, login):
    app.config["LOGIN_LOCKOUT_THRESHOLD"] = 3
    user = make.user("organiser")
    secret, _codes = _set_up(login(user))
    browser = app.test_client()
    _password_step(browser, user)
    for _n in range(3):
        assert browser.post("/login/code", data={"code": "000000"}).status_code == 422
    locked = browser.post("/login/code", data={"code": pyotp.TOTP(secret).at(time.time() + 30)})
    assert locked.status_code == 302 and locked.headers["Location"] == "/login"
    assert browser.get("/profile").status_code == 302
    db.session.expire_all()
    assert user.locked_until is not None


def test_pages_with_secrets_are_not_cached(client, make, login):
    login(make.user("organiser"))
    page = client.post("/profile/two-factor", data={"action": "start", "check-password": PASSWORD})
    assert page.headers["Cache-Control"] == "no-store"
    token_page = client.post("/profile/tokens", data={"token-name": "x", "token-scope": "read",
                                                      "token-expires_days": "30"})
    assert token_page.headers["Cache-Control"] == "no-store"


def test_the_api_refuses_admins_without_two_factor_when_required(app, make, login, api):
    app.config["REQUIRE_2FA_FOR_ADMINS"] = True
    admin = make.user("admin")
    calls = api(admin)
    refused = calls.get("/api/v1/trainings")
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "two_factor_required"
    _set_up(login(admin))
    assert calls.get("/api/v1/trainings").status_code == 200
    assert api(make.user("organiser")).get("/api/v1/trainings").status_code == 200
