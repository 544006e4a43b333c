#!/usr/bin/env python3
"""Message catalogs, one per area: extract, update, compile, check.

Each area owns ``trainings/translations/<area>/{id,en}/LC_MESSAGES/messages.po`` with the
strings of its Python package and its template folder; Flask-Babel merges them all, a
later directory overriding an earlier one for the same message id. So that the wording a
user sees never depends on that order, a message id used by several areas lives once, in
the ``core`` catalog (``update`` moves it there), and ``check`` fails when two catalogs
translate the same id differently.

    python scripts/i18n.py update   # extract and merge new strings into every catalog
    python scripts/i18n.py compile  # .po -> .mo (part of set-up)
    python scripts/i18n.py check    # exit 1 on untranslated, fuzzy or conflicting messages
    python scripts/i18n.py apply AREA FILE.json   # write Indonesian translations {msgid: msgstr}
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from trainings.config import TRANSLATION_AREAS  # noqa: E402

LOCALES = ("id", "en")
PYBABEL = [sys.executable, "-m", "babel.messages.frontend"]


def sources(area: str) -> list[str]:
    """What each area's catalog is extracted from."""
    if area == "core":
        paths = [p for p in (ROOT / "trainings").glob("*.py")]
        paths += [ROOT / "trainings" / d for d in ("auth", "outbox")]
        paths += [p for p in (ROOT / "templates").glob("*.html")]
        paths += [ROOT / "templates" / d for d in ("auth", "core", "errors", "users")]
    else:
        paths = [ROOT / "trainings" / area, ROOT / "templates" / area]  # api: trainings/api/
        if area == "certificates":
            paths.append(ROOT / "templates" / "pdf")
    return [str(p.relative_to(ROOT)) for p in paths if p.exists()]


def catalog_dir(area: str) -> Path:
    return ROOT / "trainings" / "translations" / area


def _read(path: Path, locale: str | None = None):
    from babel.messages.pofile import read_po
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def _write(path: Path, catalog, **options) -> None:
    from babel.messages.pofile import write_po
    with path.open("wb") as handle:
        write_po(handle, catalog, sort_output=True, include_lineno=False, **options)


def _key(message_id) -> str:
    return message_id[0] if isinstance(message_id, tuple) else message_id


def share_in_core(templates: dict) -> set[str]:
    """Move every message id extracted for several areas into the core template."""
    areas_of: dict[str, set[str]] = {}
    for area, template in templates.items():
        for message in template:
            if message.id:
                areas_of.setdefault(_key(message.id), set()).add(area)
    shared = {key for key, areas in areas_of.items() if len(areas) > 1}
    core = templates["core"]
    for area, template in templates.items():
        if area == "core":
            continue
        for message in list(template):
            if message.id and _key(message.id) in shared:
                if core.get(message.id) is None:
                    core[message.id] = message
                template.delete(message.id)
    return shared


def update() -> None:
    pots = {}
    for area in TRANSLATION_AREAS:
        directory = catalog_dir(area)
        directory.mkdir(parents=True, exist_ok=True)
        pot = pots[area] = directory / "messages.pot"
        subprocess.run(PYBABEL + ["-q", "extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext",
                                  "-k", "lazy_ngettext:1,2",
                                  "--no-location", "--sort-output", "-o", str(pot)] + sources(area),
                       check=True, cwd=ROOT)
    known = known_translations("id")  # before a message moves between catalogs
    templates = {area: _read(pot) for area, pot in pots.items()}
    share_in_core(templates)
    for area, template in templates.items():
        _write(pots[area], template, omit_header=False)
    for area in TRANSLATION_AREAS:
        directory = catalog_dir(area)
        pot = pots[area]
        for locale in LOCALES:
            po = directory / locale / "LC_MESSAGES" / "messages.po"
            command = "update" if po.exists() else "init"
            args = ["-i", str(pot), "-d", str(directory), "-l", locale]
            if command == "update":
                args += ["--no-fuzzy-matching", "--ignore-obsolete", "--ignore-pot-creation-date"]
            subprocess.run(PYBABEL + ["-q", command] + args, check=True, cwd=ROOT)
        fill_english(directory / "en" / "LC_MESSAGES" / "messages.po")
        fill_known(directory / "id" / "LC_MESSAGES" / "messages.po", known)
        pot.unlink()


