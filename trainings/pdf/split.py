"""Splitting a PDF written once into one PDF per page (pikepdf), and drawing over the
placeholder images laid out for drawings added later (QR codes, SVGs drawn once)."""
from __future__ import annotations

import io

from . import _lock, font_config, html_document, producer

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


DRAWN_KEPT = 32  # images drawn once kept per process (the oldest go first)
_drawn: dict = {}  # URL -> drawn_once()'s answer


def drawn_once(url: str) -> tuple | None:
    """An image (e.g. an SVG ``data:`` URI) drawn once, alone, as a form XObject in the unit
    square (y up), to go over a placeholder of the same intrinsic size (see
    :func:`split_pages`): ``(width px, height px, form, its PDF)``, or None when that size
    is not whole pixels (or the image cannot be drawn)."""
    return drawn_all([url])[url]


def drawn_all(urls: list[str]) -> dict:
    """:func:`drawn_once` for each of ``urls``; those not drawn yet in this process are
    drawn together, one page each of one document, written once (fonts subset once, one
    cascade, one PDF parsed), not one document each."""
    wanted = list(dict.fromkeys(urls))
    with _lock:
        missing = [url for url in wanted if url not in _drawn]
        made = _draw(missing) if missing else {}
        answer = {url: made[url] if url in made else _drawn[url] for url in wanted}
        _drawn.update(made)
        while len(_drawn) > DRAWN_KEPT:
            del _drawn[next(iter(_drawn))]
    return answer


def _draw(urls: list[str]) -> dict:
    from html import escape

    import pikepdf
    from weasyprint.formatting_structure import boxes
    side = 4000  # px; the page of each image, large enough not to constrain it
    html = (f"<style>@page{{size:{side}px;margin:0}}body{{margin:0}}"
            "img{display:block;break-after:page}</style>"
            + "".join(f'<img src="{escape(url)}" alt="">' for url in urls))
    document = html_document(html, lean=True).render(font_config=font_config())
    found: dict = {}  # URL -> (page, its image box)
    for index, page in enumerate(document.pages):
        for box in page._page_box.descendants():
            element = getattr(box, "element", None)
            if isinstance(box, boxes.ReplacedBox) and element is not None:
                found.setdefault(element.get("src"), (index, box))
    usable = {url: place for url, place in found.items() if url in urls and all(
        float(v).is_integer() and 0 < v <= 2000 for v in (place[1].width, place[1].height))}
    made: dict = dict.fromkeys(urls)
    if not usable:
        return made
    source = pikepdf.open(io.BytesIO(document.write_pdf()))  # untagged: no marked content
    scale, top = 0.75, side * 0.75  # px to pt; PDF y grows upwards from the page's bottom
    for url, (index, image) in usable.items():
        x, y, w, h = image.content_box_x(), image.content_box_y(), image.width, image.height
        form = source.pages[index].as_form_xobject()
        x0, y0, x1, y1 = x * scale, top - (y + h) * scale, (x + w) * scale, top - y * scale
        form.BBox = pikepdf.Array([x0, y0, x1, y1])
        form.Matrix = pikepdf.Array([1 / (x1 - x0), 0, 0, 1 / (y1 - y0), -x0 / (x1 - x0),
                                     -y0 / (y1 - y0)])
        made[url] = int(w), int(h), form, source  # the forms live in their source: kept
    return made


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
