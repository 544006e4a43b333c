"""Modules: listing and publishing (HTML and three PDF editions, cached). The ZIP upload is
in :mod:`.upload` (``install_zip`` is re-exported here).

Views, the API and the CLI call these functions; they never touch the request.
"""
from __future__ import annotations

import base64
import mimetypes
import os
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l

from .. import pdf
from ..errors import NotFound, ValidationError
from .organisation_logos import logos_for_names
from .sources import (
    EDITIONS,
    LANGUAGES,
    PROJECT,
    cache_dir,
    find_module_dir,
    fingerprint,
    image_problem,
    module_dirs,
    read_toml,
    render_tokens,
    shipped_dir,
    top_level_blocks,
)
from .upload import MAX_RATIO, install_zip  # noqa: F401  (re-exported: services.install_zip)
from .validation import Module, Report, validate

PACKAGE = Path(__file__).resolve().parent
TEMPLATE_DIR = PROJECT / "templates" / "pdf"
STYLESHEET = "css/module.css"
LANGUAGE_NAMES = {"id": "Bahasa Indonesia", "en": "English"}

# --- reading -------------------------------------------------------------------------

def check_module(slug: str, version: int | None = None) -> Report:
    """Validate one module by slug, the newest or a given uploaded version (NotFound when
    there is no such module or version)."""
    path = find_module_dir(slug, version)
    if path is None:
        raise NotFound(_l("There is no module %(slug)s.", slug=slug))
    return validate(path, slug)


def check_all() -> list[Report]:
    return [validate(path, slug) for slug, path in module_dirs().items()]


def publishable(slug: str, version: int | None = None) -> Module:
    """The module, or NotFound / a ValidationError listing its problems (never published)."""
    report = check_module(slug, version)
    if not report.ok:
        raise ValidationError(
            _l("The module %(slug)s has problems and cannot be published until they are "
               "fixed (%(count)d found).", slug=slug, count=len(report.problems)),
            code="module_invalid", details=[p.as_detail() for p in report.problems])
    return report.module


def section_entries(module: Module) -> list[dict]:
    by_section: dict[int, list[int]] = {}
    for session, section in sorted(module.session_map().items()):
        by_section.setdefault(section, []).append(session)
    return [{"number": n,
             "title": {lang: module.sections[lang][n].title for lang in LANGUAGES},
             "sessions": by_section.get(n, [])} for n in module.numbers]


def summary(module: Module) -> dict:
    """The API's shape of one module."""
    meta = module.meta
    return {
        "slug": module.slug,
        "title": {lang: meta["title"][lang] for lang in LANGUAGES},
        "subtitle": {lang: (meta.get("subtitle") or {}).get(lang, "") for lang in LANGUAGES},
        "version": meta["version"],
        "licence": meta["licence"],
        "authors": [a["name"] for a in meta.get("authors", [])],
        "organisations": [o["name"] for o in meta.get("organisations", [])],
        "languages": list(LANGUAGES),
        "editions": list(EDITIONS),
        "sections": section_entries(module),
    }


def list_modules() -> tuple[list[Module], list[Report]]:
    """Published (valid) modules and the reports of broken ones."""
    good, broken = [], []
    for report in check_all():
        (good if report.ok else broken).append(report.module if report.ok else report)
    return good, broken


def section_for_session(slug: str, session_number: int, version: int | None = None) -> int | None:
    """The section a session's link points to (``section-<n>`` on the module page)."""
    path = find_module_dir(slug, version)
    if path is None:
        return None
    try:
        for entry in read_toml(path).get("sessions", []):
            if entry.get("number") == session_number:
                return entry.get("section")
    except (OSError, ValueError):
        return None
    return None


# --- HTML ----------------------------------------------------------------------------

