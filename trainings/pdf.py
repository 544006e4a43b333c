"""The PDF gateway: the only module that imports WeasyPrint.

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
import functools
import io
import logging
import mimetypes
import threading
from pathlib import Path
from urllib.parse import unquote

from flask import current_app

# Rendering processes are made in one place, trainings/processes.py (re-exported here).
from .processes import SharedPool, can_fork_pool, process_pool, start_workers  # noqa: F401

ASSET_SCHEME = "anyam-asset"
PACKAGE = Path(__file__).resolve().parent
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
    """WeasyPrint's FontConfiguration, one per process."""
    def make():
        from weasyprint.text.fonts import FontConfiguration
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


def html_document(html: str):
    from weasyprint import HTML
    return HTML(string=html, base_url=asset_url(""), url_fetcher=fetcher())


def render_html(template: str, context: dict) -> str:
    """Jinja straight from the app's environment (compiled once, cached): no request needed,
    no context processors. Use ``flask_babel.force_locale`` around it for UI strings."""
    return current_app.jinja_env.get_template(template).render(asset_url=asset_url, **context)


def render_document(template: str, context: dict, *, stylesheets: tuple[str, ...] = ()):
    """Lay out a template into a WeasyPrint Document (pages can be split or combined)."""
    html = render_html(template, context)
    enable_structure_languages()  # /Lang and /Scope in the structure tree, for every PDF
    return html_document(html).render(
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


#: A 3×3 white PNG: laid out where a drawing goes that :func:`split_pages` puts in later
#: (``<img src="{{ PLACEHOLDER }}" alt="...">`` keeps its box, its tag and its alt text).
PLACEHOLDER = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAMAAAADCAAAAABzQ+pjAAAAD0lEQVR4"
               "2mP8z8DAxADBAAslAQUlTV8lAAAAAElFTkSuQmCC")


def _placeholder_prefix() -> str:
    return placeholder_prefix(PLACEHOLDER)


def _draw_over_placeholder(target, page, drawing: bytes | None, shared: dict) -> int:
    """Replace the placeholder image drawn on ``page`` (also inside its forms) by a form
    XObject of ``drawing``: PDF operators in the unit square the image filled (y up, as
    drawn on the page); and each image named by a prefix of ``shared`` by its form (from
    :func:`drawn_once`, copied once per PDF). The number of :data:`PLACEHOLDER` replaced."""
    import pikepdf
    prefix, replaced, seen, copies = _placeholder_prefix(), 0, set(), {}
    if drawing is not None:
        form = target.make_stream(drawing)
        form.Type, form.Subtype = pikepdf.Name.XObject, pikepdf.Name.Form
        form.BBox = pikepdf.Array([0, 0, 1, 1])

    def visit(holder):
        nonlocal replaced
        objects = holder.get("/Resources", {}).get("/XObject")
        if objects is None or objects.objgen in seen and objects.objgen != (0, 0):
            return
        seen.add(objects.objgen)
        for name in list(objects.keys()):
            item = objects[name]
            if item.get("/Subtype") == "/Form":
                visit(item)
            elif drawing is not None and name.startswith(prefix):
                objects[name] = form
                replaced += 1
            elif name[:34] in shared:
                if name[:34] not in copies:
                    with _lock:  # the form's PDF is shared by this process's threads
                        copies[name[:34]] = target.copy_foreign(shared[name[:34]])
                objects[name] = copies[name[:34]]

    visit(page)
    return replaced


@functools.lru_cache(maxsize=32)
def drawn_once(url: str) -> tuple | None:
    """An image (e.g. an SVG ``data:`` URI) drawn once, alone, as a form XObject in the unit
    square (y up), to go over a placeholder of the same intrinsic size (see
    :func:`split_pages`): ``(width px, height px, form, its PDF)``, or None when that size
    is not whole pixels."""
    from html import escape

    import pikepdf
    from weasyprint.formatting_structure import boxes
    side = 4000  # px; the page of the lone image, large enough not to constrain it
    html = (f"<style>@page{{size:{side}px;margin:0}}body{{margin:0}}img{{display:block}}"
            f'</style><img src="{escape(url)}" alt="">')
    document = html_document(html).render(font_config=font_config())
    image = next((b for b in document.pages[0]._page_box.descendants()
                  if isinstance(b, boxes.ReplacedBox)), None)
    if image is None or not all(float(v).is_integer() and 0 < v <= 2000
                                for v in (image.width, image.height)):
        return None
    x, y, w, h = image.content_box_x(), image.content_box_y(), image.width, image.height
    source = pikepdf.open(io.BytesIO(document.write_pdf()))  # untagged: no marked content
    form = source.pages[0].as_form_xobject()
    scale, top = 0.75, side * 0.75  # px to pt; PDF y grows upwards from the page's bottom
    x0, y0, x1, y1 = x * scale, top - (y + h) * scale, (x + w) * scale, top - y * scale
    form.BBox = pikepdf.Array([x0, y0, x1, y1])
    form.Matrix = pikepdf.Array([1 / (x1 - x0), 0, 0, 1 / (y1 - y0), -x0 / (x1 - x0),
                                 -y0 / (y1 - y0)])
    return int(w), int(h), form, source  # the form lives in its source: kept with it


