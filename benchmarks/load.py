"""Light pages under gunicorn on loopback, against a bare Flask app in the same run.

For each database (SQLite; PostgreSQL too when 127.0.0.1:5432 answers) it fills a fresh
database, starts ``gunicorn -w 2`` on 127.0.0.1 (and the bare app of benchmarks/bare_app.py
with the same settings), then loads each page for a bounded time and count (default 20 s or
20 000 requests, concurrency 8, shared among 3 rounds interleaved with the bare app's
(bare, page, page, bare, bare, page: the machine's speed drifts); one new connection per request, as gunicorn's sync workers
close it anyway; logged-in clients log in through the form, follow the redirect and keep
the session cookie the server sets, each its own, as browsers do) and prints req/s, p50/p99 latency, errors (anything but 200) and the ratio
to the bare app. Goal: every page ≥ 25 % of bare Flask, 0 errors. Pages are kept as in
production (trainings/pagecache.py: no write happens during the run, so each request after
the first is answered from the kept page); the last row is the training page from a server
that keeps none (``PAGE_CACHE_SECONDS=0``): what a page costs when the data has just changed. Beside it, the server's
CPU per request (gunicorn's master and workers, from /proc: the ``cpu`` and ``cpu base``
columns, in ms) and the load client's: on a shared machine req/s follow the cores the run
was given, CPU per request much less.

Then the shared rate limit: a server with the real verification limit (30/minute per client,
counted in the database by every worker) gets 4 normal visitors at once (source addresses
127.0.0.2-5, 10 verifications each: none may be refused) and one greedy client (127.0.0.9,
40 requests: exactly 30 pass, whatever worker answers).

    python benchmarks/load.py [--duration 20] [--concurrency 8] [--max-requests 20000]
                              [--backends sqlite,postgres] [--pages verify,schedule] [--rounds 3]
                              [--json]

Traffic goes to 127.0.0.0/8 only; every server started here is stopped at the end.
"""
from __future__ import annotations

import argparse
import http.client
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

from common import ROOT, emit, header, load

HOST = "127.0.0.1"
PG_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
SECRET = "load-benchmark-only-key-0123456789abcdef"  # noqa: S105 - a throw-away key


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def postgres_answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=0.5).close()
        return True
    except OSError:
        return False


# Servers ----------------------------------------------------------------------------------