def _file_url(module: Module, src: str) -> str | None:
    """For PDFs: the project's asset URL for shipped modules, a data: URI for uploads."""
    if image_problem(src, module.path):
        return None
    shipped = shipped_dir().resolve()
    if module.path.resolve().parent == shipped and shipped == (PROJECT / "modules").resolve():
        return pdf.asset_url(f"{module.slug}/{src}", root="modules")
    target = module.path / src
    mime = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    return f"data:{mime};base64," + base64.b64encode(target.read_bytes()).decode("ascii")


def section_html(module: Module, lang: str, number: int, image_url, shift: int = 0) -> dict:
    section = module.sections[lang][number]
    blocks = top_level_blocks(section.tokens)
    return {
        "lang": lang,
        "title": section.title,
        "html": render_tokens(section.tokens, section.env, image_url, shift),
        "blocks": [render_tokens(b, section.env, image_url, shift) for b in blocks],
    }


def sections_html(module: Module, image_url, shift: int = 0) -> list[dict]:
    """Every section in both languages; ``shift`` moves Markdown headings down (## is h2
    in PDFs where the section title is h1, h3 on the web where the page title is h1)."""
    sessions = {e["number"]: e["sessions"] for e in section_entries(module)}
    out = []
    for number in module.numbers:
        parts = {lang: section_html(module, lang, number, image_url, shift) for lang in LANGUAGES}
        pairs = None
        if len(parts["id"]["blocks"]) == len(parts["en"]["blocks"]):
            pairs = list(zip(parts["id"]["blocks"], parts["en"]["blocks"], strict=True))
        out.append({"number": number, "anchor": f"section-{number}",
                    "sessions": sessions.get(number, []), "pairs": pairs, **parts})
    return out


# --- PDF editions ----------------------------------------------------------------------

def _labels(lang: str) -> dict:
    with force_locale(lang):
        return {
            "contents": gettext("Contents"),
            "page": gettext("Page"),
            "of": gettext("of"),
            "section": gettext("Section"),
            "session": gettext("Session"),
            "authors": gettext("Authors"),
            "organisations": gettext("Organised by"),
            "version": gettext("Version"),
            "licence": gettext("Licence"),
            "edition": {"id": gettext("Indonesian edition"), "en": gettext("English edition"),
                        "bilingual": gettext("Bilingual edition")},
        }


def labels_for(edition: str) -> dict:
    if edition != "bilingual":
        return _labels(edition)
    ids, ens = _labels("id"), _labels("en")

    def join(a, b):
        return a if a == b else f"{a} · {b}"

    merged = {k: join(ids[k], ens[k]) for k in ids if isinstance(ids[k], str)}
    merged["page"], merged["of"] = ids["page"], ids["of"]
    # the footer says it in both: "Halaman 3 dari 12 · Page 3 of 12"
    merged["page_second"], merged["of_second"] = ens["page"], ens["of"]
    merged["edition"] = join(ids["edition"]["bilingual"], ens["edition"]["bilingual"])
    return merged


def edition_context(module: Module, edition: str) -> dict:
    meta = module.meta
    labels = labels_for(edition)
    if edition != "bilingual":
        labels["edition"] = labels["edition"][edition]
    return {
        "edition": edition,
        "lang": "id" if edition == "bilingual" else edition,
        "languages": [edition] if edition != "bilingual" else list(LANGUAGES),
        "language_names": LANGUAGE_NAMES,
        "module": {
            "slug": module.slug,
            "title": dict(meta["title"]),
            "subtitle": dict(meta.get("subtitle") or {}),
            "version": meta["version"],
            "licence": meta["licence"],
            "authors": [{"name": a["name"], "organisation": a.get("organisation", "")}
                        for a in meta["authors"]],
            "organisations": [o["name"] for o in meta.get("organisations", [])],
            "logos": _cover_logos(module),
        },
        "sections": sections_html(module, lambda src: _file_url(module, src)),
        "labels": labels,
    }


