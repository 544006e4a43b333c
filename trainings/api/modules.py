"""API routes of the modules area (see docs/api-v1.md)."""
from __future__ import annotations

import io

from flask import request, url_for
from flask_babel import lazy_gettext as _l

from ..errors import ValidationError
from ..modules import services
from ..modules.sources import EDITIONS
from ..policy import require
from ..web import send_download
from .base import actor, bp, commit, doc, public
from .schemas import ModuleOut, Modules, dump


@bp.get("/modules")
@public
@doc(_l("Published training modules, with links to their PDFs"), answer=Modules)
def list_modules():
    """Published modules (broken ones are left out until fixed)."""
    modules, _broken = services.list_modules()
    return {"items": [dump(ModuleOut, {
        **services.summary(module),
        "pdf": {e: url_for("api.module_pdf", slug=module.slug, lang=e, _external=True)
                for e in EDITIONS}}) for module in modules]}


@bp.get("/modules/<slug>/pdf")
@public
@doc(_l("A module's PDF: Indonesian, English or bilingual"),
     query={"lang": ("string", _l("id, en or bilingual")),
            "version": ("integer", _l("An uploaded version (default: the newest)"))},
     answers={200: ("application/pdf", _l("The module"))})
def module_pdf(slug):
    lang = request.args.get("lang", "")
    version = _version_asked()
    services.check_module(slug, version)  # 404 first for an unknown slug or version
    if lang not in EDITIONS:
        raise ValidationError(_l("lang must be one of id, en, bilingual."), field="lang")
    edition = services.edition_pdf(slug, lang, version)
    return send_download(edition.path, edition.filename, "application/pdf", inline=True,
                         max_age=300)


def _version_asked() -> int | None:
    """The ``version`` query parameter: a whole number, or None when not given."""
    raw = request.args.get("version", "")
    if raw and not raw.isdigit():
        raise ValidationError(_l("version must be a whole number."), field="version")
    return int(raw) if raw else None


@bp.post("/modules")
@doc(_l("Add or replace a module from a ZIP; nothing changes when it has problems"),
     answer=ModuleOut, status=201,
     content={"application/zip": _l("The module as a ZIP"),
              "multipart/form-data": _l("The ZIP in a field named file")})
def upload_module():
    """Add or replace a module from a ZIP (multipart field ``file``, or the ZIP as the body
    with Content-Type application/zip). 201 with the module; 422 and nothing changed when
    the ZIP or the module in it has problems."""
    require(actor(), "module.upload")
    stream = _uploaded_zip()
    report = commit(lambda: services.install_zip(stream, actor=actor()))
    return dump(ModuleOut, services.summary(report.module)), 201


def _uploaded_zip():
    """The ZIP sent: a multipart field ``file`` or an application/zip body; else a 422."""
    upload = request.files.get("file")
    if upload is not None:
        return upload.stream
    if request.mimetype in ("application/zip", "application/x-zip-compressed") and request.data:
        return io.BytesIO(request.get_data())
    raise ValidationError(_l("Send the module as a ZIP: a multipart field named file, or a "
                             "body of type application/zip."), field="file")
