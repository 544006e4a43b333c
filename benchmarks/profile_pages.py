"""CPU per request of the light pages, in-process, against the bare Flask app in the same run.

The data of ``benchmarks/load.py`` (same ``fill``), the app built as gunicorn builds it
(``wsgi.py``: ``create_app()`` from ``ANYAM_*`` variables, not TESTING), logged in through the real login
form; then each page is requested through Flask's test client, interleaved with the bare app
of ``benchmarks/bare_app.py`` (bare, page, bare, page, ...), and the CPU time per request
(``time.process_time``, GC on) is printed with its ratio to the bare app's. No network and no
load client: this is what one gunicorn worker spends, without the noise of a shared machine.

    python benchmarks/profile_pages.py [--requests 300] [--rounds 3] [--pages verify,schedule]
                                       [--profile PAGE] [--top 40] [--database URL]
                                       [--no-page-cache]

``--profile PAGE`` also runs cProfile over that page's requests and prints the top functions
(cumulative and own time). ``--database`` takes a PostgreSQL URL of an empty database. Pages are kept as in production
(trainings/pagecache.py: every request after the first is answered from the kept page);
``--no-page-cache`` renders each one (``PAGE_CACHE_SECONDS=0``), to profile the rendering.
"""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, emit, header

sys.path.insert(0, str(ROOT / "benchmarks"))
SECRET = "load-benchmark-only-key-0123456789abcdef"  # noqa: S105 - a throw-away key


def login(client, email: str) -> None:
    page = client.get("/login").get_data()
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        rb'value="([^"]+)"[^>]*name="csrf_token"', page)
    response = client.post("/login", data={"email": email, "password": "correct-horse-battery",
                                           "next": "", "csrf_token": token.group(1).decode()})
    if response.status_code != 302:
        raise RuntimeError(f"login failed ({response.status_code})")


def per_request(client, path: str, count: int) -> float:
    """CPU seconds per request over ``count`` requests (each must answer 200)."""
    start = time.process_time()
    for _ in range(count):
        response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}")
        response.close()
    return (time.process_time() - start) / count


def package_of(filename: str) -> str:
    """``site-packages/sqlalchemy/orm/x.py`` → sqlalchemy; templates → templates; ours → trainings/area."""
    path = filename.replace("\\", "/")
    if "site-packages/" in path:
        return path.split("site-packages/", 1)[1].split("/", 1)[0]
    if "/trainings/" in path:
        rest = path.split("/trainings/", 1)[1].split("/")
        return "trainings/" + (rest[0] if len(rest) > 1 else rest[0].removesuffix(".py"))
    if path.endswith(".html") or "/templates/" in path:
        return "templates (compiled)"
    if path.startswith("~") or path.startswith("<"):
        return "builtins"
    return "python stdlib" if "/lib/python" in path else path


def by_package(stats: pstats.Stats, requests: int) -> None:
    """Own time (tottime) summed by package: where a request's CPU goes."""
    totals: dict[str, float] = {}
    for (filename, _line, _name), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():
        key = package_of(filename)
        totals[key] = totals.get(key, 0.0) + tottime
    whole = sum(totals.values())
    print(f"own time by package (profiled, {1000 * whole / requests:.2f} ms per request):")
    for key, value in sorted(totals.items(), key=lambda kv: -kv[1])[:25]:
        print(f"  {100 * value / whole:5.1f} %  {key}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pages", default="")
    parser.add_argument("--profile", default="")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--database", default="")
    parser.add_argument("--no-page-cache", action="store_true",
                        help="render every page (PAGE_CACHE_SECONDS=0) instead of keeping it")
    args = parser.parse_args()

    import load as load_bench  # benchmarks/load.py: the same data
    instance = tempfile.mkdtemp(prefix="anyam-profile-")
    url = args.database or f"sqlite:///{Path(instance) / 'profile.sqlite'}"
    data = load_bench.fill(url, instance)
    os.environ.update(load_bench.app_env(
        url, instance, CERTIFICATE_VERIFY_RATE_LIMIT="1000000/minute",
        **({"PAGE_CACHE_SECONDS": "0"} if args.no_page_cache else {})))
    from bare_app import app as bare_app
    from flask import render_template
    from flask_login import login_required

    from wsgi import app  # as gunicorn builds it: instance/config.py, then ANYAM_* (no TESTING)
    # compiled once, as a template file is (render_template_string compiles on every call)
    floor = app.jinja_env.from_string(
        '{% extends "base.html" %}{% block content %}<h1>Bench</h1>{% endblock %}')

    @app.get("/bench-layout")  # before the first request: Flask refuses new routes after it
    @login_required
    def layout():  # the floor of any logged-in page: session, user, base layout, headers
        return render_template(floor)

    header(f"light pages in-process, CPU per request, {args.requests} requests x "
           f"{args.rounds} rounds, {url.split(':', 1)[0]}"
           f"{', no page kept' if args.no_page_cache else ', pages kept'}")
    bare = bare_app.test_client()
    organiser, participant, anonymous = (app.test_client() for _ in range(3))
    login(organiser, "organiser@example.org")
    login(participant, "participant@example.org")
    pages = {
        "training page (organiser)": (organiser, f"/trainings/{data['training']}"),
        "training page (participant)": (participant, f"/trainings/{data['training']}"),
        "my schedule": (participant, "/me/schedule"),
        "my schedule, all past sessions": (participant, "/me/schedule?past=all"),
        "base layout only (participant)": (participant, "/bench-layout"),
        "verify": (anonymous, f"/verify/{data['code']}"),
        "healthz": (anonymous, "/healthz"),
    }
    if args.pages:
        pages = {k: v for k, v in pages.items() if any(p in k for p in args.pages.split(","))}
    for client, path in pages.values():  # warm: templates compiled, caches filled
        per_request(client, path, 5)
    per_request(bare, "/bare", 50)
    for label, (client, path) in pages.items():
        page_runs, bare_runs = [], []
        for index in range(args.rounds):
            order = [("bare", bare, "/bare"), ("page", client, path)]
            for kind, c, p in (order if index % 2 == 0 else order[::-1]):
                (bare_runs if kind == "bare" else page_runs).append(
                    per_request(c, p, args.requests))
        page_ms, bare_ms = 1000 * statistics.median(page_runs), 1000 * statistics.median(bare_runs)
        emit("profile", label, value=page_ms, unit="ms CPU", baseline=bare_ms,
             baseline_name="bare Flask test client, same run", runs=args.rounds * args.requests,
             note=f"bare/page = {bare_ms / page_ms:.3f} (the load ratio's in-process analogue)")
        if args.profile and args.profile in label:
            profiler = cProfile.Profile(time.process_time)  # CPU, not the wait for the database
            profiler.enable()
            per_request(client, path, args.requests)
            profiler.disable()
            stats = pstats.Stats(profiler, stream=sys.stdout)
            by_package(stats, args.requests)
            stats.strip_dirs().sort_stats("cumulative").print_stats(args.top)
            stats.sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
