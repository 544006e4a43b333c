"""Tagged PDFs a validator can check: the structure tree walked with pikepdf, and PyPI's
``pdfua`` checker run on a certificate and on each module edition."""
from __future__ import annotations

import io

import pikepdf
import pytest
from pdfua import validate

from trainings import create_app
from trainings.certificates import services
from trainings.extensions import db
from trainings.modules import services as modules

from .certificates_helpers import certified_training
from .conftest import test_config

SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">'
       b'<rect width="40" height="20" fill="#7a2e5f"/></svg>')


def structure(data: bytes) -> list[dict]:
    """Every structure element: its type, /Lang, /Alt, /A (attributes) and its ancestors."""
    found = []
    pdf = pikepdf.open(io.BytesIO(data))

    def walk(node, ancestors):
        if not isinstance(node, pikepdf.Dictionary) or "/S" not in node:
            return
        kind = str(node["/S"])
        attributes = node.get("/A")
        found.append({"S": kind, "Lang": str(node["/Lang"]) if "/Lang" in node else None,
                      "Alt": str(node["/Alt"]) if "/Alt" in node else None,
                      "Scope": str(attributes.get("/Scope")) if isinstance(
                          attributes, pikepdf.Dictionary) and "/Scope" in attributes else None,
                      "ancestors": ancestors, "node": node})
        kids = node.get("/K")
        for kid in (kids if isinstance(kids, pikepdf.Array) else [kids]):
            walk(kid, ancestors + [kind])

    for kid in pdf.Root.StructTreeRoot.K if isinstance(pdf.Root.StructTreeRoot.K, pikepdf.Array) \
            else [pdf.Root.StructTreeRoot.K]:
        walk(kid, [])
    return found, pdf


def text_languages(elements) -> set[str]:
    """The languages that reach text: an element's own /Lang or its nearest ancestor's."""
    langs = set()
    by_id = {}
    for element in elements:
        by_id[element["node"].objgen] = element
    for element in elements:
        node, lang = element["node"], element["Lang"]
        while lang is None and "/P" in node and node["/P"].objgen in by_id:
            node = node["/P"]
            lang = by_id[node.objgen]["Lang"]
        if lang:
            langs.add(lang)
    return langs


def pdfua_errors(data: bytes, tmp_path, name: str) -> list[str]:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(data)
    report = validate(str(path))
    return [f"{f.rule_id} {f.severity.name}: {f.message}" for f in report.findings]


def check_tagged(data: bytes, tmp_path, name: str, *, languages: set[str]):
    elements, pdf = structure(data)
    kinds = [e["S"] for e in elements]
    # A table is a data table: it has header cells, each with a scope.
    for table in (i for i, e in enumerate(elements) if e["S"] == "/Table"):
        cells = [e for e in elements if e["ancestors"][:len(elements[table]["ancestors"]) + 1]
                 == elements[table]["ancestors"] + ["/Table"]]
        assert any(c["S"] == "/TH" for c in cells), f"{name}: a /Table without /TH"
    assert all(e["Scope"] in ("/Column", "/Row") for e in elements if e["S"] == "/TH"), name
    assert all(e["Alt"] for e in elements if e["S"] == "/Figure"), f"{name}: /Figure without /Alt"
    assert languages <= text_languages(elements), name
    assert str(pdf.Root.Lang) in ("id", "en")
    assert pdf.Root.MarkInfo.Marked
    with pdf.open_metadata() as meta:
        assert meta.get("dc:title")
    errors = pdfua_errors(data, tmp_path, name)
    assert errors == [], errors
    return kinds


def test_a_certificate_is_tagged_without_layout_tables(app, make, tmp_path):
    training, _e, organiser = certified_training(make, names=["Siti Rahmawati"])
    services.set_logo(training.organisations[0], SVG, actor=organiser)
    services.add_signatory(training, actor=organiser, name="Dr. Ayu Lestari", role_id="Direktur",
                           role_en="Director", signature=SVG)
    (certificate,) = services.issue_all(training, actor=organiser, base="http://localhost")
    db.session.commit()
    data = services.certificate_pdf(certificate, "http://localhost")
    kinds = check_tagged(data, tmp_path, "certificate", languages={"id", "en"})
    assert "/Table" not in kinds and "/TD" not in kinds
    assert kinds.count("/Figure") == 3  # logo, signature, QR code
    elements, _pdf = structure(data)
    alts = [e["Alt"] for e in elements if e["S"] == "/Figure"]
    assert any("Dr. Ayu Lestari" in a for a in alts) and any(a.startswith("QR") for a in alts)


@pytest.fixture(scope="module")
def module_editions(database_url, _migrated, tmp_path_factory):
    app = create_app(test_config(database_url,
                                 INSTANCE_PATH=str(tmp_path_factory.mktemp("instance"))))
    with app.app_context():
        module = modules.publishable("kepemimpinan-perempuan")
        yield {e: modules.render_edition_pdf(module, e) for e in ("id", "en", "bilingual")}


@pytest.mark.parametrize(("edition", "languages"), [
    ("id", {"id"}), ("en", {"en"}), ("bilingual", {"id", "en"})])
def test_each_module_edition_is_tagged_and_passes_pdfua(module_editions, tmp_path, edition,
                                                        languages):
    kinds = check_tagged(module_editions[edition], tmp_path, edition, languages=languages)
    assert "/TH" in kinds  # the module's tables keep their header cells
