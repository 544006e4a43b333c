"""People across trainings and the public catalogue: thin routes over ``trainings.overview``."""
from __future__ import annotations

from flask import request
from flask_babel import lazy_gettext as _l

from ..i18n import current_language
from ..overview import catalogue as catalogue_model
from ..overview import people
from ..policy import require
from ..timezones import validate_timezone
from .base import actor, bp, doc, public
from .schemas.networks import Catalogue, CatalogueItem, People, PersonOut


@bp.get("/people")
@doc(_l("People of the trainings you manage whose name or email contains q (case and "
        "accents ignored)"), answer=People,
     query={"q": ("string", _l("A part of a name or an email address"))})
def search_people():
    require(actor(), "person.search")
    return {"items": people.search(actor(), request.args.get("q", ""))}


@bp.get("/people/<int:person_id>")
@doc(_l("A person with every training, status and certificate you may see"),
     answer=PersonOut)
def get_person(person_id: int):
    return PersonOut.of(people.person(actor(), person_id))


@bp.get("/catalogue")
@public
@doc(_l("Trainings open for applications, with dates, languages and the apply link"),
     answer=Catalogue,
     query={"tz": ("string", _l("IANA time zone for the local dates (default UTC)")),
            "lang": ("string", _l("id or en (default: Accept-Language)"))})
def catalogue():
    zone = request.args.get("tz")
    zone = validate_timezone(zone, field="tz") if zone else "UTC"
    lang = request.args.get("lang") or current_language()
    items = catalogue_model.catalogue(zone, lang if lang in ("id", "en") else "en")
    return {"items": [CatalogueItem.of(item) for item in items]}
