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


def _open(app, interface, cookie):
    with app.test_request_context("/", headers={"Cookie": f"{app.config['SESSION_COOKIE_NAME']}={cookie}"}):
        from flask import request
        return interface.open_session(app, request)


def test_an_opened_cookie_is_kept_and_each_request_gets_its_own_session(app):
    interface = app.session_interface
    data = {"_user_id": "1:3", "lang": "id", "seen_at": 1.5, "kept": False}
    cookie = _sign(app, interface, data)
    first = _open(app, interface, cookie)
    assert first == data and cookie in interface._opened
    first["lang"] = "en"  # what a request changes stays in its own session
    second = _open(app, interface, cookie)
    assert second == data and second is not first and not second.modified
    assert _open(app, interface, cookie[:-2] + "xx") == {}  # a tampered cookie: a new session


def test_a_kept_cookie_still_expires_and_follows_the_secret_key(app, monkeypatch):
    import time as clock

    from trainings import web
    interface = app.session_interface
    cookie = _sign(app, interface, {"_user_id": "1:3"})
    assert _open(app, interface, cookie) == {"_user_id": "1:3"}
    lifetime = int(app.permanent_session_lifetime.total_seconds())
    now = clock.time()
    monkeypatch.setattr(web.time, "time", lambda: now + lifetime + 5)
    assert _open(app, interface, cookie) == {}  # too old, kept or not
    monkeypatch.setattr(web.time, "time", lambda: now)
    assert _open(app, interface, cookie) == {"_user_id": "1:3"}
    monkeypatch.setitem(app.config, "SECRET_KEY", "another-secret-key-for-this-test-0123456789")
    assert _open(app, interface, cookie) == {}  # another key: refused, not served from what was kept


def test_sessions_holding_lists_are_opened_every_time(app, monkeypatch):
    from trainings import web
    interface = app.session_interface
    cookie = _sign(app, interface, {"_flashes": [("info", "Halo")]})
    session = _open(app, interface, cookie)
    session["_flashes"].append(("info", "Lagi"))
    assert cookie not in interface._opened
    assert _open(app, interface, cookie) == {"_flashes": [("info", "Halo")]}
    monkeypatch.setattr(web, "OPENED_COOKIES", 2)
    for n in range(5):
        _open(app, interface, _sign(app, interface, {"n": n}))
        assert len(interface._opened) <= 2
