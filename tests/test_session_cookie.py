"""The session cookie's serializer is built once per secret key (web.KeptSerializerSessionInterface):
the cookie is Flask's own, checked the same way; a new secret key is used at once."""
from __future__ import annotations

from flask.sessions import SecureCookieSessionInterface

from trainings.web import KeptSerializerSessionInterface


def _sign(app, interface, data):
    return interface.get_signing_serializer(app).dumps(data)


def _read(app, interface, cookie):
    try:
        return interface.get_signing_serializer(app).loads(cookie)
    except Exception:  # noqa: BLE001 - a refused cookie
        return None


def test_cookie_is_flasks_own_both_ways(app):
    ours, flasks = app.session_interface, SecureCookieSessionInterface()
    assert isinstance(ours, KeptSerializerSessionInterface)
    data = {"_user_id": "1:3", "lang": "id", "_flashes": [("info", "Halo")]}
    assert _read(app, flasks, _sign(app, ours, data)) == data
    assert _read(app, ours, _sign(app, flasks, data)) == data
    tampered = _sign(app, ours, data)[:-2] + "xx"
    assert _read(app, ours, tampered) is None


def test_a_new_secret_key_is_used_at_once_and_fallbacks_still_read(app, monkeypatch):
    ours, first_key = app.session_interface, app.secret_key
    old = _sign(app, ours, {"a": 1})
    monkeypatch.setitem(app.config, "SECRET_KEY", "another-secret-key-for-this-test-0123456789")
    assert _read(app, ours, old) is None  # not served by the serializer kept for the old key
    new = _sign(app, ours, {"b": 2})
    assert _read(app, SecureCookieSessionInterface(), new) == {"b": 2}
    monkeypatch.setitem(app.config, "SECRET_KEY_FALLBACKS", [first_key])
    assert _read(app, ours, old) == {"a": 1}  # the previous key as a fallback
    assert _read(app, ours, new) == {"b": 2}


def test_login_session_round_trip(client, make, login):
    user = make.user("participant")
    login(user)
    assert client.get("/me/schedule").status_code == 200
