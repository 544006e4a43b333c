"""People across trainings and the public catalogue: thin routes over ``trainings.overview``."""
from __future__ import annotations

from flask import request

from ..i18n import current_language
from ..overview import catalogue as catalogue_model
from ..overview import people
from ..policy import require
from ..timezones import iso_utc, validate_timezone
from .base import actor, bp, public

PUBLIC_KEYS = ("id", "title", "description", "organisations", "languages", "sessions",
               "starts_at", "ends_at", "local", "apply_url")


def person_dict(found: dict) -> dict:
    trainings = []
    for row in found["enrolments"]:
        enrolment, training, certificate = row["enrolment"], row["training"], row["certificate"]
        trainings.append({
            "training": training.id,
            "title": {"id": training.title_id, "en": training.title_en},
            "enrolment": enrolment.id,
            "status": enrolment.status,
            "country": enrolment.country_code,
            "organisation": enrolment.organisation,
            "certificate": None if certificate is None else {
                "code": certificate.code, "status": certificate.status,
                "issued_at": iso_utc(certificate.issued_at)},
        })
    return {"id": found["id"], "name": found["name"], "email": found["email"],
            "country": found["country"], "organisation": found["organisation"],
            "trainings": trainings}


@bp.get("/people")
def search_people():
    require(actor(), "person.search")
    return {"items": people.search(actor(), request.args.get("q", ""))}


@bp.get("/people/<int:person_id>")
def get_person(person_id: int):
    return person_dict(people.person(actor(), person_id))


@bp.get("/catalogue")
@public
def catalogue():
    zone = request.args.get("tz")
    zone = validate_timezone(zone, field="tz") if zone else "UTC"
    lang = request.args.get("lang") or current_language()
    items = catalogue_model.catalogue(zone, lang if lang in ("id", "en") else "en")
    return {"items": [{k: item[k] for k in PUBLIC_KEYS} for item in items]}
