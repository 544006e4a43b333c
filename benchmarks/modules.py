"""Module editions: Anyam's render time next to raw WeasyPrint on the same HTML.

    python benchmarks/modules.py [SLUG] [--repeat N]

For each edition (id, en, bilingual) prints pages, Anyam's full render (sources ->
Markdown -> Jinja -> gateway -> PDF bytes), the raw WeasyPrint time for the very same
HTML (HTML(string).write_pdf with the shared font configuration and fetcher), the ratio,
the time scaled to 20 pages (target: at most 2 s), and a cached download. All in one run.
"""
from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


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
    with app.app_context():
        module = services.publishable(args.slug)
        services.render_edition_pdf(module, "id")  # warm up fonts, fetcher, templates
        print(f"module {args.slug}, best of {args.repeat} runs, harfbuzz subset: "
              f"{pdf.has_harfbuzz_subset()}")
        print(f"{'edition':<10} {'pages':>5} {'anyam s':>8} {'raw s':>7} {'ratio':>6} "
              f"{'s/20 p':>7} {'cached ms':>9}")
        for edition in ("id", "en", "bilingual"):
            ours, raw = [], []
            data = b""
            for _ in range(args.repeat):
                start = time.perf_counter()
                data = services.render_edition_pdf(module, edition)
                ours.append(time.perf_counter() - start)
                html = services.edition_html(module, edition)
                start = time.perf_counter()
                HTML(string=html, base_url=pdf.asset_url(""), url_fetcher=pdf.fetcher()).write_pdf(
                    font_config=pdf.font_config(), pdf_variant=pdf.PDF_VARIANT)
                raw.append(time.perf_counter() - start)
            pages = len(PdfReader(io.BytesIO(data)).pages)
            services.edition_pdf(args.slug, edition)  # fill the cache
            start = time.perf_counter()
            cached = services.edition_pdf(args.slug, edition)
            cached_ms = (time.perf_counter() - start) * 1000
            assert not cached.rendered
            best, best_raw = min(ours), min(raw)
            print(f"{edition:<10} {pages:>5} {best:>8.2f} {best_raw:>7.2f} "
                  f"{best / best_raw:>6.2f} {best * 20 / pages:>7.2f} {cached_ms:>9.1f}"
                  f"   (median {statistics.median(ours):.2f} / {statistics.median(raw):.2f})")


if __name__ == "__main__":
    main()