def _cover_logos(module: Module) -> list[dict]:
    """The module's own logo files, else the logos the network keeps for the organisations
    its ``module.toml`` names (the ones certificates print)."""
    own = [{"url": url, "alt": "Logo " + Path(src).stem}
           for src in module.logos if (url := _file_url(module, src))]
    if own:
        return own
    return logos_for_names([o["name"] for o in module.meta.get("organisations", [])])


def _module_files(module: Module) -> list[Path]:
    return sorted(p for p in module.path.rglob("*") if p.is_file() and not p.is_symlink())


def edition_key(module: Module, edition: str) -> str:
    """Hash of the sources, template, stylesheet, renderer code, labels and version."""
    code = sorted(PACKAGE.glob("*.py")) + sorted((PROJECT / "trainings" / "pdf").glob("*.py"))
    templates = sorted(TEMPLATE_DIR.glob("module*.html")) + sorted(TEMPLATE_DIR.glob("_module*.html"))
    files = _module_files(module) + templates + [PROJECT / "trainings" / "static" / STYLESHEET] + code
    labels = labels_for(edition)
    logos = [logo.get("sha256", "") for logo in _cover_logos(module)]  # a new logo: new PDF
    return fingerprint(files, [edition, module.meta["version"], repr(sorted(labels.items(),
                                                                          key=str)), *logos])


def render_edition_pdf(module: Module, edition: str) -> bytes:
    """Render one edition (no cache)."""
    context = edition_context(module, edition)
    lang = context["lang"]
    title = module.meta["title"][lang] if edition != "bilingual" else \
        f"{module.meta['title']['id']} / {module.meta['title']['en']}"
    authors = ", ".join(a["name"] for a in module.meta["authors"])
    # The stylesheet is linked from the template (fetched through the gateway's restricted
    # fetcher): pdf.stylesheet() deadlocks on its non-reentrant lock when it builds the
    # fetcher inside _shared() (reported to the lead).
    pdf.enable_structure_languages()
    return pdf.render_pdf("pdf/module.html", context, title=title, author=authors, lang=lang)


def edition_html(module: Module, edition: str) -> str:
    """The HTML handed to WeasyPrint (for the benchmark)."""
    return pdf.render_html("pdf/module.html", edition_context(module, edition))


@dataclass
class Edition:
    path: Path
    filename: str
    rendered: bool  # False when it came from the cache


def edition_pdf(slug: str, edition: str, version: int | None = None) -> Edition:
    """The cached PDF of an edition (of the newest or a given uploaded version), rendered
    once per version of its inputs."""
    if edition not in EDITIONS:
        raise ValidationError(_l("Unknown edition %(lang)s: choose id, en or bilingual.",
                                 lang=edition), field="lang")
    module = publishable(slug, version)
    key = edition_key(module, edition)
    folder = cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stem = slug if version is None else f"{slug}@{version}"
    target = folder / f"{stem}-{edition}-{key}.pdf"
    filename = f"{slug}-{edition}-{module.meta['version']}.pdf"
    if target.is_file():
        return Edition(target, filename, rendered=False)
    data = render_edition_pdf(module, edition)
    temporary = folder / f".{target.name}.{uuid.uuid4().hex}.tmp"
    temporary.write_bytes(data)
    os.replace(temporary, target)
    outdated = re.compile(re.escape(f"{stem}-{edition}-") + r"[0-9a-f]{16}\.pdf")
    for old in folder.glob(f"{stem}-{edition}-*.pdf"):
        if old != target and outdated.fullmatch(old.name):
            old.unlink(missing_ok=True)
    return Edition(target, filename, rendered=True)


def build_all(slugs: list[str] | None = None) -> list[tuple[str, str, Edition]]:
    """Pre-build every edition of every valid module (or those given)."""
    built = []
    for slug in slugs or list(module_dirs()):
        for edition in EDITIONS:
            built.append((slug, edition, edition_pdf(slug, edition)))
    return built
