"""The certificate PDF: both languages, the name, the QR code, metadata, hostile input, Arabic."""
from __future__ import annotations

import io
import subprocess

import pytest
from pypdf import PdfReader

from trainings import pdf
from trainings.certificates import render, services
from trainings.certificates.demo import load_demo_certificates
from trainings.extensions import db

from .certificates_helpers import base, certified_training


def _text(data: bytes) -> str:
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True,
                          check=True).stdout.decode()


def test_certificate_holds_both_languages_the_name_and_metadata(app, make, tmp_path):
    training, enrolments, organiser = certified_training(make, names=["Siti Rahmawati"])
    load_demo_certificates(training)
    db.session.commit()
    certificate = services.issue_all(training, actor=organiser, base=base())[0]
    db.session.commit()
    data = services.certificate_pdf(certificate, base())
    (tmp_path / "c.pdf").write_bytes(data)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.width) > float(box.height)  # landscape
    text = _text(data)
    assert "Siti Rahmawati" in text
    assert "Sertifikat" in text.title() and "Certificate" in text.title()
    assert training.title_id in " ".join(text.split())
    assert training.title_en in " ".join(text.split())
    assert "Desember 2023" in text and "December 2023" in text
    # the course's dates and the issuing day are both printed, each labelled (issue 18)
    from babel.dates import format_date

    from trainings.timezones import to_zone
    issued = to_zone(certificate.issued_at, training.timezone).date()
    flat = " ".join(text.split())
    assert f"Sertifikat diterbitkan pada {format_date(issued, 'd MMMM y', locale='id')}" in flat
    assert f"Certificate issued on {format_date(issued, 'd MMMM y', locale='en')}" in flat
    assert "tanggal pelatihan" in flat.lower() and "training dates" in flat.lower()
    assert certificate.code in text
    assert "Ratih Kusumaningrum" in text and "Chairperson" in text
    assert reader.metadata.title.startswith("Sertifikat / Certificate: Siti Rahmawati")
    assert "Komnas Perempuan" in reader.metadata.author
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "id"
    assert "/StructTreeRoot" in root  # tagged (PDF/UA)


def test_qr_code_decodes_to_the_verification_url(app, make, tmp_path):
    training, _e, organiser = certified_training(make, names=["Rabia Khan"])
    certificate = services.issue_all(training, actor=organiser, base=base())[0]
    db.session.commit()
    data = services.certificate_pdf(certificate, base())
    (tmp_path / "c.pdf").write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(tmp_path / "c.pdf"),
                    str(tmp_path / "page")], check=True)
    out = subprocess.run(["zbarimg", "--raw", "-q", str(tmp_path / "page.png")],
                         capture_output=True, check=True).stdout.decode().strip()
    assert out == f"{base()}/verify/{certificate.code}"


def test_hostile_names_are_printed_as_text_and_fetch_nothing(app, make):
    hostile = ('<img src="file:///etc/passwd"><link rel="attachment" href="file:///etc/passwd">'
               '<style>*{background:url(http://127.0.0.1:9/x)}</style>')
    training, _e, organiser = certified_training(make, names=[hostile])
    training.certificate_statement_en = 'x</p><img src="http://127.0.0.1:9/y"> url(file:///etc/hosts)'
    services.add_signatory(training, actor=organiser, name='<img src="file:///etc/shadow">',
                           role_en="url(http://127.0.0.1:9/z)")
    db.session.commit()
    certificate = services.issue_all(training, actor=organiser, base=base())[0]
    db.session.commit()
    pdf.REFUSED.clear()
    data = services.certificate_pdf(certificate, base())
    reader = PdfReader(io.BytesIO(data))
    assert not reader.attachments
    assert list(pdf.REFUSED) == []
    text = " ".join(_text(data).split())
    assert 'src="file:///etc/passwd"' in text
    assert "file:///etc/shadow" in text


def test_arabic_script_names_are_shaped_with_an_arabic_font(app, make):
    training, _e, organiser = certified_training(make, names=["عائشہ صدیقی"])
    certificate = services.issue_all(training, actor=organiser, base=base())[0]
    db.session.commit()
    data = services.certificate_pdf(certificate, base())
    fonts = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert any("Arabic" in f for f in fonts), fonts
    assert render.is_rtl("عائشہ صدیقی") and not render.is_rtl("Siti")


def test_rendered_pdfs_are_cached_by_content(app, make, monkeypatch):
    training, _e, organiser = certified_training(make, names=["Tan Mei Ling"])
    certificate = services.issue_all(training, actor=organiser, base=base())[0]
    db.session.commit()
    first = services.certificate_pdf(certificate, base())
    monkeypatch.setattr(render, "render_chunk", lambda *a, **k: pytest.fail("rendered again"))
    assert services.certificate_pdf(certificate, base()) == first


def test_batches_render_one_pdf_per_certificate_through_the_pool(app, make):
    names = [f"Peserta {i}" for i in range(9)]
    training, _e, organiser = certified_training(make, names=names)
    certificates = services.issue_all(training, actor=organiser, base=base())
    db.session.commit()
    contexts = services.contexts_for(certificates, base())
    pdfs = render.render_many(contexts, workers=2, use_cache=False)
    assert len(pdfs) == 9
    for certificate, data in zip(certificates, pdfs):
        reader = PdfReader(io.BytesIO(data))
        assert len(reader.pages) == 1
        assert certificate.name in reader.pages[0].extract_text()


def test_weasyprint_uses_harfbuzz_subsetting(app):
    assert pdf.has_harfbuzz_subset(), "install libharfbuzz-subset0 (scripts/install-system-deps.sh)"


def _qr(data: bytes, tmp_path) -> str:
    (tmp_path / "w.pdf").write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(tmp_path / "w.pdf"),
                    str(tmp_path / "w")], check=True)
    return subprocess.run(["zbarimg", "--raw", "-q", str(tmp_path / "w.png")],
                          capture_output=True, check=True).stdout.decode().strip()


def test_the_longest_content_still_fits_on_one_page(app, make, tmp_path):
    from trainings.demo import TITLE_EN, TITLE_ID
    name = "Ni Luh Putu Ayu Lestari Kusumawardhani binti Abdullah Siddiqui"
    training, _e, organiser = certified_training(make, names=[name])
    training.title_id, training.title_en = TITLE_ID, TITLE_EN
    services.update_statement(training, actor=organiser, statement_id="Kata " * 60,
                              statement_en="Word " * 60)
    load_demo_certificates(training)
    services.add_signatory(training, actor=organiser, name="Farah Iqbal",
                           role_id="Koordinator Program Regional", role_en="Regional Programme Coordinator",
                           organisation="Komnas Perempuan")
    db.session.commit()
    certificate = services.issue_all(training, actor=organiser, base=base())[0]
    db.session.commit()
    data = services.certificate_pdf(certificate, base())
    assert len(PdfReader(io.BytesIO(data)).pages) == 1
    assert _qr(data, tmp_path) == f"{base()}/verify/{certificate.code}"
