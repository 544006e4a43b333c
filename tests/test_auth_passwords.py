"""Passwords: the strength rule, the per-account lockout, per-client limits behind a proxy,
and the forgotten-password link."""
import re
import uuid
from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from trainings.auth import services
from trainings.auth.models import PasswordReset
from trainings.db import utcnow
from trainings.errors import ValidationError
from trainings.extensions import db
from trainings.outbox.models import OutboxMessage

from .factories import PASSWORD

STRONG = "plum orchard lantern seventy"


@pytest.mark.parametrize("password", ["aaaaaaaaaa", "password12", "1234567890", "qwertyuiop",
                                      "short", "Password2024!"])
def test_common_and_guessable_passwords_are_refused(app, make, password):
    user = make.user()
    with pytest.raises(ValidationError) as caught:
        services.check_strength(password, user)
    assert caught.value.code == "weak_password"
    assert caught.value.field == "password"


def test_the_persons_own_email_and_name_are_refused(app, make):
    user = make.user(email="siti.rahmawati@example.org", name="Siti Rahmawati")
    for password in ("siti.rahmawati@example.org", "sitirahmawati", "Siti Rahmawati 1",
                     "rahmawati2024"):
        with pytest.raises(ValidationError) as caught:
            services.check_strength(password, user)
        assert caught.value.code == "weak_password", password


def test_a_strong_passphrase_is_accepted(app, make):
    user = make.user()
    services.check_strength(STRONG, user)
    services.check_strength("Kopi susu di pagi 7 hari", user)


def test_the_refusal_says_why_in_the_persons_language(app, make):
    user = make.user()
    with force_locale("id"), pytest.raises(ValidationError) as caught:
        services.check_strength("password12", user)
    message = str(caught.value.message)
    assert "kata sandi" in message.lower()
    assert "password is" not in message


def test_a_weak_new_password_is_a_form_error_and_changes_nothing(client, make, login):
    user = make.user()
    old_hash = user.password_hash
    login(user)
    response = client.post("/profile", data={
        "action": "password", "password-current_password": PASSWORD,
        "password-new_password": "password12", "password-confirm": "password12"})
    assert response.status_code == 422
    assert 'id="password-new_password-error"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert user.password_hash == old_hash


# ------------------------------------------------------------------ lockout

def _try(client, email, password):
    return client.post("/login", data={"email": email, "password": password})


def test_an_account_locks_after_failed_logins_and_others_stay_open(app, make):
    app.config["LOGIN_LOCKOUT_THRESHOLD"] = 3
    target, bystander = make.user(), make.user()
    client = app.test_client()
    for _n in range(3):
        assert _try(client, target.email, "wrong-password-x").status_code == 422
    refused = _try(client, target.email, PASSWORD)  # the right password, but locked
    assert refused.status_code == 422
    assert "locked" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert target.locked_until > utcnow()
    assert _try(client, bystander.email, PASSWORD).status_code == 302  # not everybody

    target.locked_until = utcnow() - timedelta(seconds=1)  # the lockout is over
    db.session.commit()
    assert _try(app.test_client(), target.email, PASSWORD).status_code == 302
    db.session.expire_all()
    assert target.failed_logins == 0 and target.locked_until is None


def test_a_reset_link_still_works_for_a_locked_account_and_lifts_the_lock(app, make):
    app.config["LOGIN_LOCKOUT_THRESHOLD"] = 2
    user = make.user()
    client = app.test_client()
    for _n in range(2):
        _try(client, user.email, "wrong-password-x")
    client.post("/password/forgot", data={"email": user.email})
    link = _mailed_link(user.email)
    assert client.post(link, data={"new_password": STRONG, "confirm": STRONG}).status_code == 302
    assert _try(client, user.email, STRONG).status_code == 302


def test_login_limits_count_the_real_client_behind_the_proxy(app_factory, make):
    app = app_factory(RATELIMIT_ENABLED=True, PROXY_HOPS=1, LOGIN_RATE_LIMIT="3/minute")
    with app.app_context():
        user = make.user()
        email = user.email
    client = app.test_client()

    def post(ip):
        return client.post("/login", data={"email": email, "password": "wrong-password-x"},
                           headers={"X-Forwarded-For": ip}, environ_base={"REMOTE_ADDR": "10.0.0.1"})

    assert [post("203.0.113.5").status_code for _n in range(4)] == [422, 422, 422, 429]
    assert post("198.51.100.7").status_code == 422  # another client behind the same proxy


# ------------------------------------------------------------------ forgotten password

def _mailed_link(email):
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.to_email == email)
                                .order_by(OutboxMessage.id.desc()))
    assert message is not None and message.kind == "password_reset"
    return re.search(r"https?://[^/\s]+(/password/reset/\S+)", message.body).group(1)


