"""The three PDF editions of the demo module, rendered once for this file."""
import io

import pytest
from pypdf import PdfReader

from trainings import create_app
from trainings.extensions import db
from trainings.modules import services

from .conftest import test_config

SLUG = "kepemimpinan-perempuan"


@pytest.fixture(scope="module")
def editions(database_url, _migrated, tmp_path_factory):
    app = create_app(test_config(database_url,
                                 INSTANCE_PATH=str(tmp_path_factory.mktemp("instance"))))
    with app.app_context():
        module = services.publishable(SLUG)
        readers = {e: PdfReader(io.BytesIO(services.render_edition_pdf(module, e)))
                   for e in ("id", "en", "bilingual")}
        db.session.remove()  # no transaction left open while other tests empty the tables
        db.engine.dispose()
    yield readers


def text_of(reader, pages=None):
    pages = reader.pages if pages is None else [reader.pages[i] for i in pages]
    return " ".join(p.extract_text() for p in pages).replace("\n", " ")


def test_each_edition_has_cover_contents_and_all_sections(editions):
    for edition, reader in editions.items():
        assert 10 <= len(reader.pages) <= 40, (edition, len(reader.pages))
        cover = text_of(reader, [0])
        assert "Kepemimpinan Perempuan" in cover and "Women's Leadership" in cover
        assert "Komnas Perempuan" in cover and "INFID" in cover
        toc = text_of(reader, [1])
        # The table of contents lists every section with its page number.
        assert toc.count("....") >= 7
        assert ("Action Planning" in toc) or ("Perencanaan Aksi" in toc)
        outline = [item.title for item in reader.outline if not isinstance(item, list)]
        assert sum(1 for t in outline if t[:2] in {f"{n}." for n in range(1, 8)}) == 7
        assert reader.trailer["/Root"]["/MarkInfo"]["/Marked"]  # tagged


def test_language_editions_hold_their_language_only(editions):
    indonesian, english = text_of(editions["id"]), text_of(editions["en"])
    assert "Tujuan pembelajaran" in indonesian and "Learning goals" not in indonesian
    assert "Learning goals" in english and "Tujuan pembelajaran" not in english
    assert editions["id"].trailer["/Root"]["/Lang"] == "id"
    assert editions["en"].trailer["/Root"]["/Lang"] == "en"
    assert editions["en"].metadata.title.startswith("Women's Leadership")
    assert editions["en"].metadata.author == "Tim Kurikulum Anyam"


def test_bilingual_edition_has_both_languages_side_by_side(editions):
    reader = editions["bilingual"]
    text = text_of(reader)
    for words in ("Tujuan pembelajaran", "Learning goals", "Strategi Advokasi",
                  "Advocacy Strategies", "Pertanyaan refleksi", "Reflection questions"):
        assert words in text
    # Paired blocks: the same page carries a section's Indonesian and English text.
    first_section = text_of(reader, [2])
    assert "Dasar-Dasar Hak Asasi Manusia" in first_section
    assert "Foundations of Human Rights" in first_section
    total = len(reader.pages)  # the footer says it in both languages
    assert f"Halaman 3 dari {total} · Page 3 of {total}" in text_of(reader, [2])
    assert "Page" not in text_of(editions["id"], [2]).replace("Halaman", "")


def test_page_x_of_y_and_running_header(editions):
    reader = editions["en"]
    total = len(reader.pages)
    page3 = text_of(reader, [2])
    assert f"3 of {total}" in page3 or f"3 dari {total}" in page3
    assert "Women's Leadership" in page3  # running header


def structure_languages(reader):
    found = set()

    def walk(node, depth=0):
        node = node.get_object()
        if depth > 60 or not isinstance(node, dict):
            return
        if "/Lang" in node:
            found.add((str(node.get("/S")), str(node["/Lang"])))
        kids = node.get("/K")
        for kid in (kids if isinstance(kids, list) else [kids] if kids is not None else []):
            walk(kid, depth + 1)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return found


def test_language_tags_reach_the_structure_tree(editions):
    """Screen readers switch voice: each column of the bilingual edition carries /Lang."""
    languages = structure_languages(editions["bilingual"])
    assert ("/TD", "id") in languages and ("/TD", "en") in languages
    assert ("/Div", "en") in structure_languages(editions["en"])


def test_a_module_outside_the_repository_prints_its_logo_images_and_footnotes(app, tmp_path):
    """Uploaded modules' images travel as data: URIs; nothing is fetched from elsewhere."""
    import shutil
    from pathlib import Path

    from trainings import pdf

    shutil.copytree(Path(__file__).parent / "data" / "modules" / "mini", tmp_path / "mini")
    app.config["MODULES_DIR"] = str(tmp_path)
    pdf.REFUSED.clear()
    module = services.publishable("mini")
    reader = PdfReader(io.BytesIO(services.render_edition_pdf(module, "bilingual")))
    assert list(pdf.REFUSED) == []
    figures = []

    def walk(node, depth=0):
        node = node.get_object()
        if depth < 60 and isinstance(node, dict):
            if node.get("/S") == "/Figure":
                figures.append(str(node.get("/Alt")))
            kids = node.get("/K")
            for kid in (kids if isinstance(kids, list) else [kids] if kids is not None else []):
                walk(kid, depth + 1)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    assert figures.count("Diagram") == 2 and "Logo logo" in figures
    text = text_of(reader)
    assert "Catatan kaki Indonesia." in text and "An English footnote." in text
    assert "<b>bukan</b>" in text  # raw HTML printed as text
    assert "Daftar Isi · Contents" in text_of(reader, [1])
