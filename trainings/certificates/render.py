"""Certificate PDFs: plain contexts → the PDF gateway, chunked, pooled and cached.

* A certificate's context is built from its stored claims (plain values only).
* The QR code is drawn where the page is laid out (in the pool worker), not in the caller.
* Several certificates are laid out as one WeasyPrint document per chunk (≤ 10 pages),
  written once (fonts subset once per chunk) and split into one PDF per certificate by
  :func:`trainings.pdf.split_pages` without rendering again; chunks run on the process's
  shared pool of rendering processes (spawned, started once and reused: each imports only
  what rendering needs and warms fonts, stylesheet and template once per process life;
  ``flask worker`` starts it when it starts, see :func:`start_pool`), as many at once as
  there are idle CPUs (:func:`trainings.processes.run_on_idle_cpus`).
* Every PDF is cached under ``<instance>/cache/certificates/<sha256>.pdf`` keyed by the
  context and the template, stylesheet and translations, so a re-download never renders.
"""
from __future__ import annotations

import base64
import functools
import gc
import hashlib
import io
import json
import math
import os
import struct
import tempfile
import unicodedata
import zlib
from concurrent.futures.process import BrokenProcessPool
from datetime import date
from pathlib import Path

from babel.dates import format_date
from flask import current_app
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l

from .. import pdf

TEMPLATE = "pdf/certificate.html"
STYLESHEET = "css/certificate.css"
CHUNK = 10  # pages per combined document (~2.5 MB per page while rendering; CPU per page
# is the same from 10 to 25, measured: fonts are subset once per chunk either way)
WHOLE = 15  # a batch that fits in one chunk of at most this many per rendering process
# is sent so (30 certificates, 2 processes: 2 chunks of 15, not 10 + 10 + 10: a chunk's
# fixed costs once less, and both processes finish together)
POOL_MIN = 8  # fewer certificates than this render in the calling process
POOL = pdf.SharedPool()  # this process's rendering processes (start_pool, render_many)

# The fixed wording of the certificate: printed in Indonesian and English together.
LABELS = {
    "certificate": _l("Certificate"),
    "awarded_to": _l("is awarded to"),
    "for_taking_part": _l("for taking part in the training"),
    "sessions": _l("Sessions attended"),
    "dates": _l("Training dates"),
    "organised_by": _l("Organised by"),
    "code": _l("Verification code"),
    "verify_at": _l("Check this certificate at"),
    "issued_on": _l("Certificate issued on"),
}

def labels() -> dict:
    """Each label in Indonesian and English (the certificate carries both)."""
    out = {}
    for lang in ("id", "en"):
        with force_locale(lang):
            for key, text in LABELS.items():
                out.setdefault(key, {})[lang] = str(text)
            out.setdefault("of", {})[lang] = gettext("of")
    return out


def is_rtl(text: str) -> bool:
    strong = [unicodedata.bidirectional(c) for c in text if unicodedata.bidirectional(c) in
              ("L", "R", "AL")]
    return bool(strong) and sum(1 for b in strong if b in ("R", "AL")) > len(strong) / 2


@functools.lru_cache(maxsize=1024)  # a pure function of its arguments; a batch repeats them
def date_range(first: str, last: str, lang: str) -> str:
    """``5–28 Desember 2023``, ``30 November – 2 December 2023`` (day first in both languages).

    Kept per process (a pure function of its three strings; the verification page formats
    four per request with Babel): bounded, never stale."""
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    full = format_date(end, "d MMMM y", locale=lang)
    if start == end:
        return full
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{full}"
    if start.year == end.year:
        return f"{format_date(start, 'd MMMM', locale=lang)} – {full}"
    return f"{format_date(start, 'd MMMM y', locale=lang)} – {full}"


