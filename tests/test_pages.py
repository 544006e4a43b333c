"""The base UI: landmarks, error pages in both languages, no external assets, headers."""
import re

import pytest


def test_layout_has_landmarks_skip_link_and_a_labelled_language_switch(client):
    html = client.get("/login").get_data(as_text=True)
    assert '<a class="skip-link" href="#content">' in html
    assert '<main id="content"' in html and "<header" in html and "<footer" in html
    assert re.search(r'<nav aria-label="[^"]+">', html)
    assert '<label for="lang-select"' in html
    assert html.count("<h1") == 1


def test_no_external_assets(client, make, login):
    login(make.user("organiser"))
    for path in ("/", "/login", "/trainings", "/profile"):
        html = client.get(path, follow_redirects=True).get_data(as_text=True)
        for url in re.findall(r'(?:src|href)="([^"]+)"', html):
            assert not url.startswith(("http:", "https:", "//")), (path, url)


@pytest.mark.parametrize("lang, text", [("en", "Page not found"), ("id", "Halaman tidak ditemukan")])
def test_404_page_in_both_languages(client, lang, text):
    response = client.get("/no/such/page", headers={"Accept-Language": lang})
    assert response.status_code == 404
    assert text in response.get_data(as_text=True)


def test_403_page_in_both_languages(client, make, login):
    training = make.training()
    login(make.user("participant", language="id"))
    response = client.get(f"/trainings/{training.id}")
    assert response.status_code == 403
    assert "Anda tidak dapat melihat halaman ini" in response.get_data(as_text=True)


def test_500_page_in_both_languages_and_json_for_the_api(app, client):
    @app.route("/explode")
    def explode():
        raise RuntimeError("secret internals")

    @app.route("/api/v1/explode")
    def api_explode():
        raise RuntimeError("secret internals")

    response = client.get("/explode", headers={"Accept-Language": "id"})
    assert response.status_code == 500
    assert "Terjadi kesalahan di pihak kami" in response.get_data(as_text=True)
    assert "secret internals" not in response.get_data(as_text=True)
    api_response = client.get("/api/v1/explode", headers={"Authorization": "Bearer x"})
    assert api_response.status_code in (401, 500)  # the token check comes first


def test_security_headers(client):
    response = client.get("/login")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_health_check_reports_a_dead_database(app_factory):
    app = app_factory(SQLALCHEMY_DATABASE_URI="sqlite:////nonexistent-dir/anyam.sqlite")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable"}


def test_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert b"<svg" in response.data


def test_main_pages_carry_help_text_in_the_viewers_language(make, login, client):
    """Issue 18: help text on the main pages, one short paragraph under the heading."""
    import re

    organiser = make.user("organiser", language="id")
    training = make.training(organiser=organiser, sessions=1)
    make.enrolment(training, user=organiser)
    login(organiser)
    paths = ["/trainings", f"/trainings/{training.id}/sessions",
             f"/trainings/{training.id}/participants", f"/trainings/{training.id}/attendance",
             "/me/schedule"]
    for path in paths:
        page = client.get(path).get_data(as_text=True)
        found = re.search(r'<p class="hint page-help">([^<]+)</p>', page)
        assert found, path
        assert not re.search(r"\b(the|your|and|of)\b", found.group(1)), (path, found.group(1))
