"""Uploading a module as a ZIP: every entry checked (paths, links, sizes, ZIP bombs), the
module validated, then put in place atomically."""
from __future__ import annotations

import os
import shutil
import stat
import tempfile
import uuid
import zipfile
from pathlib import Path, PurePosixPath

from flask import current_app
from flask_babel import lazy_gettext as _l

from ..errors import Conflict, ValidationError
from ..policy import require
from . import ownership
from .sources import SLUG_RE, upload_dir
from .validation import Report, validate

# Upload limits: MODULES_MAX_FILES, MODULES_MAX_FILE_BYTES, MODULES_MAX_TOTAL_BYTES (config).
MAX_RATIO = 200  # uncompressed/compressed above this (for files over 1 MiB) is a zip bomb


def _zip_error(message, **details) -> ValidationError:
    return ValidationError(message, code="bad_module_zip", field="file")


def _check_members(archive: zipfile.ZipFile) -> str:
    """Check every entry's name, kind and size; answer the module's slug."""
    infos = archive.infolist()
    config = current_app.config
    max_files, max_file = int(config["MODULES_MAX_FILES"]), int(config["MODULES_MAX_FILE_BYTES"])
    max_total = int(config["MODULES_MAX_TOTAL_BYTES"])
    if len(infos) > max_files:
        raise _zip_error(_l("The ZIP holds too many files (%(count)d; at most %(max)d).",
                            count=len(infos), max=max_files))
    tops, total = set(), 0
    for info in infos:
        name = info.filename
        path = PurePosixPath(name)
        if name.startswith(("/", "\\")) or "\\" in name or (len(name) > 1 and name[1] == ":") \
                or ".." in path.parts or "\0" in name:
            raise _zip_error(_l("The ZIP contains an unsafe path (%(name)s): paths must stay "
                                "inside the module folder.", name=name[:120]))
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise _zip_error(_l("The ZIP contains a symbolic link (%(name)s), which is not "
                                "allowed.", name=name[:120]))
        if info.flag_bits & 0x1:
            raise _zip_error(_l("The ZIP is encrypted."))
        if info.file_size > max_file:
            raise _zip_error(_l("%(name)s is too large (at most %(max)d MB per file).",
                                name=name[:120], max=max_file // (1024 * 1024)))
        if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise _zip_error(_l("%(name)s is compressed suspiciously well (a ZIP bomb?).",
                                name=name[:120]))
        total += info.file_size
        if path.parts:
            tops.add(path.parts[0] if len(path.parts) > 1 or info.is_dir() else "")
    if total > max_total:
        raise _zip_error(_l("The ZIP unpacks to more than %(max)d MB.",
                            max=max_total // (1024 * 1024)))
    if len(tops) != 1 or "" in tops:
        raise _zip_error(_l("The ZIP must hold exactly one module folder (for example "
                            "my-module/ with module.toml, id/ and en/ inside)."))
    slug = tops.pop()
    if not SLUG_RE.match(slug):
        raise _zip_error(_l("The module folder name %(name)s is not a valid slug (lower-case "
                            "letters, digits and hyphens).", name=slug[:80]))
    return slug


def _extract(archive: zipfile.ZipFile, destination: Path) -> None:
    """Extract by hand, counting the bytes really written (declared sizes can lie)."""
    max_file = int(current_app.config["MODULES_MAX_FILE_BYTES"])
    max_total = int(current_app.config["MODULES_MAX_TOTAL_BYTES"])
    total = 0
    for info in archive.infolist():
        target = destination.joinpath(*PurePosixPath(info.filename).parts)
        if not target.resolve().is_relative_to(destination.resolve()):
            raise _zip_error(_l("The ZIP contains an unsafe path (%(name)s): paths must stay "
                                "inside the module folder.", name=info.filename[:120]))
        if info.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        written = 0
        with archive.open(info) as source, open(target, "wb") as out:
            while chunk := source.read(64 * 1024):
                written += len(chunk)
                total += len(chunk)
                if written > min(max_file, info.file_size) or total > max_total:
                    raise _zip_error(_l("%(name)s unpacks to more than it declares (a ZIP "
                                        "bomb?).", name=info.filename[:120]))
                out.write(chunk)


def _keep_legacy(folder: Path) -> None:
    """An upload from before versions (the module directly in ``<slug>/``) becomes
    version 1, so that it is kept like any other version."""
    if not (folder / "module.toml").is_file():
        return
    moving = folder.parent / f".legacy-{folder.name}-{uuid.uuid4().hex[:8]}"
    os.rename(folder, moving)
    folder.mkdir()
    os.rename(moving, folder / "1")


def install_zip(stream, *, actor=None) -> Report:
    """Validate an uploaded module ZIP completely, then put it in place atomically as a new
    version (``<instance>/modules/<slug>/<version>/``; the previous versions stay).

    Raises ValidationError (code ``bad_module_zip`` or ``module_invalid``) and changes
    nothing when the ZIP or the module in it is not right; Forbidden when the module
    belongs to others (``actor=None``: the command line, trusted). The caller commits.
    """
    root = upload_dir()
    root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".upload-", dir=root))
    try:
        try:
            archive = zipfile.ZipFile(stream)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError):
            raise _zip_error(_l("The file is not a ZIP archive.")) from None
        with archive:
            slug = _check_members(archive)
            if actor is not None:
                require(actor, "module.upload", ownership.target(slug))
            try:
                _extract(archive, work)
            except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, RuntimeError):
                raise _zip_error(_l("The ZIP archive is damaged and cannot be read.")) from None
        staged = work / slug
        report = validate(staged, slug)
        if not report.ok:
            raise ValidationError(
                _l("The module in the ZIP has problems; nothing was changed (%(count)d "
                   "found).", count=len(report.problems)),
                code="module_invalid", details=[p.as_detail() for p in report.problems])
        folder = root / slug
        _keep_legacy(folder)
        version = ownership.next_version(slug)
        ownership.add_version(slug, version, report.module.meta.get("version", ""), actor=actor)
        folder.mkdir(exist_ok=True)
        final = folder / str(version)
        try:
            os.rename(staged, final)
        except OSError:
            raise Conflict(_l("Another version of this module is being uploaded right now. "
                              "Try again."), code="upload_in_progress") from None
        current_app.logger.info("module %s version %d uploaded by user %s", slug, version,
                                getattr(actor, "id", None))
        return validate(final, slug)
    finally:
        shutil.rmtree(work, ignore_errors=True)
