"""Module sources: where they live, how they are read, and Markdown rendering.

A module is a folder ``<slug>/`` holding ``module.toml`` and one folder per language
(``id/``, ``en/``) of numbered Markdown sections (``01-hak-asasi.md``) that pair up by
number. Shipped modules live in the repository's ``modules/``; uploaded ones in
``<instance>/modules/`` and override a shipped module of the same slug.

Markdown is parsed by markdown-it-py (CommonMark + tables + footnotes) with raw HTML
disabled (it is printed as text). Images may only point inside the module folder.
"""
from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from flask import current_app
from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin

PROJECT = Path(__file__).resolve().parent.parent.parent
LANGUAGES = ("id", "en")
EDITIONS = ("id", "en", "bilingual")
SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$")
SECTION_RE = re.compile(r"^(\d{2})-[A-Za-z0-9][A-Za-z0-9_-]*\.md$")
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".svg", ".gif"}
LOGO_DIR = "logos"


# --- where modules live ----------------------------------------------------------------

def shipped_dir() -> Path:
    return Path(current_app.config.get("MODULES_DIR") or PROJECT / "modules")


def upload_dir() -> Path:
    return Path(current_app.config.get("MODULES_UPLOAD_DIR")
                or Path(current_app.instance_path) / "modules")


def cache_dir() -> Path:
    return Path(current_app.config.get("MODULES_CACHE_DIR")
                or Path(current_app.instance_path) / "cache" / "modules")


def uploaded_versions(slug: str) -> dict[int, Path]:
    """The uploaded versions of a module: ``<instance>/modules/<slug>/<version>/``."""
    folder = upload_dir() / slug
    if not SLUG_RE.match(slug or "") or not folder.is_dir() or folder.is_symlink():
        return {}
    return {int(child.name): child for child in sorted(folder.iterdir(), key=lambda c: c.name)
            if child.name.isdigit() and child.is_dir() and not child.is_symlink()}


def _uploaded(slug: str, version: int | None = None) -> Path | None:
    versions = uploaded_versions(slug)
    if version is not None:
        return versions.get(version)
    if versions:
        return versions[max(versions)]
    legacy = upload_dir() / slug  # an upload from before versions: the folder itself
    if (legacy / "module.toml").is_file() and not legacy.is_symlink():
        return legacy
    return None


def module_dirs() -> dict[str, Path]:
    """Every module folder by slug (the newest version); an uploaded module overrides a
    shipped one."""
    found: dict[str, Path] = {}
    root = shipped_dir()
    if root.is_dir():
        for child in sorted(root.iterdir()):
            if child.is_dir() and not child.is_symlink() and SLUG_RE.match(child.name):
                found[child.name] = child
    root = upload_dir()
    if root.is_dir():
        for child in sorted(root.iterdir()):
            if child.is_dir() and not child.is_symlink() and SLUG_RE.match(child.name):
                path = _uploaded(child.name)
                if path is not None:
                    found[child.name] = path
    return dict(sorted(found.items()))


def is_shipped(slug: str) -> bool:
    candidate = shipped_dir() / slug
    return bool(SLUG_RE.match(slug or "")) and candidate.is_dir() and not candidate.is_symlink()


def find_module_dir(slug: str, version: int | None = None) -> Path | None:
    """The module's folder: the given uploaded version, else the newest upload, else the
    shipped one."""
    if not SLUG_RE.match(slug or ""):
        return None
    uploaded = _uploaded(slug, version)
    if uploaded is not None or version is not None:
        return uploaded
    candidate = shipped_dir() / slug
    if candidate.is_dir() and not candidate.is_symlink():
        return candidate
    return None


# --- Markdown ------------------------------------------------------------------------

def markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table").enable("strikethrough")
    md.use(footnote_plugin)
    return md


_MD = None


def parser() -> MarkdownIt:
    global _MD
    if _MD is None:
        _MD = markdown()
    return _MD