def known_translations(locale: str) -> dict:
    """msgid -> msgstr over every area's catalog (filled, not fuzzy)."""
    known = {}
    for area in TRANSLATION_AREAS:
        po = catalog_dir(area) / locale / "LC_MESSAGES" / "messages.po"
        if po.exists():
            for message in _read(po, locale):
                filled = all(message.string) if isinstance(message.string, tuple) else message.string
                if message.id and filled and not message.fuzzy:
                    known.setdefault(message.id, message.string)
    return known


def fill_known(po: Path, known: dict) -> None:
    """Give a message that moved into this catalog the translation it had elsewhere."""
    catalog = _read(po, "id")
    changed = False
    for message in catalog:
        filled = all(message.string) if isinstance(message.string, tuple) else message.string
        if message.id and not filled and message.id in known:
            message.string, changed = known[message.id], True
    if changed:
        _write(po, catalog)


def fill_english(po: Path) -> None:
    """The source strings are English: the en catalog carries them as its translations."""
    from babel.messages.pofile import read_po, write_po
    with po.open("rb") as handle:
        catalog = read_po(handle, locale="en")
    for message in catalog:
        if message.id and not (all(message.string) if isinstance(message.string, tuple)
                               else message.string):
            message.string = message.id
        message.flags.discard("fuzzy")
    with po.open("wb") as handle:
        write_po(handle, catalog, sort_output=True, omit_header=False, include_lineno=False)


def apply(area: str, json_path: str, locale: str = "id") -> None:
    """Write translations from a JSON object {msgid: msgstr} (plurals: msgid -> [one, other])."""
    import json

    from babel.messages.pofile import read_po, write_po
    translations = json.loads(Path(json_path).read_text(encoding="utf-8"))
    po = catalog_dir(area) / locale / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    for message in catalog:
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        if key in translations:
            value = translations[key]
            if isinstance(message.id, tuple):  # pad plural forms (Indonesian has one form)
                value = list(value) if isinstance(value, list) else [value]
                value += [value[-1]] * (catalog.num_plurals - len(value))
                message.string = tuple(value[:catalog.num_plurals])
            else:
                message.string = value
            message.flags.discard("fuzzy")
    with po.open("wb") as handle:
        write_po(handle, catalog, sort_output=True, include_lineno=False)


def compile_all() -> None:
    for area in TRANSLATION_AREAS:
        directory = catalog_dir(area)
        if directory.exists():
            subprocess.run(PYBABEL + ["-q", "compile", "-f", "-d", str(directory)], check=True, cwd=ROOT)


def problems() -> list[str]:
    from babel.messages.pofile import read_po
    found = []
    for area in TRANSLATION_AREAS:
        for locale in LOCALES:
            po = catalog_dir(area) / locale / "LC_MESSAGES" / "messages.po"
            if not po.exists():
                found.append(f"{po.relative_to(ROOT)}: missing")
                continue
            with po.open("rb") as handle:
                catalog = read_po(handle, locale=locale)
            for message in catalog:
                if not message.id:
                    continue
                where = f"{po.relative_to(ROOT)}: {message.id if isinstance(message.id, str) else message.id[0]!r}"
                if message.fuzzy:
                    found.append(f"{where} is fuzzy")
                elif locale != "en" and (not message.string or (isinstance(message.string, tuple) and not all(message.string))):
                    found.append(f"{where} is untranslated")
    return found + conflicts()


def conflicts(locales=LOCALES) -> list[str]:
    """A message id translated differently in two catalogs: which one a user sees would depend
    on Flask-Babel's merge order."""
    found = []
    for locale in locales:
        seen: dict = {}
        for area in TRANSLATION_AREAS:
            po = catalog_dir(area) / locale / "LC_MESSAGES" / "messages.po"
            if not po.exists():
                continue
            for message in _read(po, locale):
                if message.id:
                    seen.setdefault(message.id, {})[area] = message.string
        for message_id, by_area in seen.items():
            if len(set(map(str, by_area.values()))) > 1:
                versions = "; ".join(f"{area}: {string!r}" for area, string in by_area.items())
                found.append(f"{locale}: {_key(message_id)!r} is translated differently "
                             f"({versions}); keep one translation (in core if shared)")
    return found


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "help"
    if command == "update":
        update()
    elif command == "apply":
        apply(argv[2], argv[3], argv[4] if len(argv) > 4 else "id")
    elif command == "compile":
        compile_all()
    elif command == "check":
        found = problems()
        print("\n".join(found) if found else "catalogs complete")
        return 1 if found else 0
    else:
        print(__doc__)
        return 0 if command == "help" else 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
