"""The lean user-agent stylesheet (trainings/pdf/lean.py): it leaves out only the rules the
certificates cannot use, and the certificates laid out with it are the same PDFs."""
from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pytest
import tinycss2

from trainings import pdf
from trainings.certificates import render, services
from trainings.extensions import db
from trainings.pdf import lean

from .certificates_helpers import base, certified_training

ROOT = Path(__file__).resolve().parents[1]
NAMES = ["Siti Rahmawati", "عائشہ صدیقی",
         "Ni Luh Putu Ayu Lestari Kusumawardhani Prameswari binti Abdullah Rahman"]


def _rules(text: str) -> list:
    return tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True)


def test_the_lean_sheet_drops_only_unused_pseudo_elements_margin_boxes_and_counters():
    from weasyprint.html import UA
    full, thin = _rules(UA), _rules(lean.lean_ua_text(UA))
    preludes = [tinycss2.serialize(r.prelude).strip() for r in full if r.type == "qualified-rule"]
    kept = [tinycss2.serialize(r.prelude).strip() for r in thin if r.type == "qualified-rule"]
    assert set(lean.PSEUDO_ELEMENTS) <= set(preludes)
    assert kept == [p for p in preludes if p not in lean.PSEUDO_ELEMENTS]
    assert not [r for r in thin if r.type == "at-rule" and r.lower_at_keyword == "counter-style"]
    (page,) = [r for r in thin if r.type == "at-rule" and r.lower_at_keyword == "page"]
    inside = tinycss2.parse_blocks_contents(page.content, skip_comments=True,
                                            skip_whitespace=True)
    assert sorted(i.lower_at_keyword for i in inside if i.type == "at-rule") == [
        "footnote", "note-area"]
    assert [(d.lower_name, tinycss2.serialize(d.value).strip()) for d in inside
            if d.type == "declaration"] == [("margin", "75px")]
    # Every other declaration is the full sheet's, unchanged.
    def declarations(rules):
        return [(tinycss2.serialize(r.prelude).strip(), tinycss2.serialize(r.content))
                for r in rules if r.type == "qualified-rule"]
    assert declarations(thin) == [d for d in declarations(full) if d[0] not in lean.PSEUDO_ELEMENTS]


def test_the_certificate_design_may_use_it_and_designs_that_need_the_full_sheet_may_not():
    template = (ROOT / "templates" / render.TEMPLATE).read_text()
    stylesheet = (pdf.PACKAGE / "static" / render.STYLESHEET).read_text()
    assert lean.usable_for(template, stylesheet)
    for needs_full in ("<ul><li>a</li></ul>", "<ol>", "li::marker { color: red }",
                       "p { display: list-item }", ".n { float: footnote }",
                       "@page { @top-center { content: 'x' } }", "@page { @bottom-right {} }",
                       "a::footnote-call { color: red }", "<details><summary>s</summary>"):
        assert not lean.usable_for(template, stylesheet, needs_full), needs_full


@pytest.fixture
def demo_contexts(app, make):
    from trainings.certificates.demo import load_demo_certificates
    training, _e, organiser = certified_training(make, names=NAMES)
    load_demo_certificates(training)
    certificates = services.issue_all(training, actor=organiser, base=base())
    db.session.commit()
    return services.contexts_for(certificates, base())


def _objects(data: bytes) -> list[str]:
    """Every object of the PDF and every stream's bytes, the cross-reference stream aside (it
    holds the file's /ID, which differs from run to run)."""
    with pikepdf.open(io.BytesIO(data)) as document:
        objects = [o for o in document.objects if not (
            isinstance(o, pikepdf.Stream | pikepdf.Dictionary) and o.get("/Type") == "/XRef")]
        assert len(objects) < len(document.objects)  # the xref stream is the one left out
        return [repr(o) for o in objects] + [o.read_raw_bytes().hex() for o in objects
                                             if isinstance(o, pikepdf.Stream)]


def test_certificates_laid_out_lean_are_the_same_pdfs(demo_contexts, monkeypatch):
    asked = []
    original = pdf.html_document

    def spy(html, *, lean=False):
        asked.append(lean)
        return original(html, lean=lean)
    monkeypatch.setattr(pdf, "html_document", spy)
    lean_parts = render.render_chunk(demo_contexts)
    assert asked == [True]  # the certificates use it
    digest = render._design_digest()
    monkeypatch.setattr(render, "_design", lambda: (digest, False))
    full_parts = render.render_chunk(demo_contexts)
    assert asked == [True, False]
    assert len(lean_parts) == len(full_parts) == len(NAMES)
    for lean_part, full_part in zip(lean_parts, full_parts, strict=True):
        assert _objects(lean_part) == _objects(full_part)


def test_a_design_that_needs_the_full_sheet_gets_it(app, monkeypatch):
    with app.app_context():
        render._digests.clear()
        monkeypatch.setattr(pdf, "lean_usable", lambda *sources: False)
        assert render._design()[1] is False
        monkeypatch.undo()
        assert render._design()[1] is False  # kept while the files are unchanged
        render._digests.clear()
        assert render._design()[1] is True


def test_without_the_internals_it_was_written_against_the_full_sheet_is_used(monkeypatch):
    from weasyprint import HTML

    def differs(_ua):
        raise AttributeError("parse_blocks_contents")
    monkeypatch.setattr(lean, "lean_ua_text", differs)
    assert pdf._lean_html() is HTML
    monkeypatch.undo()
    made = pdf._lean_html()
    assert made is not HTML and issubclass(made, HTML)