def test_forgot_password_answers_the_same_for_known_and_unknown_addresses(client, make):
    user = make.user(email="known@example.org")
    known = client.post("/password/forgot", data={"email": "known@example.org"})
    unknown = client.post("/password/forgot", data={"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert known.get_data(as_text=True) == unknown.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1
    reset = db.session.scalar(select(PasswordReset))
    assert reset.user_id == user.id
    token = _mailed_link(user.email).rsplit("/", 1)[1]
    assert token not in reset.token_hash  # only the digest is stored
    assert reset.expires_at - reset.created_at == timedelta(hours=1)


def test_the_login_page_links_to_forgot_password(client):
    assert 'href="/password/forgot"' in client.get("/login").get_data(as_text=True)


def test_a_reset_link_sets_the_password_once_and_ends_every_session(app, make):
    user = make.user()
    other_device = app.test_client()
    assert _try(other_device, user.email, PASSWORD).status_code == 302
    client = app.test_client()
    client.post("/password/forgot", data={"email": user.email})
    link = _mailed_link(user.email)
    weak = client.post(link, data={"new_password": "password12", "confirm": "password12"})
    assert weak.status_code == 422  # a weak one is refused and the link stays usable
    assert client.post(link, data={"new_password": STRONG, "confirm": STRONG}).status_code == 302
    assert other_device.get("/profile").status_code == 302
    assert _try(client, user.email, STRONG).status_code == 302
    assert app.test_client().get(link).status_code == 404  # used up


def test_an_expired_reset_link_is_refused(app, make):
    user = make.user()
    client = app.test_client()
    client.post("/password/forgot", data={"email": user.email})
    link = _mailed_link(user.email)
    reset = db.session.scalar(select(PasswordReset))
    reset.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = client.post(link, data={"new_password": STRONG, "confirm": STRONG})
    assert response.status_code == 404
    assert _try(client, user.email, PASSWORD).status_code == 302  # password unchanged


def _redis_or_skip(url):
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(url, socket_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {url}")
    return client


def test_with_redis_configured_the_lockout_is_kept_there(app, make, monkeypatch):
    url = "redis://127.0.0.1:6379/15"
    store = _redis_or_skip(url)
    prefix = f"anyam-test-{uuid.uuid4().hex}"  # test runs side by side share the server
    monkeypatch.setattr("trainings.auth.services.login.REDIS_PREFIX", prefix)
    app.config.update(LOGIN_LOCKOUT_REDIS_URL=url, LOGIN_LOCKOUT_THRESHOLD=2)
    target, bystander = make.user(), make.user()
    keys = [f"{prefix}:{kind}:{target.id}" for kind in ("failed", "locked")]
    store.delete(*keys)
    try:
        client = app.test_client()
        for _n in range(2):
            assert _try(client, target.email, "wrong-password-x").status_code == 422
        assert store.exists(keys[1]) and 0 < store.ttl(keys[1]) <= 15 * 60
        assert "locked" in _try(client, target.email, PASSWORD).get_data(as_text=True)
        db.session.expire_all()
        assert target.locked_until is None  # not in the database
        assert _try(client, bystander.email, PASSWORD).status_code == 302
        store.delete(keys[1])  # the lockout is over
        assert _try(app.test_client(), target.email, PASSWORD).status_code == 302
        assert not store.exists(*keys)
    finally:
        store.delete(*keys)


def test_an_invitation_refuses_the_persons_organisation_as_password(app, make):
    from trainings.enrolment.services import accept_invitation, create_invitation
    user = make.user(password=None)
    training = make.training(organiser=make.user("organiser"))
    make.enrolment(training, user=user, organisation="Solidaritas Perempuan Kinasih")
    token = create_invitation(user)
    db.session.commit()
    with pytest.raises(ValidationError) as caught:
        accept_invitation(token, "Solidaritas Perempuan Kinasih")
    assert caught.value.code == "weak_password"
    db.session.rollback()
    accept_invitation(token, STRONG)
    assert user.check_password(STRONG)


def test_reset_mails_to_one_account_are_capped_per_hour(client, make):
    user = make.user()
    pages = {client.post("/password/forgot", data={"email": user.email}).get_data(as_text=True)
             for _n in range(5)}
    assert len(pages) == 1  # the same answer every time
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 3


def test_authenticate_counts_failures_and_raises_when_locked(app, make):
    from trainings.auth.services.login import LockedOut
    app.config["LOGIN_LOCKOUT_THRESHOLD"] = 2
    user = make.user()
    assert services.authenticate(user.email, "wrong-password-x") is None
    assert user.failed_logins == 1 and not services.is_locked(user)
    assert services.authenticate(user.email, "wrong-password-x") is None
    assert services.is_locked(user) and user.failed_logins == 0
    with pytest.raises(LockedOut):
        services.authenticate(user.email, PASSWORD)
    services.set_password(user, STRONG)  # a new password (the reset link) lifts the lock
    assert not services.is_locked(user)
    assert services.authenticate(user.email, STRONG) is user


def test_end_all_sessions_moves_the_login_id(app, make):
    user = make.user()
    before = user.get_id()
    services.end_all_sessions(user)
    assert user.get_id() != before and user.get_id().startswith(f"{user.id}:")
