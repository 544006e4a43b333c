"""The navigation's URLs are built once per process and (script root, host): never another
training's, another mount point's or another host's."""
from __future__ import annotations

import re

from flask import url_for
from flask_login import login_user

from trainings import core
from trainings.policy import can


def _links(html: str) -> set[str]:
    return set(re.findall(r'href="([^"]+)"', html))


def test_nav_urls_match_url_for_per_training_and_script_root(app, make):
    organiser = make.user("organiser")
    first = make.training(organiser=organiser, sessions=0)
    second = make.training(organiser=organiser, sessions=0)
    assert not app.url_default_functions and not app.url_value_preprocessors  # what the cache relies on
    for base in ("http://localhost/", "http://localhost/anyam/", "http://localhost/x/"):
        for _round in range(2):  # the second round is served from the cache
            for training in (first, second, first):
                with app.test_request_context(f"/trainings/{training.id}", base_url=base):
                    login_user(organiser)
                    shown = {item["url"] for item in core.training_nav(training)}
                    expected = {url_for(endpoint, training_id=training.id)
                                for endpoint, _label, needed in core.TRAINING_NAV
                                if endpoint in app.view_functions
                                and can(organiser, needed, training)}
                    assert shown == expected and len(shown) > 3
                    assert all(u.startswith(base[len("http://localhost"):]) for u in shown)
                    top = {item["url"] for item in core.nav_items()}
                    assert top == {url_for(endpoint) for endpoint, _label, roles in core.NAV
                                   if "organiser" in roles and endpoint in app.view_functions}


def test_training_page_links_follow_the_mount_point(app, make, client, login):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser, sessions=0)
    login(organiser)
    plain = _links(client.get(f"/trainings/{training.id}").get_data(as_text=True))
    mounted = _links(client.get(f"/trainings/{training.id}",
                                environ_overrides={"SCRIPT_NAME": "/anyam"}).get_data(as_text=True))
    assert f"/trainings/{training.id}/participants" in plain
    assert f"/anyam/trainings/{training.id}/participants" in mounted
    assert f"/trainings/{training.id}/participants" not in mounted
    assert "/anyam/me/schedule" in mounted and "/me/schedule" in plain
    again = _links(client.get(f"/trainings/{training.id}").get_data(as_text=True))
    assert again == plain


def test_nav_labels_follow_each_requests_language(app, make):
    """The labels are translated once per language: never the other language's text."""
    from flask_babel import force_locale
    organiser = make.user("organiser")
    training = make.training(organiser=organiser, sessions=0)
    seen = []
    for lang in ("id", "en", "id", "en"):
        with app.test_request_context(f"/trainings/{training.id}"), force_locale(lang):
            login_user(organiser)
            top = {item["label"] for item in core.nav_items()}
            sub = {item["label"] for item in core.training_nav(training)}
            seen.append((top, sub))
    assert seen[0] == seen[2] and seen[1] == seen[3] and seen[0] != seen[1]
    assert "Jadwal saya" in seen[0][0] and "My schedule" in seen[1][0]
    assert "Ringkasan" in seen[0][1] and "Overview" in seen[1][1]
