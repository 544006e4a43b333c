"""The rendering processes: spawned once per process and reused by every batch, holding only
what rendering needs (not the app), and giving the same certificates as the calling
process: the same text, tagged, with a QR code that decodes."""
from __future__ import annotations

import io
import subprocess

import pikepdf

from trainings import processes
from trainings.certificates import render, services
from trainings.certificates.demo import load_demo_certificates
from trainings.extensions import db

from .certificates_helpers import base, certified_training
from .test_certificates_render import _qr

NAMES = [f"Peserta {i}" for i in range(render.POOL_MIN)] + ["عائشہ صدیقی"]


def _text(data: bytes) -> str:
    return " ".join(subprocess.run(["pdftotext", "-layout", "-", "-"], input=data,
                                   capture_output=True, check=True).stdout.decode().split())


def test_the_pool_gives_the_same_certificates_as_the_calling_process(app, make, tmp_path):
    training, _e, organiser = certified_training(make, names=NAMES)
    load_demo_certificates(training)  # logos and signatures (images shared across chunks)
    db.session.commit()
    certificates = services.issue_all(training, actor=organiser, base=base())
    db.session.commit()
    contexts = services.contexts_for(certificates, base())
    pooled = render.render_many(contexts, workers=2, use_cache=False)
    assert render.POOL.pids()  # rendered by the pool (one process or both: idle CPUs)
    here = render.render_many(contexts, workers=1, use_cache=False)
    for certificate, mine, theirs in zip(certificates, pooled, here, strict=True):
        assert _text(mine) == _text(theirs)
        assert certificate.name in _text(mine)
        with pikepdf.open(io.BytesIO(mine)) as document:
            assert len(document.pages) == 1
            assert "/StructTreeRoot" in document.Root and document.Root.Lang == "id"
            assert str(document.docinfo["/Title"]).endswith(f"({certificate.code})")
    assert _qr(pooled[-1], tmp_path) == f"{base()}/verify/{certificates[-1].code}"


def test_the_pool_is_reused_and_holds_only_what_rendering_needs(app, make):
    training, _e, organiser = certified_training(make, names=NAMES)
    certificates = services.issue_all(training, actor=organiser, base=base())
    db.session.commit()
    contexts = services.contexts_for(certificates, base())
    first = render.start_pool(2)  # both started, as `flask worker` does
    render.render_many(contexts, workers=2, use_cache=False)
    render.render_many(contexts, workers=2, use_cache=False)
    assert render.POOL.pids() == first and len(first) == 2  # the same processes
    pool, shared = render.POOL.get(2, initializer=render._init_worker,
                                   initargs=(render._settings(),))
    assert shared and pool is not None
    for module in ("weasyprint", "pikepdf", "trainings.certificates.render"):
        assert pool.submit(processes.loaded, module).result()
    for module in ("sqlalchemy", "trainings.models", "trainings.auth", "openpyxl"):
        assert not pool.submit(processes.loaded, module).result(), module


def test_the_cache_is_filled_in_the_instance_of_each_batch(app, make):
    training, _e, organiser = certified_training(make, names=NAMES)
    certificates = services.issue_all(training, actor=organiser, base=base())
    db.session.commit()
    render.render_many(services.contexts_for(certificates, base()), workers=2, keep=False)
    assert len(list(render.cache_dir().glob("*.pdf"))) == len(NAMES)


def test_a_batch_from_another_thread_gets_a_pool_of_its_own(app, make, monkeypatch):
    import threading
    training, _e, organiser = certified_training(make, names=NAMES)
    certificates = services.issue_all(training, actor=organiser, base=base())
    db.session.commit()
    contexts = services.contexts_for(certificates, base())
    render.render_many(contexts[:1] * render.POOL_MIN, workers=2, use_cache=False)
    shared = render.POOL.pids()
    made = []
    real = processes.process_pool
    monkeypatch.setattr(processes, "process_pool",
                        lambda *a, **k: made.append(1) or real(*a, **k))
    out = []

    def batch():
        with app.app_context():
            out.extend(render.render_many(contexts, workers=2, use_cache=False))

    thread = threading.Thread(target=batch)
    thread.start()
    thread.join(timeout=120)
    assert len(out) == len(NAMES) and all(data.startswith(b"%PDF") for data in out)
    assert made == [1]  # its own pool (the death signal follows the thread that starts it)
    assert render.POOL.pids() == shared  # the shared one is still there, unchanged


def test_a_small_batch_is_one_chunk_per_process_a_large_one_chunks_of_ten():
    assert render.chunk_size(30, 2) == 15 == render.WHOLE  # 2 chunks, one per process
    assert render.chunk_size(29, 2) == 15 and render.chunk_size(9, 2) == 5
    assert render.chunk_size(31, 2) == render.CHUNK == 10  # 16 a process: chunks of 10
    assert render.chunk_size(300, 2) == render.chunk_size(1000, 2) == 10
    assert render.chunk_size(1, 2) == 1 and render.chunk_size(7, 1) == 7
    assert render.chunk_size(12, 1) == 10  # in the calling process: never more than 10


def test_without_a_pool_a_batch_renders_here_in_chunks_of_ten(app, make, monkeypatch):
    training, _e, organiser = certified_training(make, names=[f"P {i}" for i in range(24)])
    certificates = services.issue_all(training, actor=organiser, base=base())
    db.session.commit()
    monkeypatch.setattr(render.POOL, "get", lambda *a, **k: (None, False))  # e.g. Celery
    sizes = []
    monkeypatch.setattr(render, "render_chunk", lambda contexts: sizes.append(len(contexts))
                        or [b"%PDF"] * len(contexts))
    render.render_many(services.contexts_for(certificates, base()), workers=2, use_cache=False)
    assert render.chunk_size(24, 2) == 12 and sizes == [10, 10, 4]
