"""API routes of the modules area (see docs/api-v1.md)."""
from __future__ import annotations

from flask import request, send_file, url_for

from ..errors import ValidationError
from ..modules import services
from ..modules.sources import EDITIONS
from .base import bp, public


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
    return send_file(edition.path, mimetype="application/pdf", download_name=edition.filename,
                     max_age=300)
