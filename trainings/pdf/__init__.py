"""The PDF gateway (this package: the only code that imports WeasyPrint).

Rendering takes a template from ``templates/pdf/`` and a context of plain values (dicts,
strings, numbers: never ORM objects). Assets are reached only through the restricted URL
fetcher: ``data:`` URIs and ``anyam-asset:/<root>/<path>`` for the project's own files
(``static`` = trainings/static, ``modules`` = modules/, ``uploads`` = instance/uploads).
Everything else (``file:``, ``http(s):``, redirects, paths escaping a root) is refused
and recorded in :data:`REFUSED`, so hostile text fetches nothing.

Per process, made once and reused: the FontConfiguration (a new one per render leaks
memory and is slow), the fetcher (its constructor loads the certificate store), parsed
stylesheets (keyed by path and modification time) and compiled Jinja templates (Flask's
environment caches them).

WeasyPrint (~30 MB resident with its dependencies) is imported on the first render, not
when the app starts: a web or worker process that never renders does not carry it.
"""
from __future__ import annotations

import collections
import logging
import mimetypes
import threading
from pathlib import Path
from urllib.parse import unquote

from flask import current_app

# Rendering processes are made in one place, trainings/processes.py (re-exported here).
from ..processes import (  # noqa: F401
    SharedPool,
    can_fork_pool,
    process_pool,
    run_on_idle_cpus,
    start_workers,
)

ASSET_SCHEME = "anyam-asset"
PACKAGE = Path(__file__).resolve().parent.parent  # trainings/
PROJECT = PACKAGE.parent
PDF_VARIANT = "pdf/ua-1"  # tagged, for screen readers

#: The last URLs the fetcher refused (for logs and tests).
REFUSED: collections.deque[str] = collections.deque(maxlen=200)

_lock = threading.RLock()  # stylesheet() builds the fetcher while holding it
_state: dict = {}
logger = logging.getLogger(__name__)


def asset_url(path: str, root: str = "static") -> str:
    """The URL of one of the project's own files, for use in PDF templates."""
    return f"{ASSET_SCHEME}:/{root}/{path.lstrip('/')}"


def has_harfbuzz_subset() -> bool:
    """WeasyPrint falls back to fontTools (about 4x slower) without libharfbuzz-subset."""
    from weasyprint.text.ffi import harfbuzz_subset
    return harfbuzz_subset is not None


def producer() -> str:
    from weasyprint import __version__
    return f"WeasyPrint {__version__}"


def _fetcher_class():
    """The restricted fetcher's class (made on first use: it subclasses WeasyPrint's)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class RestrictedFetcher(URLFetcher):
        def __init__(self, roots: dict[str, Path]):
            super().__init__(timeout=5, allowed_protocols=("data", ASSET_SCHEME),
                             allow_redirects=False, fail_on_errors=False)
            self.roots = {name: path.resolve() for name, path in roots.items()}

        def fetch(self, url, headers=None):
            scheme = url.split(":", 1)[0].lower() if ":" in url else ""
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == ASSET_SCHEME:
                target = self._resolve(url)
                if target is not None:
                    content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
                    return URLFetcherResponse(url, target.read_bytes(),
                                              {"Content-Type": content_type})
            REFUSED.append(url[:300])
            raise ValueError(f"refused by Anyam's PDF URL fetcher: {url[:100]}")

        def _resolve(self, url: str) -> Path | None:
            rest = unquote(url[len(ASSET_SCHEME) + 1:].split("?")[0].split("#")[0]).lstrip("/")
            root_name, _, relative = rest.partition("/")
            root = self.roots.get(root_name)
            if root is None or not relative:
                return None
            target = (root / relative).resolve()
            if not target.is_relative_to(root) or not target.is_file():
                return None
            return target

    return RestrictedFetcher


def _roots() -> dict[str, Path]:
    roots = {"static": PACKAGE / "static", "modules": PROJECT / "modules"}
    try:
        roots["uploads"] = Path(current_app.instance_path) / "uploads"
    except RuntimeError:
        pass
    extra = current_app.config.get("PDF_ASSET_ROOTS") if current_app else None
    roots.update({k: Path(v) for k, v in (extra or {}).items()})
    return roots


def _shared(name: str, factory):
    with _lock:
        if name not in _state:
            _state[name] = factory()
        return _state[name]


def font_config():
    """WeasyPrint's FontConfiguration, one per process (made with it: cffi's fixed-length
    arrays without parsing C, ``pdf/arrays.py``; every render asks for this first)."""
    def make():
        from weasyprint.text.ffi import ffi
        from weasyprint.text.fonts import FontConfiguration

        from .arrays import install
        if not install(ffi):
            logger.warning("cffi internals differ: array types are parsed as before")
        return FontConfiguration()
    return _shared("font_config", make)


def fetcher():
    """The restricted URL fetcher (one per set of roots)."""
    key = "fetcher:" + ",".join(f"{k}={v}" for k, v in sorted(_roots().items()))
    return _shared(key, lambda: _shared("fetcher_class", _fetcher_class)(_roots()))


def stylesheet(path: str):
    """A parsed stylesheet from trainings/static (e.g. 'css/certificate.css'), cached."""
    file = (PACKAGE / "static" / path).resolve()
    if not file.is_relative_to(PACKAGE / "static") or not file.is_file():
        raise FileNotFoundError(path)
    key = f"css:{file}:{file.stat().st_mtime_ns}"
    from weasyprint import CSS
    return _shared(key, lambda: CSS(string=file.read_text(encoding="utf-8"),
                                    base_url=asset_url(path), url_fetcher=fetcher(),
                                    font_config=font_config()))


def html_document(html: str, *, lean: bool = False):
    """WeasyPrint's parsed HTML; ``lean``: with the lean user-agent stylesheet (pdf/lean.py)."""
    from weasyprint import HTML
    kind = _shared("lean_html", _lean_html) if lean else HTML
    return kind(string=html, base_url=asset_url(""), url_fetcher=fetcher())


