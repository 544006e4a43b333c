"""Privacy and audit routes: ``/me/export``, ``/people/{id}/erase``,
``/trainings/{id}/audit`` (see docs/privacy.md)."""
from __future__ import annotations

from flask import request
from flask_babel import lazy_gettext as _l

from ..audit.services import PER_PAGE, entries
from ..overview import privacy
from ..policy import require
from ..scheduling.services import load_training
from ..timezones import iso_utc
from ..validation import Errors, whole_number
from .base import actor, body, bp, commit, doc
from .schemas import AuditPage, Erased, EraseIn, dump


def _page() -> int:
    errors = Errors()
    raw = request.args.get("page")
    page = whole_number(raw, "page", errors, minimum=1, maximum=1_000_000) if raw not in (None, "") else 1
    errors.raise_if_any()
    return page or 1


@bp.get("/trainings/<int:training_id>/audit")
@doc(_l("The staff audit of a training: every state change made by staff, newest first"),
     answer=AuditPage, query={"page": ("integer", _l("Page number (50 entries a page)"))})
def training_audit(training_id: int):
    training = load_training(training_id)
    require(actor(), "training.audit", training)
    page = entries(training.id, page=_page(), per_page=PER_PAGE)
    items = [{**item, "at": iso_utc(item["at"])} for item in page.items]
    return dump(AuditPage, {"items": items, "page": page.page, "pages": page.pages,
                            "total": page.total})


@bp.get("/me/export")
@doc(_l("Every record Anyam holds about you (profile, enrolments with answers, attendance, "
        "certificates, ...) as JSON"))
def my_export():
    return privacy.export_person(actor())


@bp.post("/people/<int:person_id>/erase")
@doc(_l("Erase a person: name, email, organisation and free-text answers replaced, "
        "certificates revoked; counts stay"), body=EraseIn, answer=Erased)
def erase_person(person_id: int):
    person = privacy.load_person(person_id)
    require(actor(), "person.erase", person)
    reason = body(EraseIn)["reason"]
    return dump(Erased, commit(lambda: privacy.erase_person(person, actor=actor(), reason=reason)))
