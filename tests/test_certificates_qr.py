"""The QR matrices of the certificates (trainings/certificates/qr.py): segno's own symbols,
module for module, with the data mask chosen by the same rules, only faster."""
from __future__ import annotations

import random
import string

import pytest
import segno

from trainings.certificates import qr, render


def _segno(url: str, error: str = "m") -> tuple[bytes, ...]:
    return tuple(bytes(row) for row in segno.make(url, error=error).matrix)


def _urls(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    alphabet = string.ascii_letters + string.digits + "-_/?=&%"
    return ["https://anyam.example.org/verify/"
            + "".join(rng.choice(alphabet) for _ in range(rng.choice([1, 9, 19, 40, 60, 110])))
            for _ in range(count)]


def test_the_matrices_are_segnos_for_every_mask_and_many_versions():
    urls = _urls(240, seed=14)
    seen = set()
    for url in urls:
        made = segno.make(url, error="m")
        seen.add((made.version, made.mask))
        assert qr.matrix(url) == _segno(url), url
    assert {mask for _version, mask in seen} == set(range(8))  # every mask won somewhere
    assert len({version for version, _mask in seen}) >= 5  # versions 3 to 10 or so
    assert any(version >= 7 for version, _mask in seen)  # with version information too


@pytest.mark.parametrize("error", ["l", "m", "q", "h"])
def test_every_error_level_and_the_verification_urls_shape(error):
    for url in _urls(40, seed=len(error) + ord(error)) + [
            f"https://anyam.example.org/verify/{code}" for code in (
                "3Q6T-AN23-27SM-020C", "0000-0000-0000-0000", "ZZZZ-ZZZZ-ZZZZ-ZZZZ")]:
        assert qr.matrix(url, error) == _segno(url, error), url


def test_a_micro_qr_code_is_left_to_segno():
    assert segno.make("12345", error="m").is_micro
    assert qr.matrix("12345") == _segno("12345")


def test_the_mask_scores_are_segnos():
    """The penalty of each masked matrix, as segno's own evaluation scores it."""
    from segno import encoder
    for url in _urls(30, seed=3):
        code = encoder.encode(url, error="m", mask=0)
        width = len(code.matrix)
        keep, masks = qr._layout(width)
        flat = b"".join(bytes(row) for row in code.matrix)
        base = int.from_bytes(flat, "big") & keep ^ masks[0]
        for mask in masks:
            masked = (base ^ mask).to_bytes(len(flat), "big")
            rows = [bytearray(masked[i:i + width]) for i in range(0, len(masked), width)]
            assert qr._score(masked, width) == encoder.evaluate_mask(rows, width, width)


def test_the_drawing_draws_segnos_dark_modules():
    url = "https://anyam.example.org/verify/3Q6T-AN23-27SM-020C"
    rows = _segno(url)
    drawn = render.qr_drawing(url).decode().splitlines()[1:-1]
    size = len(rows) + 8
    dark = set()
    for op in drawn:
        x, y, width, _height, _re = op.split()
        for column in range(int(x), int(x) + int(width)):
            dark.add((size - 1 - int(y) - 4, column - 4))
    assert dark == {(i, j) for i, row in enumerate(rows) for j, v in enumerate(row) if v}
