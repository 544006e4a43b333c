"""Per-row links (``web.id_url``) are url_for's answer for that row, under any mount point and
host: one url_for per endpoint and (script root, host), joined with each row's id."""
from __future__ import annotations

import re

import pytest
from flask import url_for

from trainings import web

ROW_ENDPOINTS = [("scheduling.detail", "training_id"), ("enrolment.application_status", "training_id"),
                 ("evaluation.answer", "survey_id"), ("attendance.roll_call", "session_id"),
                 ("attendance.import_report", "session_id")]


def _links_plain_and_mounted(client, path: str) -> tuple[set[str], set[str]]:
    """The page's links at the root and under SCRIPT_NAME /anyam."""
    pages = (client.get(path), client.get(path, environ_overrides={"SCRIPT_NAME": "/anyam"}))
    return tuple(set(re.findall(r'href="([^"]+)"', p.get_data(as_text=True))) for p in pages)


def test_id_url_matches_url_for_per_id_script_root_and_host(app):
    assert not app.url_default_functions and not app.url_value_preprocessors  # what the cache relies on
    for base in ("http://localhost/", "http://localhost/anyam/", "http://127.0.0.1/x/"):
        for _round in range(2):  # the second round is served from the cache
            for endpoint, name in ROW_ENDPOINTS:
                for ident in (1, 42, 1234567, 42):
                    with app.test_request_context("/", base_url=base):
                        assert web.id_url(endpoint, **{name: ident}) == url_for(endpoint, **{name: ident})
                        assert web.id_url(endpoint, **{name: ident}).startswith(
                            base[base.index("/", len("http://")):])
            with app.test_request_context("/", base_url=base):
                assert web.id_url("overview.my_schedule") == url_for("overview.my_schedule")


def test_id_url_refuses_what_it_cannot_cache(app):
    with app.test_request_context("/"):
        with pytest.raises(ValueError):
            web.id_url(".detail", training_id=1)  # relative to the request's blueprint
        with pytest.raises(ValueError):
            web.id_url("modules.detail", slug="a", version=1)
        with pytest.raises(ValueError):
            web.id_url("scheduling.detail", training_id="1/../x")  # ids only


def test_my_schedule_row_links_follow_the_mount_point(app, make, client, login):
    participant = make.user("participant")
    first = make.training(sessions=2, first_start=make.in_days(3))
    second = make.training(sessions=1, first_start=make.in_days(4))
    for training in (first, second):
        make.enrolment(training, user=participant)
    login(participant)
    plain, mounted = _links_plain_and_mounted(client, "/me/schedule")
    for training in (first, second):
        assert f"/trainings/{training.id}" in plain
        assert f"/anyam/trainings/{training.id}" in mounted
        assert f"/trainings/{training.id}" not in mounted


def test_training_page_session_links_follow_the_mount_point(app, make, client, login):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser, sessions=2)
    login(organiser)
    plain, mounted = _links_plain_and_mounted(client, f"/trainings/{training.id}")
    for session in training.sessions:
        for endpoint in ("attendance.roll_call", "attendance.import_report"):
            with app.test_request_context("/"):
                path = url_for(endpoint, session_id=session.id)
            assert path in plain and f"/anyam{path}" in mounted and path not in mounted


def _url_for_calls(app, monkeypatch, client, path: str) -> list[str]:
    calls = []
    original = app.url_for

    def counting(*args, **kwargs):
        calls.append(args[0] if args else kwargs.get("endpoint"))
        return original(*args, **kwargs)
    monkeypatch.setattr(app, "url_for", counting)  # flask.url_for calls current_app.url_for
    monkeypatch.setitem(app.jinja_env.globals, "url_for", counting)
    try:
        response = client.get(path)
        assert response.status_code == 200
    finally:
        monkeypatch.undo()
    return calls


def test_url_for_calls_do_not_grow_with_the_rows(app, make, client, login, monkeypatch):
    """My schedule and the training page: url_for once per endpoint, not once per session."""
    organiser, participant = make.user("organiser"), make.user("participant")
    few = make.training(organiser=organiser, sessions=1, first_start=make.in_days(3))
    many = make.training(organiser=organiser, sessions=6, first_start=make.in_days(3))
    login(organiser)
    for training in (few, many):  # warm: the per-process cache filled
        client.get(f"/trainings/{training.id}")
    assert (len(_url_for_calls(app, monkeypatch, client, f"/trainings/{few.id}"))
            == len(_url_for_calls(app, monkeypatch, client, f"/trainings/{many.id}")))
    client.post("/logout")
    enrolment = make.enrolment(few, user=participant)
    login(participant)
    client.get("/me/schedule")
    one = _url_for_calls(app, monkeypatch, client, "/me/schedule")
    from trainings.extensions import db
    db.session.delete(enrolment)
    db.session.commit()
    make.enrolment(many, user=participant)
    six = _url_for_calls(app, monkeypatch, client, "/me/schedule")
    assert len(one) == len(six) and one
    layout = {"static", "core.index", "core.set_language", "auth.profile", "auth.logout"}
    assert not layout & set(six)  # the base layout's links come from the cache too


def test_the_layout_links_follow_the_mount_point(app, make, client, login):
    """The base layout's files and account links (web.static_url, web.id_url) under /anyam."""
    login(make.user("participant"))
    for _round in range(2):  # the second round is served from the cache
        plain, mounted = _links_plain_and_mounted(client, "/profile")
        for base, links in (("", plain), ("/anyam", mounted)):
            with app.test_request_context("/", base_url=f"http://localhost{base}/"):
                expected = {url_for("static", filename="css/anyam.css"), url_for("core.index"),
                            url_for("auth.profile"), url_for("static", filename="favicon.svg")}
                assert web.static_url("js/anyam.js") == url_for("static", filename="js/anyam.js")
                assert web.id_url("auth.logout") == url_for("auth.logout")
            assert expected <= links
            assert all(u.startswith(base + "/") for u in expected)


def test_url_cache_stays_bounded_whatever_hosts_clients_send(app, monkeypatch):
    """With TRUSTED_HOSTS empty (PUBLIC_BASE_URL set) the client chooses the Host header:
    the cache keyed by it must not grow without end."""
    monkeypatch.setattr(web, "URL_CACHE_ENTRIES", 50)
    monkeypatch.setitem(app.config, "TRUSTED_HOSTS", None)
    for n in range(200):
        with app.test_request_context("/", base_url=f"http://host{n}.example/"):
            assert web.id_url("scheduling.detail", training_id=n) == url_for(
                "scheduling.detail", training_id=n)
            assert web.static_url("css/anyam.css") == url_for("static", filename="css/anyam.css")
    assert len(app.extensions["anyam.urls"]) <= 52
