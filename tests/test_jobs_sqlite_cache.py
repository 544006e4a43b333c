"""Issue 14: a job's transactions run on SQLite with a bounded page cache (the job reads
rows about once; the process's peak memory stayed flat only without SQLite's 2 MiB per
connection); other transactions, in the same process afterwards, get SQLite's own back."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from trainings import jobs
from trainings.extensions import db

SEEN: list[int] = []


def _cache_size() -> int:
    return db.session.execute(text("PRAGMA cache_size")).scalar()


def record_cache(job, progress) -> dict:
    SEEN.append(_cache_size())
    db.session.commit()  # a later transaction (maybe another pooled connection) too
    SEEN.append(_cache_size())
    return {}


@pytest.fixture
def sqlite_only(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("a SQLite page cache")
    jobs.register("tests.record_cache", "tests.test_jobs_sqlite_cache:record_cache")
    SEEN.clear()
    yield app
    jobs.KINDS.pop("tests.record_cache", None)


def test_a_job_runs_with_the_configured_cache_and_others_get_sqlites_own_back(sqlite_only):
    own = _cache_size()
    db.session.commit()
    job = jobs.create("tests.record_cache", {})
    db.session.commit()
    jobs.run(job.id)
    done = db.session.get(jobs.Job, job.id)
    assert done.state == "done", done.error
    assert SEEN == [-256, -256] == [-sqlite_only.config["JOBS_SQLITE_CACHE_KIB"]] * 2
    assert _cache_size() == own != -256  # the request after the job: SQLite's own size


def test_none_leaves_sqlites_own_cache(sqlite_only):
    sqlite_only.config["JOBS_SQLITE_CACHE_KIB"] = None
    try:
        own = _cache_size()
        db.session.commit()
        job = jobs.create("tests.record_cache", {})
        db.session.commit()
        jobs.run(job.id)
    finally:
        sqlite_only.config["JOBS_SQLITE_CACHE_KIB"] = 256
    assert SEEN == [own, own]


def test_the_zip_reads_its_rows_with_the_bounded_cache(sqlite_only, make, monkeypatch):
    from trainings.certificates import services
    from trainings.certificates.services import documents

    from .certificates_helpers import base, certified_training
    training, _e, organiser = certified_training(make, names=["Peserta 1", "Peserta 2"])
    services.issue_all(training, actor=organiser, base=base())
    db.session.commit()
    own = _cache_size()
    real = documents.certificates_by_id

    def recording(ids):
        SEEN.append(_cache_size())
        return real(ids)

    monkeypatch.setattr(documents, "certificates_by_id", recording)
    services.training_zip(training, base()).close()
    assert SEEN == [-256]
    db.session.commit()
    assert _cache_size() == own != -256
