"""Module pages, the API contract, caching of editions, and who may upload."""
import shutil
from pathlib import Path

import pytest

from trainings.modules import services

MINI = Path(__file__).parent / "data" / "modules" / "mini"


@pytest.fixture
def shipped(app, tmp_path):
    root = tmp_path / "shipped"
    shutil.copytree(MINI, root / "mini")
    app.config["MODULES_DIR"] = str(root)
    return root


@pytest.fixture
def renders(monkeypatch):
    """Count renders; answer a tiny fake PDF (the layout itself is tested elsewhere)."""
    calls = []

    def fake(module, edition):
        calls.append((module.slug, edition))
        return b"%PDF-1.7\n% fake " + edition.encode() + b"\n%%EOF\n"

    monkeypatch.setattr(services, "render_edition_pdf", fake)
    return calls


def test_api_lists_modules_per_contract(api, make, shipped):
    response = api(make.user("participant")).get("/api/v1/modules")
    assert response.status_code == 200
    (item,) = response.json["items"]
    assert item["slug"] == "mini"
    assert item["title"] == {"id": "Modul Uji", "en": "Test Module"}
    assert item["languages"] == ["id", "en"]
    assert [s["number"] for s in item["sections"]] == [1, 2]
    assert item["sections"][0]["title"] == {"id": "Pembuka", "en": "Opening"}
    assert item["sections"][0]["sessions"] == [1]
    assert item["pdf"]["bilingual"].endswith("/api/v1/modules/mini/pdf?lang=bilingual")


def test_api_pdf_status_codes(api, make, shipped, renders):
    client = api(make.user("participant"))
    response = client.get("/api/v1/modules/mini/pdf?lang=bilingual")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert client.get("/api/v1/modules/nothing/pdf?lang=id").status_code == 404
    bad = client.get("/api/v1/modules/mini/pdf?lang=fr")
    assert bad.status_code == 422 and bad.json["error"]["details"][0]["field"] == "lang"
    assert client.get("/api/v1/modules/mini/pdf").status_code == 422


def test_a_broken_module_is_not_published(api, make, client, shipped, renders):
    (shipped / "mini" / "en" / "02-closing.md").unlink()
    caller = api(make.user("participant"))
    assert caller.get("/api/v1/modules").json["items"] == []
    response = caller.get("/api/v1/modules/mini/pdf?lang=id")
    assert response.status_code == 422
    error = response.json["error"]
    assert error["code"] == "module_invalid"
    assert any(d["field"] == "id/02-penutup.md" for d in error["details"])
    page = client.get("/modules/mini")
    assert page.status_code == 422 and "cannot be published" in page.get_data(as_text=True)
    assert renders == []


def test_second_download_comes_from_the_cache(client, shipped, renders, app):
    first = client.get("/modules/mini/bilingual.pdf")
    second = client.get("/modules/mini/bilingual.pdf")
    assert first.status_code == second.status_code == 200
    assert first.data == second.data
    assert renders == [("mini", "bilingual")]
    # A change in the sources makes a new edition.
    section = shipped / "mini" / "en" / "02-closing.md"
    section.write_text(section.read_text() + "\nOne more line.\n", encoding="utf-8")
    client.get("/modules/mini/bilingual.pdf")
    assert renders == [("mini", "bilingual")] * 2
    cached = list((Path(app.instance_path) / "cache" / "modules").glob("mini-bilingual-*.pdf"))
    assert len(cached) == 1  # the outdated edition was removed


def test_build_command_prebuilds_every_edition(app, shipped, renders):
    result = app.test_cli_runner().invoke(args=["modules", "build"])
    assert result.exit_code == 0, result.output
    assert sorted(renders) == sorted([("mini", "id"), ("mini", "en"), ("mini", "bilingual")])
    again = app.test_cli_runner().invoke(args=["modules", "build"])
    assert again.output.count("cached") == 3 and len(renders) == 3


def test_modules_page_is_in_the_menu_for_everyone(client, shipped):
    page = client.get("/modules")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'href="/modules"' in html and "Test Module" in html
    assert "/modules/mini/bilingual.pdf" in html
    assert "Upload a module" not in html


def test_detail_page_anchors_and_preferred_language(client, login, make, shipped):
    login(make.user("participant", language="id"))
    html = client.get("/modules/mini").get_data(as_text=True)
    assert 'id="section-1"' in html and 'id="section-2"' in html
    assert html.index("Selamat datang") < html.index("Welcome to the test module")
    assert "&lt;b&gt;bukan&lt;/b&gt;" in html  # raw HTML is shown as text
    assert 'src="/modules/mini/files/images/diagram.svg"' in html
    english = client.get("/modules/mini?lang=en").get_data(as_text=True)
    assert english.index("Welcome to the test module") < english.index("Selamat datang")


def test_module_images_are_served_only_from_the_module(client, shipped):
    image = client.get("/modules/mini/files/images/diagram.svg")
    assert image.status_code == 200 and "sandbox" in image.headers["Content-Security-Policy"]
    assert client.get("/modules/mini/files/module.toml").status_code == 404
    assert client.get("/modules/mini/files/../../etc/passwd").status_code == 404


def test_session_links_point_at_sections(app, shipped):
    from flask import url_for
    with app.test_request_context():
        assert url_for("modules.detail", slug="mini", _anchor="section-2") == "/modules/mini#section-2"
    assert services.section_for_session("mini", 2) == 2
    assert services.section_for_session("mini", 9) is None


@pytest.mark.parametrize("role, status", [("participant", 403), ("facilitator", 403),
                                          ("organiser", 200), ("admin", 200)])
def test_who_may_upload(client, login, make, shipped, role, status):
    login(make.user(role))
    assert client.get("/modules/upload").status_code == status


def test_anonymous_may_not_upload(client, shipped):
    response = client.get("/modules/upload")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.post("/modules/upload").status_code == 302


def test_organisers_see_broken_modules_with_their_problems(client, login, make, shipped):
    (shipped / "mini" / "id" / "02-penutup.md").write_text("# Penutup\n", encoding="utf-8")
    anonymous = client.get("/modules").get_data(as_text=True)
    assert "id/02-penutup.md" not in anonymous and "Test Module" not in anonymous
    login(make.user("organiser"))
    html = client.get("/modules").get_data(as_text=True)
    assert "Modules that need fixing" in html and "id/02-penutup.md" in html
    assert "The section is empty." in html