def qr_drawing(url: str) -> bytes:
    """The QR code of ``url`` (error correction M, a quiet zone of 4 modules) as PDF vector
    operators in the unit square (y up, the first row at the top): a white square, then one black
    rectangle per run of dark modules in a row. Drawn over the page's placeholder when the
    chunk is split (what WeasyPrint would otherwise parse and draw from an SVG image)."""
    from .qr import matrix as qr_matrix
    matrix = qr_matrix(url, "m")  # segno's symbol, its mask chosen faster (qr.py)
    border = 4
    size = len(matrix) + 2 * border
    ops = [f"q {1 / size:.6f} 0 0 {1 / size:.6f} 0 0 cm 1 g 0 0 {size} {size} re f 0 g"]
    for y, row in enumerate(matrix, start=border):
        x, width = 0, len(row)
        while x < width:
            if row[x]:
                start = x
                while x < width and row[x]:
                    x += 1
                ops.append(f"{start + border} {size - 1 - y} {x - start} 1 re")
            else:
                x += 1
    ops.append("f Q")
    return "\n".join(ops).encode()


def qr_data_uri(url: str) -> str:
    """A vector QR code (SVG) of the verification URL, as a data: URI."""
    import segno
    return segno.make(url, error="m").svg_data_uri(scale=4, border=4, dark="#000", light="#fff")


def asset_data_uri(sha256: str | None, assets: dict) -> str | None:
    """A stored image as a data: URI (``assets``: sha256 -> (content_type, bytes)); the same
    image gives the same string object, so N contexts do not hold N copies of a logo."""
    if not sha256 or sha256 not in assets:
        return None
    content_type, data = assets[sha256]
    return _data_uri(content_type, data)


@functools.lru_cache(maxsize=64)
def _data_uri(content_type: str, data: bytes) -> str:
    return f"data:{content_type};base64,{base64.b64encode(data).decode()}"


def context(claims: dict, *, code: str, verify_url: str, assets: dict,
            label_text: dict | None = None) -> dict:
    """The certificate template's context: plain values only."""
    name = claims["name"]
    return {
        "code": code,
        "verify_url": verify_url,
        "name": name,
        "name_dir": "rtl" if is_rtl(name) else "ltr",
        "training": dict(claims["training"]),
        "dates": {lang: date_range(claims["first_date"], claims["last_date"], lang)
                  for lang in ("id", "en")},
        "issued": {lang: date_range(claims["issued_date"], claims["issued_date"], lang)
                   for lang in ("id", "en")},
        "sessions_attended": claims["sessions_attended"],
        "sessions_held": claims["sessions_held"],
        "statement": dict(claims.get("statement") or {"id": "", "en": ""}),
        "organisations": [{"name": o["name"], "logo": asset_data_uri(o.get("logo"), assets)}
                          for o in claims.get("organisations", [])],
        "signatories": [{"name": s["name"], "role": dict(s.get("role") or {}),
                         "organisation": s.get("organisation", ""),
                         "signature": asset_data_uri(s.get("signature"), assets)}
                        for s in claims.get("signatories", [])],
        "labels": label_text or labels(),
    }


def _sample() -> dict:
    """A made-up certificate (Latin and Arabic script, a logo-less organisation), rendered
    once by each rendering process when it starts, to warm fonts and shaping."""
    both = {"id": "Sertifikat", "en": "Certificate"}
    return {"code": "0000-0000-0000-0000", "verify_url": "https://example.org/verify/0000",
            "name": "Siti Rahmawati عائشہ صدیقی", "name_dir": "ltr",
            "training": {"id": "Pelatihan", "en": "Training"},
            "dates": {"id": "5–28 Desember 2023", "en": "5–28 December 2023"},
            "issued": {"id": "28 Desember 2023", "en": "28 December 2023"},
            "sessions_attended": 7, "sessions_held": 7,
            "statement": {"id": "Pernyataan", "en": "Statement"},
            "organisations": [{"name": "Anyam", "logo": None}],
            "signatories": [{"name": "Ratih", "role": both, "organisation": "Anyam",
                             "signature": None}],
            "labels": {key: both for key in [*LABELS, "of"]}}


def metadata(ctx: dict) -> dict:
    return {"title": f"Sertifikat / Certificate: {ctx['name']} ({ctx['code']})",
            "author": ", ".join(o["name"] for o in ctx["organisations"]) or "Anyam",
            "lang": "id"}


