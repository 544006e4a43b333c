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


def test_cached_pdfs_are_read_one_at_a_time_while_the_zip_is_written(app, make, monkeypatch):
    names = [f"Peserta {i}" for i in range(4)]
    training, _e, organiser = certified_training(make, names=names)
    certificates = services.issue_all(training, actor=organiser, base=base())
    db.session.commit()
    contexts = services.contexts_for(certificates, base())
    render.render_many(contexts[:3], keep=False)  # three in the cache, one missing
    events = []
    real_cached, real_write = render.cached, documents._write_zip

    def reading(key):
        events.append("read")
        return real_cached(key)

    def rendering(contexts, **kwargs):
        out = real_render(contexts, **kwargs)  # (it looks in the cache first: a read)
        events.append(f"rendered {len(contexts)}")
        return out

    def writing(out, items):
        def each():
            for item in items:
                yield item
                events.append("written")
        return real_write(out, each())

    real_render = render.render_many
    monkeypatch.setattr(render, "cached", reading)
    monkeypatch.setattr(render, "render_many", rendering)
    monkeypatch.setattr(documents, "_write_zip", writing)
    archive = services.training_zip(training, base())
    # The missing one rendered first (its slice), then each cached one read just before
    # it is written: never two cached PDFs held at once.
    assert events[:2] == ["read", "rendered 1"]
    after = events[2:]
    assert after.count("written") == 4 and after.count("read") == 3
    assert "read" not in [b for a, b in zip(after, after[1:], strict=False) if a == "read"]
    with zipfile.ZipFile(archive) as opened:
        assert sorted(opened.namelist()) == sorted(services.pdf_filename(c) for c in certificates)
        for certificate in certificates:
            data = opened.read(services.pdf_filename(certificate))
            assert certificate.name in PdfReader(io.BytesIO(data)).pages[0].extract_text()
