"""The enrolment blueprint and what its topic modules share."""
from __future__ import annotations

from flask import Blueprint, request

from ...errors import NotFound
from ...scheduling.services import load_training as load_training_or_404
from .. import services

bp = Blueprint("enrolment", __name__)


load_training = load_training_or_404


def load_enrolment(enrolment_id: int):
    enrolment = services.get_enrolment(enrolment_id)
    if enrolment is None:
        raise NotFound()
    return enrolment


@bp.app_context_processor
def _labels():
    return {"status_labels": services.STATUS_LABELS, "sector_labels": services.SECTOR_LABELS}


def _filters() -> dict:
    return {"country": (request.args.get("country") or "").strip() or None,
            "status": request.args.get("status") or None,
            "sector": request.args.get("sector") or None,
            "search": (request.args.get("q") or "").strip()[:200] or None,
            "sort": request.args.get("sort") or None}


def _form_data(form) -> dict:
    return {"name": form.name.data, "email": form.email.data, "country": form.country.data,
            "organisation": form.organisation.data, "sector": form.sector.data,
            "timezone": form.timezone.data, "language": form.language.data,
            "accessibility_needs": form.accessibility_needs.data,
            "accessibility_consent": bool(form.accessibility_consent.data)}

