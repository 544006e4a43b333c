"""Organisations and hubs: create, list, find; names given for a training are matched here.

Services take plain values and an ``actor=``, raise DomainErrors, ``flush()``; the caller commits.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..countries import normalise_country
from ..errors import Conflict, NotFound, ValidationError
from ..extensions import db
from ..messages import INVALID_URL
from .checks import Problems, require_object
from .models import Hub, Organisation
from .names import fold

ORGANISATION_FIELDS = {"name", "short_name", "country", "website"}
HUB_FIELDS = {"name", "region", "organisations", "description", "slug"}
SLUG_RE = re.compile(r"[^a-z0-9]+")


# --------------------------------------------------------------------------- organisations

def list_organisations() -> list[Organisation]:
    return list(db.session.scalars(select(Organisation).order_by(Organisation.name_key)))


def get_organisation(organisation_id: int) -> Organisation:
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound(_("No such organisation."))
    return organisation


def find_by_name(name: str) -> Organisation | None:
    """The organisation whose name matches, ignoring case and diacritics."""
    key = fold(name)
    if not key:
        return None
    return db.session.scalar(select(Organisation).where(Organisation.name_key == key)
                             .order_by(Organisation.id).limit(1))


def _website(problems: Problems, data: dict) -> str | None:
    value = problems.url(data, "website", limit=300)
    if value and "." not in (urlsplit(value).hostname or ""):
        problems.add("website", INVALID_URL)
        return None
    return value


def _clean_organisation(data: dict, *, partial: bool) -> dict:
    data = require_object(data)
    problems = Problems()
    problems.unknown(data, ORGANISATION_FIELDS | {"id"})
    clean: dict = {}
    if not partial or "name" in data:
        clean["name"] = problems.text(data, "name", limit=200, required=True)
    if "short_name" in data:
        clean["short_name"] = problems.text(data, "short_name", limit=50)
    if "website" in data:
        clean["website"] = _website(problems, data)
    if data.get("country"):
        try:
            clean["country_code"] = normalise_country(str(data["country"]))
        except ValidationError as error:
            problems.add("country", error.message)
    elif "country" in data:
        clean["country_code"] = None
    problems.check()
    return clean


def create_organisation(data: dict, *, actor=None) -> Organisation:
    clean = _clean_organisation(data, partial=False)
    if find_by_name(clean["name"]) is not None:
        raise Conflict(_("An organisation with this name exists already."), field="name",
                       code="organisation_exists")
    organisation = Organisation(**clean)
    db.session.add(organisation)
    db.session.flush()
    return organisation


def update_organisation(organisation: Organisation, data: dict, *, actor=None) -> Organisation:
    clean = _clean_organisation(data, partial=True)
    if "name" in clean:
        other = find_by_name(clean["name"])
        if other is not None and other.id != organisation.id:
            raise Conflict(_("An organisation with this name exists already."), field="name",
                           code="organisation_exists")
    for key, value in clean.items():
        setattr(organisation, key, value)
    db.session.flush()
    return organisation


def resolve(values: list, *, field: str = "organisations", create: bool = True) -> list[Organisation]:
    """Organisations from ids or names, in the given order. A name that matches an
    organisation (ignoring case and diacritics) links to it; another name makes a new one
    (``create``) or is refused; an unknown id is refused."""
    if not isinstance(values, list):
        raise ValidationError(_("Give a list of organisation names or ids."), field=field)
    problems = Problems()
    ids = [v for v in values if isinstance(v, int) and not isinstance(v, bool)]
    found = {o.id: o for o in db.session.scalars(
        select(Organisation).where(Organisation.id.in_(ids)))} if ids else {}
    names = [" ".join(v.split()) for v in values if isinstance(v, str) and v.strip()]
    keys = {fold(n) for n in names}
    by_key: dict[str, Organisation] = {}
    if keys:
        for organisation in db.session.scalars(select(Organisation).where(
                Organisation.name_key.in_(keys)).order_by(Organisation.id)):
            by_key.setdefault(organisation.name_key, organisation)
    result: list[Organisation] = []
    for position, value in enumerate(values):
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            problems.add(f"{field}.{position}", _("Give an organisation name or id."))
        elif isinstance(value, int):
            if value in found:
                result.append(found[value])
            else:
                problems.add(f"{field}.{position}", _("No such organisation: %(id)s", id=value))
        elif value.strip():
            name = " ".join(value.split())
            key = fold(name)
            if len(name) > 200:
                problems.add(f"{field}.{position}",
                             _("An organisation name has at most 200 characters."))
            elif key in by_key:
                result.append(by_key[key])
            elif create:
                by_key[key] = Organisation(name=name)
                db.session.add(by_key[key])
                result.append(by_key[key])
            else:
                problems.add(f"{field}.{position}", _("No such organisation: %(id)s", id=name))
    problems.check()
    unique = list(dict.fromkeys(result))
    return unique


# --------------------------------------------------------------------------- hubs

def list_hubs() -> list[Hub]:
    return list(db.session.scalars(select(Hub).options(selectinload(Hub.organisations))
                                   .order_by(Hub.name_en)))


def get_hub(hub_id: int) -> Hub:
    hub = db.session.get(Hub, hub_id)
    if hub is None:
        raise NotFound(_("No such hub."))
    return hub


def hub_by_slug(slug: str) -> Hub:
    hub = db.session.scalar(select(Hub).where(Hub.slug == slug)
                            .options(selectinload(Hub.organisations)))
    if hub is None:
        raise NotFound(_("No such hub."))
    return hub


def slugify(text: str) -> str:
    return SLUG_RE.sub("-", fold(text)).strip("-")[:100] or "hub"


RESERVED_SLUGS = {"new"}  # /hubs/new is the form


def _unique_slug(base: str, hub_id: int | None = None) -> str:
    base = f"{base}-hub" if base in RESERVED_SLUGS else base
    slug, n = base, 1
    while db.session.scalar(select(func.count()).select_from(Hub).where(
            Hub.slug == slug, Hub.id != (hub_id or 0))):
        n += 1
        slug = f"{base[:95]}-{n}"
    return slug


def create_hub(data: dict, *, actor=None) -> Hub:
    data = require_object(data)
    problems = Problems()
    problems.unknown(data, HUB_FIELDS | {"id"})
    name_id, name_en = problems.bilingual(data, "name", limit=200, required=True)
    description = problems.bilingual(data, "description", limit=5000)
    region = problems.text(data, "region", limit=200)
    members = problems.id_list(data, "organisations")
    slug = problems.text(data, "slug", limit=100)
    if slug and (slugify(slug) != slug or slug in RESERVED_SLUGS):
        problems.add("slug", _("Use lower-case letters, digits and hyphens."))
    problems.check()
    organisations = resolve(members, create=False)
    base = slug or slugify(name_en or name_id)
    if slug and db.session.scalar(select(Hub.id).where(Hub.slug == slug)):
        raise Conflict(_("A hub with this address exists already."), field="slug",
                       code="hub_exists")
    hub = Hub(slug=_unique_slug(base), name_id=name_id or name_en, name_en=name_en or name_id,
              region=region, description_id=description[0], description_en=description[1])
    hub.organisations = organisations
    db.session.add(hub)
    db.session.flush()
    return hub
