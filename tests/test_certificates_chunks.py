"""Chunked certificate rendering: one WeasyPrint document per chunk, split without rendering
again. Each part must be a complete, valid, tagged one-page PDF of its own certificate."""
from __future__ import annotations

import io
import subprocess

import pikepdf
import pytest

from trainings import pdf
from trainings.certificates import render, services
from trainings.extensions import db

from .certificates_helpers import base, certified_training

NAMES = ["Siti Rahmawati", "Tan Mei Ling", "Kavitha Ramasamy", "Nur Aisyah binti Abdullah"]


def _text(data: bytes) -> str:
    return " ".join(subprocess.run(["pdftotext", "-layout", "-", "-"], input=data,
                                   capture_output=True, check=True).stdout.decode().split())


@pytest.fixture
def contexts(app, make):
    training, _e, organiser = certified_training(make, names=NAMES)
    certificates = services.issue_all(training, actor=organiser, base=base())
    db.session.commit()
    return services.contexts_for(certificates, base())


def test_a_split_chunk_gives_the_same_pages_as_rendering_one_by_one(contexts):
    together = render.render_chunk(contexts)
    alone = [render.render_chunk([c])[0] for c in contexts]
    assert len(together) == len(contexts)
    for ctx, part, single in zip(contexts, together, alone, strict=True):
        assert _text(part) == _text(single)
        assert ctx["name"] in _text(part)
        assert all(other not in _text(part) for other in NAMES if other != ctx["name"])


def test_each_part_is_a_valid_tagged_pdf_of_one_page_with_its_own_metadata(contexts):
    parts = render.render_chunk(contexts)
    for ctx, data in zip(contexts, parts, strict=True):
        with pikepdf.open(io.BytesIO(data)) as document:
            assert document.check_pdf_syntax() == []  # qpdf finds no damage
            assert len(document.pages) == 1
            page = document.pages[0].obj
            root = document.Root
            assert str(root.Lang) == "id" and bool(root.MarkInfo.Marked)
            assert bool(root.ViewerPreferences.DisplayDocTitle)
            tree = root.StructTreeRoot
            elements = tree.K[0].K
            assert len(elements) == 1 and elements[0].Pg.objgen == page.objgen
            assert int(tree.ParentTree.Nums[0]) == int(page.StructParents)
            assert str(document.docinfo["/Title"]) == render.metadata(ctx)["title"]
            xmp = root.Metadata.read_bytes().decode()
            assert 'pdfuaid:part="1"' in xmp and ctx["code"] in xmp
            with document.open_metadata() as meta:
                assert meta["dc:title"] == render.metadata(ctx)["title"]
            top = root.Outlines.First
            assert top.Dest[0].objgen == page.objgen and "/Next" not in top
            # Nothing of the other pages came along (their content, their structure).
            pages = [o for o in document.objects if isinstance(o, pikepdf.Dictionary)
                     and o.get("/Type") == pikepdf.Name.Page]
            assert len(pages) == 1


def test_the_qr_code_of_each_part_decodes_to_its_own_verification_url(contexts, tmp_path):
    parts = render.render_chunk(contexts)
    for index in (0, len(parts) - 1):
        path = tmp_path / f"c{index}.pdf"
        path.write_bytes(parts[index])
        subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(path),
                        str(tmp_path / f"c{index}")], check=True)
        out = subprocess.run(["zbarimg", "--raw", "-q", str(tmp_path / f"c{index}.png")],
                             capture_output=True, check=True).stdout.decode().strip()
        assert out == contexts[index]["verify_url"]


def test_qr_codes_are_built_by_the_renderer_not_the_caller(contexts):
    assert all("qr" not in c for c in contexts)  # plain, small contexts for the pool
    assert render.with_qr(contexts[0])["qr"].startswith("data:image/svg+xml")


def test_split_pages_refuses_a_wrong_number_of_metadata_entries(contexts):
    document = pdf.render_document(render.TEMPLATE, {"certificates": [
        render.with_qr(c) for c in contexts[:2]]}, stylesheets=(render.STYLESHEET,))
    with pytest.raises(ValueError):
        pdf.split_pages(pdf.write_pdf(document), [{"title": "only one"}])


