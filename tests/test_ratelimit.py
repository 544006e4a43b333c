"""Rate limits live in shared storage: one limit per client, whatever the number of workers."""
from __future__ import annotations

import multiprocessing
import socket
import threading
from datetime import timedelta

import pytest
from limits.storage import storage_from_string
from sqlalchemy import event

from trainings import ratelimit
from trainings.db import utcnow
from trainings.extensions import db, limiter

from .conftest import test_config


def _worker(database_url: str, instance: str, hits: int, queue) -> None:
    """One "gunicorn worker": its own process and app, the same database."""
    from trainings import create_app
    app = create_app(test_config(database_url, RATELIMIT_ENABLED=True, INSTANCE_PATH=instance,
                                 CERTIFICATE_VERIFY_RATE_LIMIT="5/minute"))
    client = app.test_client()
    queue.put([client.get("/verify").status_code for _ in range(hits)])


def _run_worker(database_url, instance, hits) -> list[int]:
    ctx = multiprocessing.get_context("spawn")  # nothing inherited: a separate worker
    queue = ctx.Queue()
    process = ctx.Process(target=_worker, args=(database_url, instance, hits, queue))
    process.start()
    statuses = queue.get(timeout=120)
    process.join(timeout=30)
    return statuses


def test_two_worker_processes_share_one_limit_per_client(app, database_url, tmp_path):
    assert app.config["RATELIMIT_STORAGE_URI"] == "anyam-db://"  # the default
    first = _run_worker(database_url, str(tmp_path / "a"), 3)
    second = _run_worker(database_url, str(tmp_path / "b"), 4)
    assert first == [200, 200, 200]
    # 5 a minute in all: the second worker knows of the first one's three hits.
    assert second == [200, 200, 429, 429]
    counters = db.session.scalars(db.select(ratelimit.RateLimitCounter)).all()
    assert len(counters) == 1 and counters[0].count == 7


def test_a_refused_visitor_gets_429_with_retry_after(app_factory, tmp_path):
    app = app_factory(RATELIMIT_ENABLED=True, CERTIFICATE_VERIFY_RATE_LIMIT="1/minute")
    client = app.test_client()
    with app.app_context():
        assert client.get("/verify").status_code == 200
        refused = client.get("/verify")
    assert refused.status_code == 429
    assert refused.headers.get("Retry-After")


def test_counts_are_atomic_under_concurrent_hits(app):
    storage = storage_from_string("anyam-db://")
    flask_app = app
    errors = []

    def hit():
        try:
            with flask_app.app_context():
                for _ in range(10):
                    storage.incr("test/atomic", 60)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=hit) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert storage.get("test/atomic") == 60


def test_a_window_starts_again_once_it_expired(app, monkeypatch):
    storage = storage_from_string("anyam-db://")
    assert storage.incr("test/window", 60) == 1
    assert storage.incr("test/window", 60, amount=2) == 3
    assert storage.get("test/window") == 3
    expiry = storage.get_expiry("test/window")
    assert 55 < expiry - utcnow().timestamp() <= 60
    later = utcnow() + timedelta(seconds=61)
    monkeypatch.setattr(ratelimit, "utcnow", lambda: later)
    assert storage.get("test/window") == 0
    assert storage.incr("test/window", 60) == 1  # a new window, not 4
    storage.clear("test/window")
    assert storage.get("test/window") == 0
    assert storage.check()


def _redis_answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_answers(), reason="no Redis on 127.0.0.1:6379")
def test_redis_is_used_when_configured(app_factory):
    app = app_factory(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/15",
                      CERTIFICATE_VERIFY_RATE_LIMIT="2/minute")
    client = app.test_client()
    with app.app_context():
        assert type(limiter.storage).__name__ == "RedisStorage"
        limiter.storage.reset()
        statuses = [client.get("/verify").status_code for _ in range(3)]
        limiter.storage.reset()
        assert db.session.scalars(db.select(ratelimit.RateLimitCounter)).all() == []
    assert statuses == [200, 200, 429]


def test_a_limited_request_costs_one_statement_on_the_counters(app_factory, count_queries,
                                                               monkeypatch):
    monkeypatch.setattr(ratelimit, "CLEAN_EVERY", 10**9)  # no purge of expired rows this time
    app = app_factory(RATELIMIT_ENABLED=True, CERTIFICATE_VERIFY_RATE_LIMIT="5/minute")
    client = app.test_client()
    with app.app_context():
        with count_queries() as counter:
            response = client.get("/verify")
        assert response.status_code == 200
        assert response.headers["X-RateLimit-Remaining"] == "4"  # headers from that statement
        on_counters = [s for s in counter.statements if "rate_limits" in s]
        assert len(on_counters) == 1


def test_a_hit_is_one_statement_and_on_postgresql_needs_no_transaction(app, monkeypatch):
    """PostgreSQL: the upsert alone in autocommit (no BEGIN, no COMMIT: one round trip),
    committed at once; the occasional purge of expired rows is a statement of its own."""
    seen = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement.split()[0], getattr(conn.connection.dbapi_connection,
                                                   "autocommit", None)))

    storage = storage_from_string("anyam-db://")
    db.session.add(ratelimit.RateLimitCounter(key="old", count=3,
                                              expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    monkeypatch.setattr(ratelimit, "CLEAN_EVERY", 1)  # this hit purges too
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert storage.incr("test/one", 60) == 1
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert [verb for verb, _ in seen] == ["DELETE", "INSERT"]
    if db.engine.dialect.name == "postgresql":
        assert all(autocommit is True for _, autocommit in seen)
    db.session.rollback()
    rows = {c.key: c.count for c in db.session.scalars(db.select(ratelimit.RateLimitCounter))}
    assert rows == {"test/one": 1}  # the expired row purged, the hit kept