def _lean_html():
    """WeasyPrint's HTML class with the lean sheet; HTML itself (the full sheet) where
    WeasyPrint's or tinycss2's internals differ from those it was written against."""
    from weasyprint import CSS, HTML
    from weasyprint.css.counters import CounterStyle

    from .lean import html_class, lean_ua_text
    try:
        from weasyprint.html import UA
        sheet = CSS(string=lean_ua_text(UA), counter_style=CounterStyle())
    except (ImportError, AttributeError):
        logger.warning("lean user-agent stylesheet unavailable: the full one is used")
        return HTML
    return html_class(HTML, sheet) or HTML


def lean_usable(*sources: str) -> bool:
    """Whether templates and stylesheets (their text) may use the lean user-agent sheet."""
    from .lean import usable_for
    return usable_for(*sources)


def render_html(template: str, context: dict) -> str:
    """Jinja straight from the app's environment (compiled once, cached): no request needed,
    no context processors. Use ``flask_babel.force_locale`` around it for UI strings."""
    return current_app.jinja_env.get_template(template).render(asset_url=asset_url, **context)


def render_document(template: str, context: dict, *, stylesheets: tuple[str, ...] = (),
                    lean: bool = False):
    """Lay out a template into a WeasyPrint Document (pages can be split or combined);
    ``lean`` only where :func:`lean_usable` accepts the template and stylesheets."""
    html = render_html(template, context)
    enable_structure_languages()  # /Lang and /Scope in the structure tree, for every PDF
    return html_document(html, lean=lean).render(
        font_config=font_config(), stylesheets=[stylesheet(s) for s in stylesheets],
        pdf_variant=PDF_VARIANT)


def write_pdf(document, *, title: str | None = None, author: str | None = None,
              lang: str | None = None) -> bytes:
    """Serialise a rendered document (or a ``document.copy(pages)``) with metadata."""
    metadata = document.metadata
    if title is not None:
        metadata.title = title
    if author is not None:
        metadata.authors = [author]
    if lang is not None:
        metadata.lang = lang
    return document.write_pdf(pdf_variant=PDF_VARIANT)


def render_pdf(template: str, context: dict, *, stylesheets: tuple[str, ...] = (),
               title: str | None = None, author: str | None = None,
               lang: str | None = None) -> bytes:
    """Render a template with plain values to PDF bytes, through the restricted fetcher."""
    document = render_document(template, context, stylesheets=stylesheets)
    return write_pdf(document, title=title, author=author, lang=lang)


def enable_structure_languages() -> bool:
    """Carry HTML ``lang`` attributes into the PDF structure tree (``/Lang`` on each tagged
    element), so screen readers switch voice per section or column, and give header cells
    their ``/Scope`` (``scope="row"``, else ``/Column``). WeasyPrint 70 only sets the
    document language and no scope; this wraps its tag builder once per process (idempotent; it
    answers False, changing nothing, when WeasyPrint's internals differ)."""
    def install():
        try:
            import pydyf
            from weasyprint.pdf import tags
        except ImportError:
            return False
        original = getattr(tags, "_build_box_tree", None)
        if original is None or getattr(original, "anyam_lang", False):
            return bool(original)

        def build_box_tree(box, *args, **kwargs):
            element = getattr(box, "element", None)
            attrib = element if element is not None and hasattr(element, "get") else {}
            lang = attrib.get("lang")
            header = getattr(box, "element_tag", None) == "th"
            for struct in original(box, *args, **kwargs):
                if lang and isinstance(struct, dict) and "Lang" not in struct:
                    struct["Lang"] = pydyf.String(lang)
                if header and isinstance(struct, dict) and struct.get("S") == "/TH":
                    # A header cell's scope (PDF/UA: headers must be associated).
                    struct.setdefault("A", pydyf.Dictionary({"O": "/Table"}))
                    struct["A"]["Scope"] = "/Row" if attrib.get("scope") == "row" else "/Column"
                yield struct

        build_box_tree.anyam_lang = True
        tags._build_box_tree = build_box_tree
        return True

    return _shared("structure_languages", install)


# Splitting (pikepdf): trainings/pdf/split.py, re-exported here.
from .split import PLACEHOLDER, drawn_all, drawn_once, placeholder_prefix, split_pages  # noqa: E402, F401
