"""The base layout's ``{% fragment %}`` blocks (trainings/web.py LayoutFragments) are rendered
once per their keys, the language, script root and host, and are what the layout renders
without them for every viewer; the layout's CSRF token is Flask-WTF's."""
from __future__ import annotations

import re

import pytest
from flask import g, session
from flask_wtf.csrf import generate_csrf, validate_csrf
from itsdangerous import TimestampSigner

from trainings.web import csrf_token

from . import factories

TOKEN = re.compile(r'name="csrf_token" value="[^"]+"')


def _page(client, path="/me/schedule", **kwargs) -> str:
    response = client.get(path, **kwargs)
    assert response.status_code == 200
    return TOKEN.sub('name="csrf_token" value="-"', response.get_data(as_text=True))


def _uncached(app, client, path="/me/schedule", **kwargs) -> str:
    """The same page with every fragment rendered (as with template auto-reload)."""
    app.jinja_env.auto_reload = True
    try:
        return _page(client, path, **kwargs)
    finally:
        app.jinja_env.auto_reload = False


def _signed_in(app, user):
    """A browser of its own, logged in through the form (the login's page already seen)."""
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD},
                           follow_redirects=True)
    assert response.status_code == 200 and f"{user.name}." in response.get_data(as_text=True)
    return client


def _nav(html: str) -> list[str]:
    return re.findall(r'<li><a href="[^"]+"[^>]*>[^<]+</a></li>', html)


def test_kept_fragments_are_the_layout_each_viewer_gets_without_them(app, make):
    app.extensions.pop("anyam.fragments", None)
    viewers = [make.user("participant"), make.user("organiser", language="id"),
               make.user("facilitator"), make.user("admin")]
    clients = {user.id: _signed_in(app, user) for user in viewers}
    for _round in range(2):  # the second round is served from the kept fragments
        for user in viewers:
            client = clients[user.id]
            for path in ("/me/schedule", "/trainings", "/profile"):
                for base in ("http://localhost/", "http://localhost/anyam/"):
                    kept = _page(client, path, base_url=base)
                    assert kept == _uncached(app, client, path, base_url=base)
                    assert f"({user.name})" in kept
        for base in ("http://localhost/", "http://127.0.0.1/", "http://127.0.0.1/anyam/"):
            anonymous = app.test_client()
            assert _page(anonymous, "/hubs", base_url=base) == _uncached(
                app, anonymous, "/hubs", base_url=base)
    assert app.extensions["anyam.fragments"]  # they were kept and used


def test_the_navigation_follows_role_page_language_and_mount_point(app, make):
    participant = _signed_in(app, make.user("participant"))
    organiser = _signed_in(app, make.user("organiser"))
    indonesian = _signed_in(app, make.user("participant", language="id"))
    html = _page(organiser, "/trainings")
    assert any("Needs attention" in item for item in _nav(html))
    assert '<a href="/trainings" aria-current="page">Trainings</a>' in html
    html = _page(participant, "/trainings")  # same page and language, another role
    assert not any("Needs attention" in item for item in _nav(html))
    assert '<a href="/me/trainings">My trainings</a>' in html
    html = _page(participant, "/me/schedule")  # another page: another current item
    assert '<a href="/me/schedule" aria-current="page">My schedule</a>' in html
    assert '<a href="/trainings">Trainings</a>' in html
    html = _page(indonesian, "/me/schedule")  # another language
    assert '<html lang="id">' in html and "Trainings</a>" not in html
    assert 'lang="id" selected' in html and "Langsung ke konten utama" in html
    html = _page(participant, "/me/schedule", base_url="http://localhost/anyam/")
    assert 'href="/anyam/me/schedule" aria-current="page"' in html
    assert 'href="/anyam/static/css/anyam.css"' in html and 'action="/anyam/language"' in html
    anonymous = _page(app.test_client(), "/hubs")
    assert 'href="/login"' in anonymous and "Log out" not in anonymous
    assert '<a href="/hubs" aria-current="page">' in anonymous


def test_the_kept_fragments_are_bounded(app, monkeypatch):
    """The key holds the Host header, which a client chooses when TRUSTED_HOSTS is empty."""
    from trainings import web
    monkeypatch.setattr(web, "FRAGMENT_CACHE_ENTRIES", 3)
    app.extensions.pop("anyam.fragments", None)
    client = app.test_client()
    for host in ("localhost", "127.0.0.1", "localhost", "127.0.0.1", "localhost"):
        html = _page(client, "/hubs", base_url=f"http://{host}/")
        assert html == _uncached(app, client, "/hubs", base_url=f"http://{host}/")
        assert len(app.extensions["anyam.fragments"]) <= 3


def test_the_layout_token_is_flask_wtfs_and_every_form_gets_the_same(app, make, monkeypatch):
    client = _signed_in(app, make.user("participant"))
    page = client.get("/profile").get_data(as_text=True)
    tokens = set(re.findall(r'name="csrf_token"[^>]*value="([^"]+)"', page)) | set(
        re.findall(r'value="([^"]+)"[^>]*name="csrf_token"', page))
    assert len(tokens) == 1  # the layout's two forms and the profile's own
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: 1_800_000_000)
    g.pop("csrf_token", None)  # the tests' app context outlives the request above
    with app.test_request_context("/"):
        session["csrf_token"] = "0123456789abcdef" * 2 + "01234567"
        ours = csrf_token()
        assert csrf_token() == ours == g.csrf_token
        del g.csrf_token
        assert generate_csrf() == ours  # Flask-WTF signs the same token
    with app.test_request_context("/"):
        session["csrf_token"] = "0123456789abcdef" * 2 + "01234567"
        validate_csrf(ours)  # and accepts it (raises otherwise)
        del g.csrf_token
        assert csrf_token() == ours  # the raw token's kept encoding, signed again
    g.pop("csrf_token", None)
    with app.test_request_context("/"):
        assert csrf_token() and len(session["csrf_token"]) == 40  # a new session's own raw token


@pytest.mark.parametrize("with_token", [True, False])
def test_a_state_change_needs_the_layouts_token(app, make, with_token):
    client = _signed_in(app, make.user("participant"))
    app.config["WTF_CSRF_ENABLED"] = True  # (the fixture restores the tests' setting)
    page = client.get("/me/schedule").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    data = {"lang": "id", "next": "/me/schedule", **({"csrf_token": token} if with_token else {})}
    response = client.post("/language", data=data)
    if with_token:
        assert response.status_code == 302
        assert '<html lang="id">' in client.get("/me/schedule").get_data(as_text=True)
    else:
        assert response.status_code == 400
        assert '<html lang="en">' in client.get("/me/schedule").get_data(as_text=True)