def placeholder_prefix(url: str) -> str:
    """WeasyPrint names an image XObject ``i`` + the MD5 of its URL (+ size and options)."""
    import hashlib
    return "/i" + hashlib.md5(url.encode(), usedforsecurity=False).hexdigest()


def split_pages(data: bytes, metadata: list[dict],
                drawings: list[bytes] | None = None, shared: dict | None = None) -> list[bytes]:
    """One PDF per page of ``data`` without rendering again.

    ``data`` was written once by WeasyPrint (so the chunk's fonts were subset once). Each copy
    gets its page with its resources, that page's part of the structure tree (tagged PDF/UA),
    its bookmarks, the catalogue's language and viewer preferences, and its own ``title``,
    ``author`` and ``lang`` (``metadata[i]``) in the document information and the XMP packet.
    The source is parsed once; qpdf copies only the objects a page reaches.
    ``drawings[i]`` (PDF operators, see :func:`_draw_over_placeholder`) replaces the
    :data:`PLACEHOLDER` image of page ``i``; a page without one is an error. ``shared``
    maps a placeholder image's URL to a form (:func:`drawn_once`), drawn wherever it was laid out.
    """
    import pikepdf
    out = []
    with pikepdf.open(io.BytesIO(data)) as source:
        if len(source.pages) != len(metadata):
            raise ValueError("one metadata dict per page is needed")
        structure = _PageStructure(source)
        forms = {placeholder_prefix(url): form for url, form in (shared or {}).items()}
        for index, meta in enumerate(metadata):
            target = pikepdf.Pdf.new()
            target.pages.append(source.pages[index])
            page = target.pages[0].obj
            structure.copy(source.pages[index].obj, target, page)
            _copy_outline(source, target, source.pages[index].obj, page)
            drawing = drawings[index] if drawings is not None else None
            if _draw_over_placeholder(target, page, drawing, forms) == 0 and drawing is not None:
                raise ValueError(f"page {index + 1} has no placeholder to draw over")
            root = source.Root
            if "/Lang" in root:
                target.Root.Lang = root.Lang
            for key in ("/MarkInfo", "/ViewerPreferences"):
                if key in root:
                    target.Root[key] = _copy(target, root[key])
            _set_metadata(target, is_ua="pdfuaid" in _xmp_text(source), **meta)
            buffer = io.BytesIO()
            target.save(buffer, object_stream_mode=pikepdf.ObjectStreamMode.generate)
            out.append(buffer.getvalue())
    return out


def _copy(target, value):
    """``value`` from another PDF into ``target`` (indirect objects through qpdf's copier,
    so that an object copied twice is the same object)."""
    import pikepdf
    if not isinstance(value, pikepdf.Object):
        return value
    if value.is_indirect:
        return target.copy_foreign(value)
    if isinstance(value, pikepdf.Array):
        return pikepdf.Array([_copy(target, item) for item in value])
    if isinstance(value, pikepdf.Dictionary):
        return pikepdf.Dictionary({key: _copy(target, item) for key, item in value.items()})
    return value