# Cache ---------------------------------------------------------------------------------

_digests: dict = {}


def _design() -> tuple[str, bool]:
    """The digest of the template and stylesheet, and whether they may be laid out with the
    lean user-agent stylesheet (``pdf/lean.py``: the same pages, a cheaper cascade); made
    again when either file changes (keyed by modification times)."""
    files = [Path(current_app.jinja_loader.searchpath[0]) / TEMPLATE,
             pdf.PACKAGE / "static" / STYLESHEET]
    key = tuple((str(f), f.stat().st_mtime_ns) for f in files)
    if key not in _digests:
        texts = [f.read_bytes() for f in files]
        digest = hashlib.sha256()
        for text in texts:
            digest.update(text)
        _digests.clear()
        _digests[key] = digest.hexdigest(), pdf.lean_usable(*(t.decode() for t in texts))
    return _digests[key]


def _design_digest() -> str:
    return _design()[0]


def cache_key(ctx: dict) -> str:
    payload = json.dumps(ctx, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((_design_digest() + payload).encode()).hexdigest()


def cache_dir() -> Path:
    path = Path(current_app.instance_path) / "cache" / "certificates"
    path.mkdir(parents=True, exist_ok=True)
    return path


def cached(key: str) -> bytes | None:
    try:
        return (cache_dir() / f"{key}.pdf").read_bytes()
    except FileNotFoundError:
        return None


def is_cached(key: str) -> bool:
    return (cache_dir() / f"{key}.pdf").exists()


def store(key: str, data: bytes) -> None:
    directory = cache_dir()
    fd, tmp = tempfile.mkstemp(dir=directory, suffix=".tmp")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, directory / f"{key}.pdf")


# Rendering -----------------------------------------------------------------------------

def with_qr(ctx: dict) -> dict:
    """The context with its QR code (built here, in the process that lays out the page)."""
    return ctx if ctx.get("qr") else {**ctx, "qr": qr_data_uri(ctx["verify_url"])}


def render_chunk(contexts: list[dict]) -> list[bytes]:
    """One document for the chunk, written once, split into one PDF per certificate.

    The QR codes are laid out as :data:`pdf.PLACEHOLDER` images (the same box, tag and alt
    text) and drawn as vectors into each page while splitting (:func:`qr_drawing`); so are
    the SVG logos and signatures, each drawn once per process (:func:`_drawn_once`; those
    a chunk needs first, together: :func:`pdf.drawn_all`)."""
    drawings = [qr_drawing(c["verify_url"]) for c in contexts]
    pdf.drawn_all([u for c in contexts for u in _images(c) if _is_svg(u)])  # together
    shared: dict = {}
    marked = [{**_drawn_once(c, shared), "qr": pdf.PLACEHOLDER} for c in contexts]
    document = pdf.render_document(TEMPLATE, {"certificates": marked}, stylesheets=(STYLESHEET,),
                                   lean=_design()[1])
    if len(document.pages) != len(contexts):  # a certificate overflowed its page: one by one
        if len(contexts) > 1:
            return [render_chunk([c])[0] for c in contexts]
        document = pdf.render_document(TEMPLATE, {"certificates": [with_qr(contexts[0])]},
                                       stylesheets=(STYLESHEET,), lean=_design()[1])  # whole
        return [pdf.write_pdf(document, **metadata(contexts[0]))]
    return pdf.split_pages(pdf.write_pdf(document), [metadata(c) for c in contexts],
                           drawings=drawings, shared=shared)


def _images(ctx: dict) -> list:
    return [o["logo"] for o in ctx["organisations"]] + [
        s["signature"] for s in ctx["signatories"]]


def _is_svg(url: str | None) -> bool:
    return bool(url) and url.startswith("data:image/svg+xml")


def _drawn_once(ctx: dict, shared: dict) -> dict:
    """The context with its SVG logos and signatures replaced by blank images of the same
    size (their forms, drawn once per process, go into ``shared``): WeasyPrint then
    neither parses nor draws an SVG on every page."""
    def swap(url):
        made = _placeholder(url) if _is_svg(url) else None
        if made is None:
            return url
        shared[made[0]] = made[1]
        return made[0]
    return {**ctx,
            "organisations": [{**o, "logo": swap(o["logo"])} for o in ctx["organisations"]],
            "signatories": [{**s, "signature": swap(s["signature"])} for s in ctx["signatories"]]}


