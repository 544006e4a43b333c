"""API routes of the modules area (see docs/api-v1.md)."""
from __future__ import annotations

import io

from flask import request, url_for

from ..errors import ValidationError
from ..modules import services
from ..modules.sources import EDITIONS
from ..policy import require
from ..web import send_download
from .base import actor, bp, public


@bp.get("/modules")
@public
def list_modules():
    """Published modules (broken ones are left out until fixed)."""
    modules, _broken = services.list_modules()
    items = []
    for module in modules:
        item = services.summary(module)
        item["pdf"] = {e: url_for("api.module_pdf", slug=module.slug, lang=e, _external=True)
                       for e in EDITIONS}
        items.append(item)
    return {"items": items}


@bp.get("/modules/<slug>/pdf")
@public
def module_pdf(slug):
    lang = request.args.get("lang", "")
    services.check_module(slug)  # 404 first for an unknown slug
    if lang not in EDITIONS:
        raise ValidationError("lang must be one of id, en, bilingual.", field="lang")
    edition = services.edition_pdf(slug, lang)
    return send_download(edition.path, edition.filename, "application/pdf", inline=True,
                         max_age=300)


@bp.post("/modules")
def upload_module():
    """Add or replace a module from a ZIP (multipart field ``file``, or the ZIP as the body
    with Content-Type application/zip). 201 with the module; 422 and nothing changed when
    the ZIP or the module in it has problems."""
    require(actor(), "module.upload")
    upload = request.files.get("file")
    if upload is not None:
        stream = upload.stream
    elif request.mimetype in ("application/zip", "application/x-zip-compressed") and request.data:
        stream = io.BytesIO(request.get_data())
    else:
        raise ValidationError("Send the module as a ZIP: a multipart field named file, or a "
                              "body of type application/zip.", field="file")
    report = services.install_zip(stream, actor=actor())
    return services.summary(report.module), 201
