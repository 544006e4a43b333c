"""QR code matrices: segno's symbols, with its data-mask choice made faster.

``segno.make(url, error="m")`` spends ~85 % of its time choosing the data mask: it applies
each of the 8 masks and scores it (ISO/IEC 18004:2015 7.8.3, penalties N1–N4) one module at
a time in Python (~4 ms per certificate). :func:`matrix` asks segno for the symbol with
mask 0, recovers from it what segno scores (the data modules unmasked, the format and
version areas still blank), scores the 8 masks with the same rules over whole rows and
columns at once (``bytes`` searches, regular expressions and integer arithmetic, all in C)
and, unless mask 0 wins, asks segno for the symbol with the winner. Same rules, same
order, same ties (the first lowest score wins): the same symbol as ``segno.make``, module
for module (tests/test_certificates_qr.py compares them over many URLs).
"""
from __future__ import annotations

import functools
import re

_RUN = re.compile(rb"\x00{5,}|\x01{5,}")  # N1: 5 or more modules of one colour in a line
_FINDER_LIKE = b"\x01\x00\x01\x01\x01\x00\x01"  # N3: dark:light:dark:light:dark 1:1:3:1:1


def matrix(url: str, error: str = "m") -> tuple[bytes, ...]:
    """The rows of the QR code of ``url`` (1 = dark), as ``segno.make(url, error=error)``
    draws them (the quiet zone not included)."""
    from segno import encoder
    first = encoder.encode(url, error=error, mask=0)  # what segno.make does, mask 0 given
    width = len(first.matrix)
    flat = b"".join(bytes(row) for row in first.matrix)
    if first.version < 1 or len(flat) != width * width or \
            flat.count(0) + flat.count(1) != len(flat):  # a Micro QR code: segno itself
        import segno
        return tuple(bytes(row) for row in segno.make(url, error=error).matrix)
    keep, masks = _layout(width)
    # What segno scores under mask k: the data modules XOR mask k, the format and version
    # areas blank (they are written after the choice), the function patterns as they are.
    base = int.from_bytes(flat, "big") & keep ^ masks[0]
    scores = [_score((base ^ mask).to_bytes(len(flat), "big"), width) for mask in masks]
    best = scores.index(min(scores))  # the first of the lowest, as segno
    if best == 0:
        return tuple(bytes(row) for row in first.matrix)
    chosen = (base ^ masks[best]).to_bytes(len(flat), "big")
    rows = tuple(bytearray(chosen[i:i + width]) for i in range(0, len(chosen), width))
    encoder.add_format_info(rows, first.version, first.error, best)
    encoder.add_version_info(rows, first.version)
    return tuple(bytes(row) for row in rows)


WARM_VERSIONS = range(1, 8)  # verification URLs of up to 122 bytes (error correction M)


def warm() -> None:
    """Make the layouts of the usual symbol sizes now (a rendering process, when it starts:
    ~5 ms each, otherwise paid by the first chunk that needs each size)."""
    for version in WARM_VERSIONS:
        _layout(17 + 4 * version)


@functools.lru_cache(maxsize=8)
def _layout(width: int) -> tuple[int, tuple[int, ...]]:
    """For a (non-micro) symbol of ``width`` modules: the modules outside the format and
    version areas, and each data mask's dark modules in the encoding region, as integers
    of one byte per module (as :func:`matrix` reads the symbol)."""
    from segno import encoder

    def function_patterns(reserve: bool):
        grid = encoder.make_matrix(width, width, reserve_regions=reserve)
        encoder.add_finder_patterns(grid, width, width)
        encoder.add_alignment_patterns(grid, width, width)
        return grid
    reserved, plain = function_patterns(True), function_patterns(False)
    reserved[-8][8] = 0x1  # the dark module is no data module (as segno decides)
    keep = bytes(int(a == b) for ra, rb in zip(reserved, plain, strict=True)
                 for a, b in zip(ra, rb, strict=True))
    masks = tuple(int.from_bytes(bytes(
        int(bool(reserved[i][j] > 0x1 and pattern(i, j))) for i in range(width)
        for j in range(width)), "big") for pattern in encoder.get_data_mask_functions(False))
    return int.from_bytes(keep, "big"), masks


def _score(flat: bytes, width: int) -> int:
    """ISO/IEC 18004:2015 7.8.3.1 penalty of a masked symbol (``flat``: its rows, one byte
    per module), computed as segno's ``mask_scores`` computes it."""
    # Rows then columns, each followed by a separator no pattern matches.
    lines = b"\x02".join([flat[i:i + width] for i in range(0, len(flat), width)]
                         + [flat[j::width] for j in range(width)])
    n1 = sum(len(run) - 2 for run in _RUN.findall(lines))
    # N2: 2 x 2 blocks of one colour: the sum of each module and its left, upper and
    # upper-left neighbours is 0 or 4 (one byte per module: no carries).
    value = int.from_bytes(flat, "big")
    sums = (value + (value >> 8) + (value >> 8 * width) + (value >> 8 * (width + 1))
            ).to_bytes(len(flat), "big")
    inner, first_column = sums[width:], sums[width::width]
    n2 = 3 * (inner.count(0) + inner.count(4) - first_column.count(0) - first_column.count(4))
    n3 = _finder_like(lines, width)
    percent = float(flat.count(1)) / (width ** 2)
    n4 = 10 * int(abs(percent * 100 - 50) / 5)
    return n1 + n2 + n3 + n4


def _finder_like(lines: bytes, size: int) -> int:
    """N3 over the separated lines, with segno's rule for the light modules around a match
    (looked for in the match's own line only) and where it looks for the next one."""
    count = 0
    position = lines.find(_FINDER_LIKE)
    while position != -1:
        start = position - position % (size + 1)
        line, index = lines[start:start + size], position - start
        offset = index + 7
        if index in (0, size - 7) or b"\x01" not in line[max(index - 4, 0):index] \
                or b"\x01" not in line[offset:offset + 4]:
            count += 40
        else:
            offset = index + 4
        position = lines.find(_FINDER_LIKE, start + offset)
    return count
