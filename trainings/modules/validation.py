"""The module validator: every problem with its file, so an author can fix it.

``validate(path)`` reads a module folder and answers a :class:`Report` holding the
parsed module (when it could be read) and a list of :class:`Problem`. A module with any
problem is not published (web, API and the build refuse it with the list).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from flask_babel import lazy_gettext as _l

from .sources import (
    IMAGE_SUFFIXES,
    LANGUAGES,
    LOGO_DIR,
    SLUG_RE,
    Section,
    image_problem,
    parse_section,
    read_toml,
    section_files,
)


@dataclass
class Problem:
    code: str
    file: str
    message: object  # a lazy, translatable string
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"

    def as_detail(self) -> dict:
        detail = {"field": self.file, "message": str(self.message), "code": self.code}
        if self.line:
            detail["line"] = self.line
        return detail


@dataclass
class Module:
    slug: str
    path: Path
    meta: dict
    sections: dict[str, dict[int, Section]]  # lang -> number -> Section
    logos: list[str] = field(default_factory=list)

    @property
    def numbers(self) -> list[int]:
        return sorted(self.sections.get("id", {}))

    def title(self, lang: str) -> str:
        return self.meta["title"][lang]

    def session_map(self) -> dict[int, int]:
        """Session number -> section number."""
        return {s["number"]: s["section"] for s in self.meta.get("sessions", [])}


@dataclass
class Report:
    slug: str
    path: Path
    problems: list[Problem] = field(default_factory=list)
    module: Module | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, code: str, file: str, message, line: int | None = None) -> None:
        self.problems.append(Problem(code, file, message, line))


def _text(value) -> bool:
    return isinstance(value, str) and value.strip() != ""


def _check_meta(report: Report, meta: dict) -> None:
    file = "module.toml"
    for key in ("title", "subtitle"):
        value = meta.get(key)
        if key == "subtitle" and value is None:
            continue
        if not isinstance(value, dict) or not all(_text(value.get(lang)) for lang in LANGUAGES):
            report.add("bad_metadata", file, _l(
                "%(key)s needs a text in both languages (%(key)s.id and %(key)s.en).", key=key))
    if not _text(meta.get("version")):
        report.add("bad_metadata", file, _l('version is required (a text such as "1.0").'))
    if not _text(meta.get("licence")):
        report.add("bad_metadata", file, _l('licence is required (for example "CC BY-SA 4.0").'))
    authors = meta.get("authors", [])
    if not isinstance(authors, list) or not authors or not all(
            isinstance(a, dict) and _text(a.get("name")) for a in authors):
        report.add("bad_metadata", file, _l("authors must list at least one [[authors]] entry "
                                            "with a name."))
    organisations = meta.get("organisations", [])
    if not isinstance(organisations, list) or not all(
            isinstance(o, dict) and _text(o.get("name")) for o in organisations):
        report.add("bad_metadata", file, _l("each [[organisations]] entry needs a name."))
    sessions = meta.get("sessions", [])
    if not isinstance(sessions, list) or not all(
            isinstance(s, dict) and isinstance(s.get("number"), int) and s["number"] > 0
            and isinstance(s.get("section"), int) and s["section"] > 0 for s in sessions):
        report.add("bad_metadata", file, _l("each [[sessions]] entry needs a positive number "
                                            "and section."))
    else:
        numbers = [s["number"] for s in sessions]
        if len(numbers) != len(set(numbers)):
            report.add("bad_metadata", file, _l("a session number appears more than once in "
                                                "[[sessions]]."))


def validate(path: Path, slug: str | None = None) -> Report:
    """Check a module folder completely and answer every problem found."""
    path = Path(path)
    slug = slug or path.name
    report = Report(slug=slug, path=path)
    if not SLUG_RE.match(slug):
        report.add("bad_slug", slug, _l("The folder name must be a slug: lower-case letters, "
                                        "digits and hyphens."))
    meta: dict = {}
    if not (path / "module.toml").is_file():
        report.add("missing_metadata", "module.toml", _l("module.toml is missing."))
    else:
        try:
            meta = read_toml(path)
        except (ValueError, UnicodeDecodeError) as error:  # tomllib.TOMLDecodeError
            report.add("bad_metadata", "module.toml",
                       _l("module.toml is not valid TOML: %(error)s", error=str(error)))
        else:
            _check_meta(report, meta)

    sections: dict[str, dict[int, Section]] = {}
    for lang in LANGUAGES:
        sections[lang] = {}
        files = section_files(path, lang)
        if not (path / lang).is_dir():
            report.add("missing_language", f"{lang}/",
                       _l("The language folder %(lang)s/ is missing.", lang=lang))
            continue
        if not files:
            report.add("missing_language", f"{lang}/",
                       _l("The language folder %(lang)s/ has no sections.", lang=lang))
        for number, file in files:
            name = f"{lang}/{file.name}"
            if number is None:
                report.add("bad_name", name, _l("Not a section file: name sections like "
                                                "01-title.md (two digits, a hyphen, .md)."))
                continue
            if number in sections[lang]:
                report.add("duplicate_number", name, _l(
                    "Section number %(number)02d is used twice (also %(other)s).",
                    number=number, other=sections[lang][number].file))
                continue
            try:
                section = parse_section(file, number, lang)
            except UnicodeDecodeError:
                report.add("bad_encoding", name, _l("The file is not UTF-8 text."))
                continue
            sections[lang][number] = section
            if not section.title:
                report.add("missing_title", name, _l("The section must start with a title "
                                                     "line: # Title."))
            if section.body_is_empty:
                report.add("empty_section", name, _l("The section is empty."))
            for src, line in section.images:
                _check_image(report, path, name, src, line)

    ids, ens = set(sections["id"]), set(sections["en"])
    for lang, own, other_lang, other in (("id", ids, "en", ens), ("en", ens, "id", ids)):
        if not (path / other_lang).is_dir():
            continue
        for number in sorted(own - other):
            report.add("unpaired_section", sections[lang][number].file, _l(
                "Section %(number)02d has no %(other)s partner: add %(other)s/%(number)02d-….md.",
                number=number, other=other_lang))
    numbers = sorted(ids | ens)
    if numbers and numbers != list(range(1, len(numbers) + 1)):
        expected = set(range(1, max(numbers) + 1))
        gaps = ", ".join(f"{n:02d}" for n in sorted(expected - set(numbers)))
        report.add("numbering_gap", "id/, en/", _l(
            "Sections must be numbered 01, 02, 03 … without gaps; missing: %(gaps)s.", gaps=gaps))
    for entry in meta.get("sessions", []) if isinstance(meta.get("sessions"), list) else []:
        if isinstance(entry, dict) and isinstance(entry.get("section"), int) \
                and numbers and entry["section"] not in numbers:
            report.add("bad_metadata", "module.toml", _l(
                "Session %(session)s points to section %(section)02d, which does not exist.",
                session=entry.get("number"), section=entry["section"]))

    logos = []
    if (path / LOGO_DIR).is_dir():
        logos = [f"{LOGO_DIR}/{p.name}" for p in sorted((path / LOGO_DIR).iterdir())
                 if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES]
    if report.ok:
        report.module = Module(slug=slug, path=path, meta=meta, sections=sections, logos=logos)
    return report


def _check_image(report: Report, path: Path, name: str, src: str, line: int) -> None:
    problem = image_problem(src, path)
    if problem == "outside":
        report.add("bad_image", name, _l("The image %(src)s must be a file inside the module "
                                         "folder (no web addresses, no “..”).", src=src), line)
    elif problem == "type":
        report.add("bad_image", name, _l("The image %(src)s must be PNG, JPEG, GIF or SVG.",
                                         src=src), line)
    elif problem:
        report.add("missing_image", name, _l("The image %(src)s does not exist in the module "
                                             "folder.", src=src), line)