class Server:
    """gunicorn on loopback, started and stopped here (by its own process id)."""

    def __init__(self, target: str, env: dict, workers: int = 2):
        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind",
             f"{HOST}:{self.port}", "--log-level", "warning", target],
            cwd=str(ROOT), env={**os.environ, **env}, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, start_new_session=True)

    def wait(self, path: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn stopped: " + self.process.stderr.read().decode()[-2000:])
            try:
                status, _b, _h = request(self.port, path)
                if status < 500:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer in time")

    def cpu(self) -> float:
        """CPU seconds (user + system) of the server so far: gunicorn's master and every
        live worker (its process group, from /proc; a worker is never replaced during a
        run: max-requests is off)."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[2]) == self.process.pid:  # fields[2]: the process group
                total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / ticks

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def request(port: int, path: str, *, method="GET", headers=None, body=None, source=None,
            timeout=15):
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout,
                                      source_address=(source, 0) if source else None)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        return response.status, data, response
    finally:
        conn.close()


def login(port: int, email: str, password: str) -> str:
    """A session cookie, through the real login form (CSRF token included)."""
    status, page, response = request(port, "/login")
    cookie = response.getheader("Set-Cookie", "").split(";", 1)[0]
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        rb'value="([^"]+)"[^>]*name="csrf_token"', page)
    body = urlencode({"email": email, "password": password, "next": "",
                      "csrf_token": token.group(1).decode() if token else ""})
    status, _page, response = request(port, "/login", method="POST", body=body, headers={
        "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    if status != 302:
        raise RuntimeError(f"login failed ({status})")
    cookie = response.getheader("Set-Cookie", "").split(";", 1)[0]
    # As a browser does: follow the redirect and keep the cookie it answers with (the
    # welcome message shown once, the session's CSRF token made once), not the login
    # answer's cookie replayed for ever (every request would show the message again).
    _status, _page, landing = request(port, response.getheader("Location") or "/",
                                      headers={"Cookie": cookie})
    return jar_update(cookie, landing)


def jar_update(cookie: str, response) -> str:
    """The session cookie after ``response``: a browser keeps what the server sets."""
    fresh = response.getheader("Set-Cookie")
    return fresh.split(";", 1)[0] if fresh and fresh.startswith("session=") else cookie


# Load -------------------------------------------------------------------------------------

def hammer(port: int, path: str, *, headers=None, duration: float, concurrency: int,
           max_requests: int, sources=None, server: Server | None = None) -> dict:
    """Bounded in time and count: ``concurrency`` threads until either limit is reached."""
    deadline = time.monotonic() + duration
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    statuses: Counter = Counter()
    lock = threading.Lock()
    sent = [0]

    def worker(index: int) -> None:
        source = sources[index % len(sources)] if sources else None
        mine = latencies[index]
        own = dict(headers or {})  # each client keeps its own cookie, as a browser does
        while time.monotonic() < deadline:
            with lock:
                if sent[0] >= max_requests:
                    return
                sent[0] += 1
            start = time.perf_counter()
            try:
                status, _data, response = request(port, path, headers=own, source=source)
                if "Cookie" in own:
                    own["Cookie"] = jar_update(own["Cookie"], response)
            except OSError as exc:
                status = f"error {exc.__class__.__name__}"
            mine.append(time.perf_counter() - start)
            with lock:
                statuses[status] += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    server_cpu, client_cpu = (server.cpu() if server else 0.0), time.process_time()
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    client_cpu = time.process_time() - client_cpu
    server_cpu = (server.cpu() - server_cpu) if server else 0.0
    every = sorted(x for part in latencies for x in part)
    total = len(every)
    return {"rps": total / elapsed, "latencies": every, "server_s": server_cpu,
            "client_s": client_cpu, **percentiles(every),
            "errors": total - statuses.get(200, 0), "count": total, "statuses": dict(statuses),
            "load": load(), "server_ms": 1000 * server_cpu / total if total else 0,
            "client_ms": 1000 * client_cpu / total if total else 0}


def percentiles(every: list[float]) -> dict:
    """p50 and p99 in ms of sorted latencies in seconds (0 when there are none)."""
    if not every:
        return {"p50": 0, "p99": 0}
    return {"p50": 1000 * statistics.median(every),
            "p99": 1000 * every[min(len(every) - 1, int(len(every) * 0.99))]}


def combined(runs: list[dict]) -> dict:
    """Rounds of one kind as one figure: the median rate, latencies and CPU over every
    request of every round, errors and statuses summed."""
    every = sorted(x for run in runs for x in run["latencies"])
    total = len(every)
    statuses: Counter = Counter()
    for run in runs:
        statuses.update(run["statuses"])
    return {"rps": statistics.median(run["rps"] for run in runs), **percentiles(every),
            "errors": sum(run["errors"] for run in runs), "count": total,
            "statuses": dict(statuses), "load": max(run["load"] for run in runs),
            "server_ms": 1000 * sum(run["server_s"] for run in runs) / total if total else 0,
            "client_ms": 1000 * sum(run["client_s"] for run in runs) / total if total else 0}


# Data -------------------------------------------------------------------------------------

def fill(url: str, instance: str) -> dict:
    """An organiser, a participant in 5 trainings of 7 sessions (one with 40 participants
    and issued certificates): what the pages show, built once (not timed)."""
    from flask_migrate import upgrade

    sys.path.insert(0, str(ROOT))
    import logging

    from tests import factories
    from trainings import create_app
    from trainings.attendance.models import AttendanceRecord
    from trainings.certificates import services as certificates
    from trainings.extensions import db
    app = create_app({"TESTING": True, "SECRET_KEY": SECRET, "SQLALCHEMY_DATABASE_URI": url,
                      "INSTANCE_PATH": instance})
    logging.disable(logging.INFO)
    with app.app_context():
        upgrade()
        logging.disable(logging.NOTSET)
        organiser = factories.user("organiser", email="organiser@example.org")
        participant = factories.user(email="participant@example.org", timezone="Asia/Karachi")
        main = None
        for _ in range(5):
            training = factories.training(organiser=organiser, sessions=7,
                                          certificate_rule={"min_sessions": 6})
            factories.enrolment(training, user=participant)
            main = main or training
        for _ in range(39):
            factories.enrolment(main, commit=False)
        db.session.commit()
        from trainings.enrolment.models import Enrolment
        for enrolment in db.session.scalars(db.select(Enrolment).where(
                Enrolment.training_id == main.id)):
            for session in main.sessions:
                db.session.add(AttendanceRecord(session_id=session.id, enrolment_id=enrolment.id,
                                                status="present"))
        db.session.commit()
        issued = certificates.issue_all(main, actor=organiser, base="http://127.0.0.1")
        db.session.commit()
        data = {"training": main.id, "code": issued[0].code}
        db.session.remove()
        db.engine.dispose()
    return data


def pg_database() -> tuple[str, callable]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    base = make_url(PG_URL)
    name = f"anyam_load_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as connection:
            connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                    "WHERE datname = :n"), {"n": name})
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False), drop


# The run ----------------------------------------------------------------------------------

def app_env(url: str, instance: str, **extra) -> dict:
    env = {"ANYAM_SECRET_KEY": SECRET, "ANYAM_SQLALCHEMY_DATABASE_URI": url,
           "ANYAM_INSTANCE_PATH": instance, "PYTHONPATH": str(ROOT)}
    env.update({f"ANYAM_{k}": v for k, v in extra.items()})
    return env


def run_backend(name: str, url: str, args) -> None:
    instance = tempfile.mkdtemp(prefix=f"anyam-load-{name}-")
    data = fill(url, instance)
    # Throughput: the verification limit raised so that the load is not refused (its
    # counter is still written for every request, in the database).
    servers = {"anyam": Server("wsgi:app", app_env(url, instance,
                                                   CERTIFICATE_VERIFY_RATE_LIMIT="1000000/minute")),
               # the same app with no page kept (trainings/pagecache.py): what a page costs
               # when the data changed since it was last shown
               "unkept": Server("wsgi:app", app_env(url, instance, PAGE_CACHE_SECONDS="0")),
               "bare": Server("bare_app:app", {"PYTHONPATH": str(ROOT / "benchmarks")})}
    try:
        servers["anyam"].wait("/healthz")
        servers["unkept"].wait("/healthz")
        servers["bare"].wait("/bare")
        port = servers["anyam"].port
        organiser = {"Cookie": login(port, "organiser@example.org", "correct-horse-battery")}
        participant = {"Cookie": login(port, "participant@example.org", "correct-horse-battery")}
        unkept = {"Cookie": login(servers["unkept"].port, "organiser@example.org",
                                  "correct-horse-battery")}
        pages = {
            "training page (organiser)": (f"/trainings/{data['training']}", organiser),
            "training page (participant)": (f"/trainings/{data['training']}", participant),
            "my schedule": ("/me/schedule", participant),
            "my schedule, all past sessions": ("/me/schedule?past=all", participant),
            "verify": (f"/verify/{data['code']}", {}),
            "healthz": ("/healthz", {}),
            "training page (organiser), not kept": (f"/trainings/{data['training']}", unkept),
        }
        if args.pages:
            pages = {k: v for k, v in pages.items() if any(p in k for p in args.pages.split(","))}
        def server_of(label: str) -> Server:
            return servers["unkept" if label.endswith("not kept") else "anyam"]

        for label, (path, headers) in pages.items():  # each page answers before it is loaded
            status = request(server_of(label).port, path, headers=headers)[0]
            if status != 200:
                raise RuntimeError(f"{path} answered {status}")
        # Interleaved rounds: bare, page, page, bare, bare, page ... (the machine's speed
        # drifts from minute to minute: each round's ratio has its baseline next to it).
        rounds = max(1, args.rounds)
        options = {"duration": args.duration / rounds, "concurrency": args.concurrency,
                   "max_requests": max(1, args.max_requests // rounds)}
        for label, (path, headers) in pages.items():
            runs = {"bare": [], "page": []}
            for index in range(rounds):
                for kind in (("bare", "page") if index % 2 == 0 else ("page", "bare")):
                    runs[kind].append(
                        hammer(servers["bare"].port, "/bare", server=servers["bare"], **options)
                        if kind == "bare" else
                        hammer(server_of(label).port, path, headers=headers,
                               server=server_of(label), **options))
            page, bare = combined(runs["page"]), combined(runs["bare"])
            ratios = ", ".join(f"{p['rps'] / b['rps']:.2f}"
                               for p, b in zip(runs["page"], runs["bare"], strict=True))
            emit("load", f"{name}: {label}", value=page["rps"], unit="req/s",
                 baseline=bare["rps"], baseline_name="bare Flask, same run",
                 cpu=page["server_ms"], cpu_baseline=bare["server_ms"],
                 load_avg=max(page["load"], bare["load"]), runs=page["count"],
                 note=f"median of {rounds} interleaved rounds (ratios {ratios}) / p50 "
                      f"{page['p50']:.1f} ms, p99 {page['p99']:.1f} ms, server CPU "
                      f"{page['server_ms']:.2f} ms/req (bare {bare['server_ms']:.2f}), load "
                      f"client CPU {page['client_ms']:.2f} ms/req (bare {bare['client_ms']:.2f}), "
                      f"errors {page['errors']} {page['statuses'] if page['errors'] else ''}"
                      .strip(), goal="goal ratio >= 0.25, 0 errors")
    finally:
        for server in servers.values():
            server.stop()
    check_limit(name, url, instance, data["code"])


def check_limit(name: str, url: str, instance: str, code: str) -> None:
    """The real limit (30/minute), two workers: normal visitors pass, a greedy one is capped."""
    server = Server("wsgi:app", app_env(url, instance))
    try:
        server.wait("/healthz")
        path = f"/verify/{code}"
        visitors = hammer(server.port, path, duration=30, concurrency=4, max_requests=40,
                          sources=["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"])
        greedy = hammer(server.port, path, duration=30, concurrency=2, max_requests=40,
                        sources=["127.0.0.9"])
        emit("ratelimit", f"{name}: 4 visitors at once, 10 each", value=visitors["errors"],
             unit="refused", runs=visitors["count"],
             note=f"p99 {visitors['p99']:.1f} ms, {visitors['statuses']}", goal="goal 0 refused")
        emit("ratelimit", f"{name}: one client, 40 requests", value=greedy["statuses"].get(200, 0),
             unit="passed", runs=greedy["count"], note=str(greedy["statuses"]),
             goal="goal exactly 30 pass (limit shared by 2 workers)")
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--max-requests", type=int, default=20000)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--pages", default="")
    parser.add_argument("--rounds", type=int, default=3,
                        help="interleaved rounds per page (bare, page, page, bare, ...): the "
                             "duration and request count are shared among them")
    args = parser.parse_args()
    header(f"light pages under gunicorn -w 2, {args.duration:g} s or {args.max_requests} "
           f"requests per page in {args.rounds} interleaved rounds, concurrency "
           f"{args.concurrency}")
    for backend in args.backends.split(","):
        if backend == "sqlite":
            folder = tempfile.mkdtemp(prefix="anyam-load-db-")
            run_backend("sqlite", f"sqlite:///{Path(folder) / 'load.sqlite'}", args)
        elif backend == "postgres":
            if not postgres_answers():
                print("PostgreSQL does not answer on 127.0.0.1:5432: skipped", flush=True)
                continue
            url, drop = pg_database()
            try:
                run_backend("postgres", url, args)
            finally:
                drop()


if __name__ == "__main__":
    main()
