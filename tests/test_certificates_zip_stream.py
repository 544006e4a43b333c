"""The ZIP of a training's certificates is written a slice at a time, not held whole."""
from __future__ import annotations

import io
import zipfile

from pypdf import PdfReader

from trainings.certificates import render, services
from trainings.certificates.services import documents
from trainings.extensions import db

from .certificates_helpers import base, certified_training


def test_the_zip_holds_every_valid_certificate_written_in_slices(app, make, monkeypatch):
    names = [f"Peserta {i}" for i in range(5)]
    training, _e, organiser = certified_training(make, names=names)
    certificates = services.issue_all(training, actor=organiser, base=base())
    db.session.commit()
    monkeypatch.setattr(documents, "ZIP_SLICE", 2)
    slices = []
    real = render.render_many

    def counting(contexts, **kwargs):
        slices.append(len(contexts))
        return real(contexts, **kwargs)

    monkeypatch.setattr(render, "render_many", counting)
    archive = services.training_zip(training, base())
    assert slices == [2, 2, 1]  # never more than a slice of PDFs at once
    with zipfile.ZipFile(archive) as opened:
        files = opened.namelist()
        assert sorted(files) == sorted(services.pdf_filename(c) for c in certificates)
        for certificate in certificates:
            data = opened.read(services.pdf_filename(certificate))
            assert certificate.name in PdfReader(io.BytesIO(data)).pages[0].extract_text()


def test_the_job_fills_the_cache_without_keeping_the_pdfs(app, make, monkeypatch):
    names = [f"Peserta {i}" for i in range(9)]
    training, _e, organiser = certified_training(make, names=names)
    kept = []
    real = render.render_many

    def watching(contexts, **kwargs):
        out = real(contexts, **kwargs)
        kept.append((kwargs.get("keep", True), len(out)))
        return out

    monkeypatch.setattr(render, "render_many", watching)
    from trainings import jobs
    job = services.start_issue_all(training, actor=organiser, base=base())
    db.session.commit()
    jobs.run(job.id)
    assert kept == [(False, 0)]
    monkeypatch.setattr(render, "render_chunk", lambda *a, **k: (_ for _ in ()).throw(
        AssertionError("rendered again")))
    archive = services.training_zip(training, base())  # every PDF comes from the cache
    with zipfile.ZipFile(archive) as opened:
        assert len(opened.namelist()) == 9