def image_problem(src: str, module_dir: Path) -> str | None:
    """Why an image reference is not allowed (None when it is fine)."""
    if not src:
        return "empty"
    if ":" in src or src.startswith(("/", "\\", "//")) or "\\" in src:
        return "outside"
    parts = PurePosixPath(src).parts
    if ".." in parts:
        return "outside"
    if PurePosixPath(src).suffix.lower() not in IMAGE_SUFFIXES:
        return "type"
    target = (module_dir / src).resolve()
    if not target.is_relative_to(module_dir.resolve()) or not target.is_file():
        return "missing"
    return None


@dataclass
class Section:
    number: int
    lang: str
    path: Path
    title: str = ""
    tokens: list = field(default_factory=list)
    env: dict = field(default_factory=dict)
    images: list[tuple[str, int]] = field(default_factory=list)  # (src, line)
    body_is_empty: bool = True

    @property
    def file(self) -> str:
        return f"{self.lang}/{self.path.name}"


def parse_section(path: Path, number: int, lang: str) -> Section:
    """Parse one Markdown file (UnicodeDecodeError propagates to the validator)."""
    text = path.read_text(encoding="utf-8")
    section = Section(number=number, lang=lang, path=path)
    env: dict = {"docId": f"{lang}-{number}"}
    tokens = parser().parse(text, env)
    section.env = env
    # The first level-1 heading is the section title; it is not part of the body.
    if len(tokens) >= 3 and tokens[0].type == "heading_open" and tokens[0].tag == "h1":
        section.title = tokens[1].content.strip()
        tokens = tokens[3:]
    section.tokens = tokens
    section.body_is_empty = not any(t.type not in ("paragraph_open", "paragraph_close")
                                    and (t.type != "inline" or t.content.strip())
                                    for t in tokens)
    for token in tokens:
        for child in token.children or ():
            if child.type == "image":
                line = (token.map[0] + 1) if token.map else 0
                section.images.append((child.attrGet("src") or "", line))
    return section


def section_files(module_dir: Path, lang: str) -> list[tuple[int | None, Path]]:
    folder = module_dir / lang
    if not folder.is_dir():
        return []
    items = []
    for path in sorted(folder.iterdir()):
        match = SECTION_RE.match(path.name)
        items.append((int(match.group(1)) if match and path.is_file() else None, path))
    return items


def read_toml(module_dir: Path) -> dict:
    with open(module_dir / "module.toml", "rb") as handle:
        return tomllib.load(handle)


# --- rendering to HTML --------------------------------------------------------------

def top_level_blocks(tokens: list) -> list[list]:
    """Split a token stream into its top-level blocks (a paragraph, a table, a list ...)."""
    blocks, current, depth = [], [], 0
    for token in tokens:
        current.append(token)
        depth += token.nesting
        if depth == 0 and token.nesting <= 0 and token.level == 0:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    # Keep a heading with the block after it (a table row per pair must not strand it).
    merged: list[list] = []
    for block in blocks:
        if merged and merged[-1][0].type == "heading_open" and len(merged[-1]) == 3:
            merged[-1] = merged[-1] + block
        else:
            merged.append(block)
    return merged


def render_tokens(tokens: list, env: dict, image_url, heading_shift: int = 1) -> str:
    """HTML for tokens: headings shifted down (the section title is one level up),
    images rewritten through ``image_url(src)`` (None: the alt text is shown instead)."""
    md = parser()
    out = []
    for token in tokens:
        if token.type in ("heading_open", "heading_close") and heading_shift:
            level = min(6, int(token.tag[1]) + heading_shift)
            token = token.copy(tag=f"h{level}")
        if token.children:
            children = []
            for child in token.children:
                if child.type == "image":
                    url = image_url(child.attrGet("src") or "")
                    if url is None:
                        child = child.copy(type="text", content="[" + child.content + "]",
                                           children=None)
                    else:
                        child = child.copy(attrs={**child.attrs, "src": url})
                children.append(child)
            token = token.copy(children=children)
        out.append(token)
    return md.renderer.render(out, md.options, env)


def fingerprint(paths: list[Path], extra: list[str] = ()) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(str(path.name).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    for value in extra:
        digest.update(value.encode())
        digest.update(b"\0")
    return digest.hexdigest()[:16]
