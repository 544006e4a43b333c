"""A leaner user-agent stylesheet for documents whose own stylesheet uses no list markers,
footnotes, notes nor page-margin boxes (the certificates).

WeasyPrint's stylesheet (``weasyprint/css/html5_ua.css``) gives *every* element six
pseudo-elements (``::marker``, ``::footnote-call``, ``::footnote-marker``, ``::note-call``,
``::note-marker``, ``::note-callback``) and every page type its 16 margin boxes, and the
cascade computes a style for each of them: ~400 computed styles per certificate page, of
which ~360 are never used (no element is a list item, no box floats to a footnote or note,
no margin box has content). Without those rules the cascade does only the work the
page needs; the pages drawn are the same, operator for operator (tests/test_pdf_lean.py).
The ``@counter-style`` rules are dropped too: the counters come from WeasyPrint's own copy
(``HTML._ua_counter_style``), not from the sheet.

Use it (``render_document(..., lean=True)``) only for a template and stylesheet that
:func:`usable_for` accepts: an author stylesheet that asks for one of those boxes would
otherwise lose the user agent's defaults for it.
"""
from __future__ import annotations

import re

#: The pseudo-elements the lean sheet leaves out (rules whose whole selector is one of them).
PSEUDO_ELEMENTS = ("::marker", "::footnote-call", "::footnote-marker", "::note-call",
                   "::note-marker", "::note-callback")
MARGIN_BOXES = frozenset(f"{side}-{where}" for side, places in (
    ("top", ("left-corner", "left", "center", "right", "right-corner")),
    ("bottom", ("left-corner", "left", "center", "right", "right-corner")),
    ("left", ("top", "middle", "bottom")), ("right", ("top", "middle", "bottom")))
    for where in places)

#: What in an author's stylesheet or template needs the rules the lean sheet leaves out.
_NEEDS_FULL = re.compile(
    r"::?(marker|footnote|note)|list-item|footnote|note-area|element\(|"
    r"@(top|bottom|left|right)-|<(li|ol|ul|dl|dir|menu|summary|details)\b", re.IGNORECASE)


def usable_for(*sources: str) -> bool:
    """Whether the lean sheet lays out these stylesheets and templates exactly as the full one."""
    return not any(_NEEDS_FULL.search(text) for text in sources)


def lean_ua_text(ua: str) -> str:
    """WeasyPrint's user-agent stylesheet ``ua`` without the rules above (tinycss2 parses and
    serialises it, so comments and layout go, the remaining rules stay as they were)."""
    import tinycss2
    kept = []
    for rule in tinycss2.parse_stylesheet(ua, skip_comments=True, skip_whitespace=True):
        if rule.type == "qualified-rule" and \
                tinycss2.serialize(rule.prelude).strip() in PSEUDO_ELEMENTS:
            continue
        if rule.type == "at-rule" and rule.lower_at_keyword == "counter-style":
            continue
        if rule.type == "at-rule" and rule.lower_at_keyword == "page" and rule.content:
            body = [item for item in tinycss2.parse_blocks_contents(
                rule.content, skip_comments=True, skip_whitespace=True)
                if not (item.type == "at-rule" and item.lower_at_keyword in MARGIN_BOXES)]
            kept.append(f"@page{tinycss2.serialize(rule.prelude)}{{"
                        + "".join(_item(item) for item in body) + "}")
            continue
        kept.append(rule.serialize())
    return "\n".join(kept)


def _item(item) -> str:
    return item.serialize() + (";" if item.type == "declaration" else "")


def html_class(base, sheet):
    """A subclass of WeasyPrint's ``HTML`` whose user-agent stylesheet is ``sheet`` (the
    form stylesheet still follows it when forms are rendered); None when WeasyPrint's
    internals differ (then callers use ``base``, the full sheet)."""
    original = getattr(base, "_ua_stylesheets", None)
    if original is None:
        return None

    class LeanHTML(base):
        def _ua_stylesheets(self, forms=False):
            return [sheet, *original(self, forms)[1:]]

    return LeanHTML