@functools.lru_cache(maxsize=32)
def _placeholder(url: str) -> tuple | None:
    """``(URL of a blank PNG of the image's intrinsic size, its form, the form's PDF)``: the
    PNG names the image (its own URL, so its own XObject name); the PDF is held here, as
    the form lives in it (whatever ``pdf.drawn_all`` keeps)."""
    drawn = pdf.drawn_once(url)
    if drawn is None:
        return None
    width, height, form, source = drawn

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    tag = hashlib.sha256(url.encode()).hexdigest().encode()
    png = (b"\x89PNG\r\n\x1a\n"
           + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
           + chunk(b"tEXt", b"Comment\x00" + tag)
           + chunk(b"IDAT", zlib.compress((b"\x00" + b"\xff" * width) * height))
           + chunk(b"IEND", b""))
    return "data:image/png;base64," + base64.b64encode(png).decode(), form, source


# Rendering processes ------------------------------------------------------------------

def _settings() -> tuple:
    """What a rendering process needs of the app, as plain values (hashable): the template
    folder, the instance (cache, uploads) and the PDF asset roots."""
    app = current_app
    roots = app.config.get("PDF_ASSET_ROOTS") or {}
    return (str(Path(app.root_path, app.template_folder)), str(app.instance_path),
            tuple(sorted((k, str(v)) for k, v in roots.items())))


_apps: dict = {}


def _render_app(settings: tuple):
    """In a rendering process: a Flask app holding only what rendering reads (templates,
    instance path, asset roots), made once per settings; never the whole application."""
    if settings not in _apps:
        from flask import Flask
        template_folder, instance_path, roots = settings
        app = Flask("trainings", template_folder=template_folder, instance_path=instance_path)
        app.config["PDF_ASSET_ROOTS"] = dict(roots)
        _apps[settings] = app
    return _apps[settings]


def _worker_chunk(settings: tuple, contexts: list[dict],
                  keys: list | None = None) -> list[bytes] | None:
    """In a pool worker. With ``keys`` the worker stores the PDFs in the cache itself and
    sends nothing back (the parent neither unpickles nor holds them)."""
    try:
        with _render_app(settings).app_context():
            pdfs = render_chunk(contexts)
            if keys is None:
                return pdfs
            for key, data in zip(keys, pdfs, strict=True):
                store(key, data)
            return None
    finally:
        gc.collect()


def _init_worker(settings: tuple) -> None:
    """A rendering process, once when it starts: warm fonts, the stylesheet, the template
    and shaping with one sample certificate, so no batch pays for them.

    It lays out pages: hundreds of thousands of short-lived objects per chunk. Collect the
    youngest generation every 20 000 allocations, not 700 (the collector stays on); a full
    collection after each chunk (``_worker_chunk``) frees the chunk's layout, whose cycles
    outlived the young generations, so memory stays flat."""
    with _render_app(settings).app_context():
        warm_up()
        render_chunk([_sample()])
    gc.collect()
    gc.freeze()  # the warm state is never scanned again
    gc.set_threshold(20_000, 10, 10)


def warm_up() -> None:
    """Parse the stylesheet, make the font configuration and the QR code layouts."""
    from .qr import warm
    warm()
    pdf.font_config()
    pdf.fetcher()
    pdf.stylesheet(STYLESHEET)
    current_app.jinja_env.get_template(TEMPLATE)


def warm_caller() -> None:
    """What a batch needs in the calling process, loaded once: Babel's Indonesian and
    English locale data (month names: ~0.2 s to unpickle), the label translations and the
    ORM's mappers (configured on a process's first ORM query, ~40 ms: a worker's first
    poll for jobs does it anyway, before any job)."""
    from sqlalchemy.orm import configure_mappers  # here, not at import: renderers import this
    for lang in ("id", "en"):
        format_date(date(2000, 1, 1), "d MMMM y", locale=lang)
    labels()
    configure_mappers()