def test_the_qr_code_is_drawn_as_vectors_where_its_tagged_image_was(contexts):
    parts = render.render_chunk(contexts)
    for ctx, part in zip(contexts, parts, strict=True):
        with pikepdf.open(io.BytesIO(part)) as document:
            streams = [o for o in document.objects if isinstance(o, pikepdf.Stream)]
            assert not [s for s in streams if s.get("/Subtype") == "/Image"
                        and (int(s.Width), int(s.Height)) == (3, 3)]  # no placeholder left
            forms = [s for s in streams if s.get("/Subtype") == "/Form"
                     and list(s.BBox) == [0, 0, 1, 1]]
            assert len(forms) == 1 and forms[0].read_bytes().count(b" re") > 100
            figures = [o for o in document.objects if isinstance(o, pikepdf.Dictionary)
                       and o.get("/S") == "/Figure" and "/Alt" in o]
            assert f"QR: {ctx['verify_url']}" in [str(f.Alt) for f in figures]


def test_a_page_without_the_placeholder_cannot_get_a_drawing(contexts):
    document = pdf.render_document(render.TEMPLATE, {"certificates": [
        render.with_qr(contexts[0])]}, stylesheets=(render.STYLESHEET,))
    with pytest.raises(ValueError, match="no placeholder"):
        pdf.split_pages(pdf.write_pdf(document), [render.metadata(contexts[0])],
                        drawings=[render.qr_drawing(contexts[0]["verify_url"])])


def _pixels(data: bytes, tmp_path, name: str):
    from PIL import Image
    (tmp_path / f"{name}.pdf").write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "72", "-png", "-singlefile", str(tmp_path / f"{name}.pdf"),
                    str(tmp_path / name)], check=True)
    return Image.open(tmp_path / f"{name}.png").convert("RGB")


def test_svg_logos_and_signatures_drawn_once_look_as_when_laid_out_on_each_page(
        app, make, tmp_path):
    """The demo's SVG logos (text in them) and signatures are drawn once per process and put
    over blank images of their size: the page looks as WeasyPrint laying out the SVGs
    draws it, each keeps its tagged figure and alt text, and no blank image is left."""
    from PIL import ImageChops

    from trainings.certificates.demo import load_demo_certificates
    training, _e, organiser = certified_training(make, names=NAMES[:2])
    load_demo_certificates(training)
    certificates = services.issue_all(training, actor=organiser, base=base())
    db.session.commit()
    contexts = services.contexts_for(certificates, base())
    assert all(o["logo"] and o["logo"].startswith("data:image/svg+xml")
               for o in contexts[0]["organisations"])
    parts = render.render_chunk(contexts)
    for index, (ctx, part) in enumerate(zip(contexts, parts, strict=True)):
        naive = pdf.render_pdf(render.TEMPLATE, {"certificates": [render.with_qr(ctx)]},
                               stylesheets=(render.STYLESHEET,))
        ours, theirs = _pixels(part, tmp_path, f"ours{index}"), _pixels(naive, tmp_path,
                                                                         f"naive{index}")
        assert ours.size == theirs.size
        difference = ImageChops.difference(ours, theirs).convert("L")
        differing = sum(difference.histogram()[97:])
        assert differing < ours.size[0] * ours.size[1] / 2000  # anti-aliasing at most
        purple = (0x7A, 0x2E, 0x5F)  # the Komnas Perempuan mark's circle
        assert sum(count for count, colour in ours.getcolors(1 << 20) if all(
            abs(a - b) < 12 for a, b in zip(colour, purple, strict=True))) > 50
        with pikepdf.open(io.BytesIO(part)) as document:
            images = [o for o in document.objects if isinstance(o, pikepdf.Stream)
                      and o.get("/Subtype") == "/Image"]
            assert not images  # neither the QR's nor a logo's blank image is left
            alts = [str(o.Alt) for o in document.objects if isinstance(o, pikepdf.Dictionary)
                    and o.get("/S") == "/Figure" and "/Alt" in o]
            assert all(o["name"] in alts for o in ctx["organisations"])
            assert sum(1 for a in alts if a.startswith("Tanda tangan")) == len(
                ctx["signatories"])
