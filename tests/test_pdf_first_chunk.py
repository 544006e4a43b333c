"""What a rendering process's first chunk used to pay again: cffi array types parsed per
glyph count (pdf/arrays.py), one document per SVG drawn once (pdf.drawn_all) and the QR
layouts of the usual sizes (qr.warm)."""
from __future__ import annotations

import cffi
import pytest

from trainings import pdf
from trainings.certificates import qr, render, services
from trainings.certificates.demo import load_demo_certificates
from trainings.extensions import db
from trainings.pdf import arrays, split

from .certificates_helpers import base, certified_training


def test_fixed_length_arrays_are_cffis_own_types_without_parsing(app, monkeypatch):
    pdf.font_config()  # installs it
    from weasyprint.text.ffi import ffi
    assert isinstance(ffi._parsed_types, arrays._ParsedTypes)
    reference = cffi.FFI()
    reference.cdef("typedef uint32_t hb_codepoint_t;")
    parsed = []
    original = ffi._parser.parse_type
    monkeypatch.setattr(ffi._parser, "parse_type", lambda c: parsed.append(c) or original(c))
    made = ffi.new("hb_codepoint_t[5123]", [3, 1, 4])
    assert ffi.typeof(made) is ffi.typeof("hb_codepoint_t[5123]")
    assert ffi.sizeof(made) == 4 * 5123 and list(made[0:4]) == [3, 1, 4, 0]
    assert str(ffi.typeof(made)) == str(reference.typeof("hb_codepoint_t[5123]"))
    assert parsed in ([], ["hb_codepoint_t *"])  # at most the pointer type, once
    parsed.clear()
    assert len(ffi.new("hb_codepoint_t[777]", list(range(777)))) == 777
    assert parsed == []  # a new length: nothing parsed
    # The same ctype object as cffi's parser builds for that string.
    with ffi._lock:  # (cffi asks for it)
        theirs = ffi._get_cached_btype(original("hb_codepoint_t[5124]"))
    assert theirs is ffi.typeof("hb_codepoint_t[5124]")
    # Anything else is parsed as before (and a bad type still fails as before).
    assert ffi.typeof("unsigned int[3]") is not None
    with pytest.raises(cffi.CDefError):
        ffi.typeof("no_such_type[3]")
    assert arrays.install(ffi) is True  # idempotent


def test_without_the_internals_it_was_written_against_nothing_changes():
    class Other:
        _parsed_types = None
    assert arrays.install(Other()) is False
    assert Other._parsed_types is None


@pytest.fixture
def demo_contexts(app, make):
    training, _e, organiser = certified_training(make, names=["Siti Rahmawati", "Tan Mei Ling"])
    load_demo_certificates(training)
    certificates = services.issue_all(training, actor=organiser, base=base())
    db.session.commit()
    return services.contexts_for(certificates, base())


def test_a_chunks_svgs_are_drawn_together_in_one_document(demo_contexts, monkeypatch):
    urls = list(dict.fromkeys(u for c in demo_contexts for u in render._images(c)
                              if render._is_svg(u)))
    assert len(urls) == 4  # the demo design: two logos with text, two signatures
    split._drawn.clear()
    alone = {url: split._draw([url])[url] for url in urls}
    documents = []
    original = split.html_document
    monkeypatch.setattr(split, "html_document",
                        lambda html, **kw: documents.append(html) or original(html, **kw))
    together = pdf.drawn_all(urls + urls[:1])
    assert len(documents) == 1 and list(together) == urls
    for url in urls:
        (w, h, form, _source), (w1, h1, form1, _s1) = together[url], alone[url]
        assert (w, h) == (w1, h1)
        assert [round(float(v), 3) for v in form.BBox] == [
            round(float(v), 3) for v in form1.BBox]
        assert [round(float(v), 6) for v in form.Matrix] == [
            round(float(v), 6) for v in form1.Matrix]
    assert pdf.drawn_once(urls[2]) is together[urls[2]]  # kept: nothing drawn again
    render.render_chunk(demo_contexts)
    assert len(documents) == 1


def test_a_form_outlives_the_drawn_images_kept(demo_contexts, monkeypatch):
    """The placeholders render.py keeps hold their forms' PDF: a chunk still draws them
    after pdf.drawn_all has let them go."""
    import gc
    render._placeholder.cache_clear()
    first = render.render_chunk(demo_contexts)
    split._drawn.clear()
    gc.collect()
    again = render.render_chunk(demo_contexts)
    assert len(again) == len(first) == len(demo_contexts)


def test_images_that_cannot_be_drawn_alone_are_none_and_the_rest_drawn(app, monkeypatch):
    svg = ("data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIHdp"
           "ZHRoPSIxMCIgaGVpZ2h0PSI1Ij48cmVjdCB3aWR0aD0iMTAiIGhlaWdodD0iNSIvPjwvc3ZnPg==")
    fractional = ("data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9z"
                  "dmciIHdpZHRoPSIxMC41IiBoZWlnaHQ9IjUiLz4=")  # width="10.5"
    monkeypatch.setattr(split, "_drawn", {})
    drawn = pdf.drawn_all([fractional, "data:image/svg+xml;base64,bm9wZQ==", svg])
    assert drawn[fractional] is None and drawn["data:image/svg+xml;base64,bm9wZQ=="] is None
    assert drawn[svg][:2] == (10, 5)


def test_at_most_the_kept_number_of_drawn_images_stay(app, monkeypatch):
    monkeypatch.setattr(split, "_drawn", {})
    monkeypatch.setattr(split, "DRAWN_KEPT", 2)
    monkeypatch.setattr(split, "_draw", lambda urls: {u: ("drawn", u) for u in urls})
    assert pdf.drawn_all(["a", "b", "c"]) == {u: ("drawn", u) for u in "abc"}
    assert list(split._drawn) == ["b", "c"]


def test_the_usual_qr_sizes_are_laid_out_when_a_renderer_starts():
    qr._layout.cache_clear()
    qr.warm()
    before = qr._layout.cache_info()
    assert before.currsize == len(qr.WARM_VERSIONS)
    qr.matrix("https://anyam.example.org/verify/ABCD-EFGH-JKLM-NPQR")  # version 4
    assert qr._layout.cache_info().misses == before.misses