def start_pool(workers: int | None = None) -> list[int]:
    """Start this process's rendering processes now and wait until each is warm, and warm
    this process for batches (``flask worker`` calls it when it starts, so that no job
    pays for either); the rendering processes' ids, or
    ``[]`` where there is no pool (one worker, or a daemonic process: Celery's children)."""
    workers = workers if workers is not None else current_app.config["CERTIFICATES_PDF_WORKERS"]
    warm_caller()
    pool, shared = POOL.get(workers, initializer=_init_worker, initargs=(_settings(),))
    if pool is None:
        return []
    if not shared:
        pool.shutdown(wait=False)
        return []
    return pdf.start_workers(pool, workers)


def chunk_size(count: int, workers: int) -> int:
    """Pages per chunk for ``count`` certificates on ``workers`` rendering processes: one
    chunk per process when that is at most :data:`WHOLE` pages, else chunks of
    :data:`CHUNK` (and always those in the calling process: it holds the app too)."""
    size = max(1, math.ceil(count / max(1, workers)))
    return size if size <= (WHOLE if workers > 1 else CHUNK) else CHUNK


def render_many(contexts: list[dict], *, workers: int | None = None, use_cache: bool = True,
                on_progress=None, keep: bool = True) -> list[bytes]:
    """PDF bytes for each context (same order); cached ones are not rendered again.

    ``keep=False`` (with the cache) only fills the cache and answers ``[]``: the caller's
    memory then stays flat however many certificates there are (a background job)."""
    if not keep and not use_cache:
        raise ValueError("keep=False needs the cache")
    results: list[bytes | None] = [None] * len(contexts)
    keys = [cache_key(c) for c in contexts] if use_cache else [None] * len(contexts)
    todo = []
    for index, key in enumerate(keys):
        if key and not keep and is_cached(key):
            continue
        data = cached(key) if key else None
        if data is not None:
            results[index] = data
        else:
            todo.append(index)
    done = len(contexts) - len(todo)
    if on_progress and done:
        on_progress(done)
    workers = workers if workers is not None else current_app.config[
        "CERTIFICATES_PDF_WORKERS"]
    size = chunk_size(len(todo), workers)
    chunks = [todo[i:i + size] for i in range(0, len(todo), size)]

    def finish(chunk, pdfs):
        nonlocal done
        for index, data in zip(chunk, pdfs or [None] * len(chunk), strict=True):
            if keep:
                results[index] = data
            if keys[index] and data is not None:
                store(keys[index], data)
        done += len(chunk)
        if on_progress:
            on_progress(done)

    pool, shared = None, False
    if len(todo) >= POOL_MIN and workers > 1 and len(chunks) > 1:
        pool, shared = POOL.get(workers, initializer=_init_worker, initargs=(_settings(),))
    if pool is not None:
        settings = _settings()
        try:
            calls = [(_worker_chunk, settings, [contexts[i] for i in chunk],
                      None if keep else [keys[i] for i in chunk]) for chunk in chunks]
            for index, pdfs in pdf.run_on_idle_cpus(pool, calls, workers=workers):
                finish(chunks[index], pdfs)
        except BrokenProcessPool:
            POOL.discard(pool)  # a worker died: the next batch starts a new pool
            raise
        finally:
            if not shared:
                pool.shutdown(wait=True)
    else:  # in this process (no pool): never more than CHUNK pages at once
        if size > CHUNK:
            chunks = [todo[i:i + CHUNK] for i in range(0, len(todo), CHUNK)]
        for chunk in chunks:
            if chunk:
                finish(chunk, render_chunk([contexts[i] for i in chunk]))
    return results if keep else []  # type: ignore[return-value]


def merge(pdfs: list[bytes], *, title: str) -> bytes:
    """One PDF for printing, made of the single certificates (no re-rendering)."""
    from pypdf import PdfWriter
    writer = PdfWriter()
    for data in pdfs:
        writer.append(io.BytesIO(data))
    writer.add_metadata({"/Title": title})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