class _PageStructure:
    """WeasyPrint's structure tree: StructTreeRoot → Document → elements carrying /Pg."""

    def __init__(self, source):
        import pikepdf
        self.tree = source.Root.get("/StructTreeRoot")
        self.document = None
        self.parents = {}
        if self.tree is None:
            return
        kids = self.tree.get("/K")
        document = kids[0] if isinstance(kids, pikepdf.Array) and len(kids) == 1 else kids
        if not isinstance(document, pikepdf.Dictionary) or not isinstance(
                document.get("/K"), pikepdf.Array):
            raise ValueError("unexpected structure tree")
        self.document = document
        self.kids = list(document.K)
        nums = self.tree.ParentTree.Nums if "/ParentTree" in self.tree else []
        self.parents = {int(nums[i]): nums[i + 1] for i in range(0, len(nums) - 1, 2)}
        if not all("/Pg" in kid for kid in self.kids):
            raise ValueError("a top-level structure element without a page")

    def copy(self, source_page, target, page) -> None:
        import pikepdf
        if self.document is None:
            return
        mine = [kid for kid in self.kids if kid.Pg.objgen == source_page.objgen]
        number = source_page.get("/StructParents")
        document = self.document
        # Detach the Document from the rest while copying, so that no other page is reached.
        saved_kids, saved_parent = document.K, document.get("/P")
        document.K = pikepdf.Array()
        if saved_parent is not None:
            del document["/P"]
        try:
            copied = [_copy(target, kid) for kid in mine]
            entry = (_copy(target, self.parents[int(number)])
                     if number is not None and int(number) in self.parents else None)
        finally:
            document.K = saved_kids
            if saved_parent is not None:
                document.P = saved_parent
        new_document = copied[0].P if copied else target.make_indirect(
            pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name.Document))
        new_document.K = pikepdf.Array(copied)
        nums = pikepdf.Array([number, entry]) if entry is not None else pikepdf.Array()
        tree = target.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.StructTreeRoot, K=pikepdf.Array([new_document]),
            ParentTree=pikepdf.Dictionary(Nums=nums)))
        new_document.P = tree
        target.Root.StructTreeRoot = tree
        for element in copied:
            if element.Pg.objgen != page.objgen:
                raise ValueError("structure element copied away from its page")


def _copy_outline(source, target, source_page, page) -> None:
    """The bookmarks pointing at the page (top level, with their children on that page)."""
    import pikepdf
    outlines = source.Root.get("/Outlines")
    if outlines is None:
        return

    def items(parent):
        item = parent.get("/First")
        while item is not None:
            yield item
            item = item.get("/Next")

    def on_page(item) -> bool:
        dest = item.get("/Dest")
        return isinstance(dest, pikepdf.Array) and len(dest) > 0 and \
            dest[0].objgen == source_page.objgen

    def copy_level(parent_source, parent_target) -> int:
        made = []
        for item in items(parent_source):
            if not on_page(item):
                continue
            dest = list(item.Dest)
            new = target.make_indirect(pikepdf.Dictionary(
                Title=item.get("/Title", pikepdf.String("")), Parent=parent_target,
                Dest=pikepdf.Array([page] + [_copy(target, v) for v in dest[1:]])))
            count = copy_level(item, new)
            if count:
                new.Count = count
            made.append(new)
        for before, after in zip(made, made[1:], strict=False):
            before.Next, after.Prev = after, before
        if made:
            parent_target.First, parent_target.Last = made[0], made[-1]
        return len(made) + sum(int(m.get("/Count", 0)) for m in made)

    new_outlines = target.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Outlines))
    count = copy_level(outlines, new_outlines)
    if count:
        new_outlines.Count = count
        target.Root.Outlines = new_outlines


def _xmp_text(document) -> str:
    metadata = document.Root.get("/Metadata")
    return metadata.read_bytes().decode("utf-8", "replace") if metadata is not None else ""


_XMP = ('<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        '<rdf:RDF xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:pdf="http://ns.adobe.com/pdf/1.3/" '
        'xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/" '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">{body}</rdf:RDF>\n'
        '</x:xmpmeta>\n<?xpacket end="r"?>')


def _set_metadata(document, *, title: str | None = None, author: str | None = None,
                  lang: str | None = None, is_ua: bool = False) -> None:
    """The document information dictionary and a matching XMP packet (PDF/UA wants both)."""
    from xml.sax.saxutils import escape

    import pikepdf
    body = []
    if is_ua:
        body.append('<rdf:Description rdf:about="" pdfuaid:part="1" />')
    body.append(f'<rdf:Description rdf:about="" pdf:Producer="{escape(producer())}" />')
    if title is not None:
        document.docinfo["/Title"] = title
        body.append('<rdf:Description rdf:about=""><dc:title><rdf:Alt><rdf:li xml:lang="x-default">'
                    f'{escape(title)}</rdf:li></rdf:Alt></dc:title></rdf:Description>')
    if author is not None:
        document.docinfo["/Author"] = author
        body.append('<rdf:Description rdf:about=""><dc:creator><rdf:Seq><rdf:li>'
                    f'{escape(author)}</rdf:li></rdf:Seq></dc:creator></rdf:Description>')
    document.docinfo["/Producer"] = producer()
    stream = pikepdf.Stream(document, _XMP.format(body="".join(body)).encode("utf-8"))
    stream.Type, stream.Subtype = pikepdf.Name.Metadata, pikepdf.Name.XML
    document.Root.Metadata = document.make_indirect(stream)
    if lang is not None:
        document.Root.Lang = pikepdf.String(lang)


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
