"""Module editions: Anyam's render next to raw WeasyPrint on the same HTML, and the CLI.

    python benchmarks/modules.py [SLUG] [--repeat N] [--json]

For each edition (id, en, bilingual), interleaved rounds of: Anyam's full render (sources ->
Markdown -> Jinja -> gateway -> PDF bytes, no cache) and raw WeasyPrint on the very same HTML
(``HTML(string).write_pdf`` with the shared font configuration and fetcher). Medians of wall
and CPU time, for the module's real number of pages (nothing extrapolated).

Then what an organiser waits for at the command line: ``flask --app wsgi modules build SLUG``
in a fresh process with an empty cache (start-up, checks, all three editions, writing the
files), against the three in-process renders above as the baseline.
"""
from __future__ import annotations

import argparse
import io
import os
import resource
import subprocess
import sys
import tempfile
import time

from common import ROOT, emit, header, interleave, measure, median


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("slug", nargs="?", default="kepemimpinan-perempuan")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from pypdf import PdfReader
    from weasyprint import HTML

    from trainings import create_app, pdf
    from trainings.modules import services

    instance = tempfile.mkdtemp(prefix="anyam-bench-")
    os.environ.setdefault("ANYAM_SECRET_KEY", "benchmark-only-key-0123456789")
    app = create_app({"TESTING": True, "SECRET_KEY": "benchmark-only-key-0123456789",
                      "INSTANCE_PATH": instance,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance}/bench.sqlite"})
    header(f"modules: {args.slug}, {args.repeat} interleaved rounds")
    inprocess = 0.0
    with app.app_context():
        module = services.publishable(args.slug)
        services.render_edition_pdf(module, "id")  # warm up fonts, fetcher, templates
        for edition in ("id", "en", "bilingual"):
            html = services.edition_html(module, edition)
            out: dict = {}

            def ours(edition=edition, out=out):
                out["data"] = services.render_edition_pdf(module, edition)

            def raw(html=html):
                HTML(string=html, base_url=pdf.asset_url(""), url_fetcher=pdf.fetcher()).write_pdf(
                    font_config=pdf.font_config(), pdf_variant=pdf.PDF_VARIANT)

            runs = interleave({"ours": lambda ours=ours: measure(ours),
                               "raw": lambda raw=raw: measure(raw)}, args.repeat)
            pages = len(PdfReader(io.BytesIO(out["data"])).pages)
            inprocess += median(runs["ours"])
            emit("modules", f"{edition} edition, {pages} pages", value=median(runs["ours"]),
                 unit="s", baseline=median(runs["raw"]), baseline_name="raw WeasyPrint, same HTML",
                 cpu=median(runs["ours"], "cpu"), cpu_baseline=median(runs["raw"], "cpu"),
                 load_avg=max(r.load for r in runs["ours"] + runs["raw"]), runs=args.repeat,
                 goal="goal <= 2 s for a 20-page module")

    walls, cpus, loads = [], [], []
    for _ in range(args.repeat):
        fresh = tempfile.mkdtemp(prefix="anyam-bench-cli-")
        env = {**os.environ, "ANYAM_INSTANCE_PATH": fresh,
               "ANYAM_SQLALCHEMY_DATABASE_URI": f"sqlite:///{fresh}/cli.sqlite"}
        cpu0, start = children_cpu(), time.perf_counter()
        subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "modules", "build",
                        args.slug], cwd=str(ROOT), env=env, check=True, capture_output=True)
        walls.append(time.perf_counter() - start)
        cpus.append(children_cpu() - cpu0)
        loads.append(os.getloadavg()[0])
    import statistics
    emit("modules", "CLI: flask modules build (3 editions)", value=statistics.median(walls),
         unit="s", baseline=inprocess, baseline_name="the 3 in-process renders above",
         cpu=statistics.median(cpus), load_avg=max(loads), runs=args.repeat,
         note="start-up, checks, 3 editions, files; empty cache")


if __name__ == "__main__":
    main()
