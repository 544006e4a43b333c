"""One translation per message id across the area catalogs (scripts/i18n.py)."""
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
import i18n  # noqa: E402  (scripts/i18n.py)


def test_no_message_id_is_translated_differently_in_two_catalogs():
    assert i18n.conflicts() == []


def test_no_message_id_stands_in_two_catalogs():
    """Shared messages live in core (``update`` moves them), so merge order cannot matter."""
    from babel.messages.pofile import read_po
    areas_of = {}
    for area in i18n.TRANSLATION_AREAS:
        po = i18n.catalog_dir(area) / "id" / "LC_MESSAGES" / "messages.po"
        with po.open("rb") as handle:
            for message in read_po(handle, locale="id"):
                if message.id:
                    areas_of.setdefault(i18n._key(message.id), []).append(area)
    assert {k: v for k, v in areas_of.items() if len(v) > 1} == {}


def _catalog(tmp_path, area, entries, locale="id"):
    catalog = Catalog(locale=locale)
    for message_id, string in entries.items():
        catalog.add(message_id, string)
    po = tmp_path / area / locale / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    with po.open("wb") as handle:
        write_po(handle, catalog)


def test_a_conflict_between_two_catalogs_is_reported(tmp_path, monkeypatch):
    monkeypatch.setattr(i18n, "catalog_dir", lambda area: tmp_path / area)
    monkeypatch.setattr(i18n, "TRANSLATION_AREAS", ("core", "scheduling", "enrolment"))
    _catalog(tmp_path, "core", {"Places": "Tempat", "Name": "Nama"})
    _catalog(tmp_path, "scheduling", {"Places": "Kursi", "Name": "Nama"})
    _catalog(tmp_path, "enrolment", {"Places": "Tempat"})
    found = i18n.conflicts(locales=("id",))
    assert len(found) == 1
    assert "'Places' is translated differently" in found[0] and "scheduling: 'Kursi'" in found[0]


def test_update_moves_an_id_used_by_several_areas_into_core():
    templates = {area: Catalog() for area in ("core", "scheduling", "enrolment")}
    templates["scheduling"].add("Places")
    templates["scheduling"].add("Series")
    templates["enrolment"].add("Places")
    templates["enrolment"].add("Quota")
    assert i18n.share_in_core(templates) == {"Places"}
    assert [m.id for m in templates["core"] if m.id] == ["Places"]
    assert [m.id for m in templates["scheduling"] if m.id] == ["Series"]
    assert [m.id for m in templates["enrolment"] if m.id] == ["Quota"]


# One Indonesian word per thing (issue 18): the word to avoid and the one the catalogs use.
GLOSSARY = {r"\b[Kk]ursi\b": "Tempat", r"\b[Rr]apat\b": "pertemuan",
            r"\b[Pp]resensi\b": "Daftar hadir / kehadiran"}


def _indonesian():
    from babel.messages.pofile import read_po
    for area in i18n.TRANSLATION_AREAS:
        po = i18n.catalog_dir(area) / "id" / "LC_MESSAGES" / "messages.po"
        with po.open("rb") as handle:
            for message in read_po(handle, locale="id"):
                ids = message.id if isinstance(message.id, tuple) else (message.id,)
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                if message.id:
                    yield area, ids[0], " ".join(s for s in strings if s)


def test_one_indonesian_word_for_each_thing():
    import re
    found = [(area, msgid, avoid) for area, msgid, text in _indonesian()
             for avoid in GLOSSARY if re.search(avoid, text)]
    assert found == []
    # "Batalkan" is cancelling (a session, a certificate); withdrawing is "mengundurkan diri"
    wrong = [msgid for _a, msgid, text in _indonesian()
             if re.search(r"\bBatalkan\b", text) and re.search(r"\b[Ww]ithdraw", msgid)]
    assert wrong == []
    withdraw = [text for _a, msgid, text in _indonesian() if re.search(r"\bWithdraw\b", msgid)]
    assert withdraw and all("undur" in text.lower() for text in withdraw), withdraw
