"""Organisations and hubs: thin routes over ``trainings.organisations.services``."""
from __future__ import annotations

from ..extensions import db
from ..organisations import services
from ..policy import require
from .base import actor, bp, json_body, public


def organisation_dict(organisation) -> dict:
    return {"id": organisation.id, "name": organisation.name,
            "short_name": organisation.short_name or "", "country": organisation.country_code,
            "website": organisation.website}


def hub_dict(hub) -> dict:
    return {"id": hub.id, "slug": hub.slug, "name": {"id": hub.name_id, "en": hub.name_en},
            "region": hub.region,
            "description": {"id": hub.description_id, "en": hub.description_en},
            "countries": hub.country_codes,
            "organisations": [organisation_dict(o) for o in hub.organisations]}


@bp.get("/organisations")
def list_organisations():
    require(actor(), "organisation.list")
    return {"items": [organisation_dict(o) for o in services.list_organisations()]}


@bp.post("/organisations")
def create_organisation():
    require(actor(), "organisation.create")
    organisation = services.create_organisation(json_body(), actor=actor())
    db.session.commit()
    return organisation_dict(organisation), 201


@bp.get("/organisations/<int:organisation_id>")
def get_organisation(organisation_id: int):
    require(actor(), "organisation.list")
    return organisation_dict(services.get_organisation(organisation_id))


@bp.patch("/organisations/<int:organisation_id>")
def update_organisation(organisation_id: int):
    organisation = services.get_organisation(organisation_id)
    require(actor(), "organisation.edit", organisation)
    services.update_organisation(organisation, json_body(), actor=actor())
    db.session.commit()
    return organisation_dict(organisation)


@bp.get("/hubs")
@public
def list_hubs():
    return {"items": [hub_dict(h) for h in services.list_hubs()]}


@bp.get("/hubs/<int:hub_id>")
@public
def get_hub(hub_id: int):
    return hub_dict(services.get_hub(hub_id))


@bp.post("/hubs")
def create_hub():
    require(actor(), "hub.create")
    hub = services.create_hub(json_body(), actor=actor())
    db.session.commit()
    return hub_dict(hub), 201
