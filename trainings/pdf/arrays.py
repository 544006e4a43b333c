"""cffi array types of a fixed length, made without parsing C.

WeasyPrint subsets each font with ``ffi.new(f"hb_codepoint_t[{n}]", glyphs)``, ``n`` the
number of glyphs the document uses (and the highest glyph id + 1). cffi parses every new
type string with pycparser (~3 ms each) and keeps the result per string: a document with a
new glyph count pays it again, for each font, twice. A chunk of certificates has its own
glyph counts, so every chunk (and each SVG drawn once) paid a few of them; one document pays
them once. :func:`install` gives the FFI a table of parsed types that answers a missing
``T[n]`` (``T`` a type name the FFI already knows) with cffi's own array type of ``T *``
and ``n`` (``_cffi_backend.new_array_type``, what the parser's result is built with: the
same ctype object), so only ``T *`` is ever parsed.
"""
from __future__ import annotations

import re

_ARRAY = re.compile(r"\s*([A-Za-z_][A-Za-z_0-9]*)\s*\[\s*([0-9]+)\s*\]\s*")


class _ParsedTypes(dict):
    """cffi's ``FFI._parsed_types`` (type string -> ``(ctype, is raw function)``), with the
    fixed-length arrays of named types made on a miss instead of parsed."""

    def __init__(self, ffi, parsed: dict):
        super().__init__(parsed)
        self.ffi = ffi

    def __missing__(self, key):
        match = _ARRAY.fullmatch(key) if isinstance(key, str) else None
        if match is None:
            raise KeyError(key)
        pointer = self.ffi.typeof(f"{match[1]} *")  # parsed once, then cached
        result = self.ffi._backend.new_array_type(pointer, int(match[2])), False
        self[key] = result
        return result


def install(ffi) -> bool:
    """Give ``ffi`` the table above (idempotent); False, changing nothing, where cffi's
    internals differ from those it was written against."""
    parsed = getattr(ffi, "_parsed_types", None)
    if isinstance(parsed, _ParsedTypes):
        return True
    if type(parsed) is not dict or not hasattr(getattr(ffi, "_backend", None),
                                                "new_array_type"):
        return False
    ffi._parsed_types = _ParsedTypes(ffi, parsed)
    return True
