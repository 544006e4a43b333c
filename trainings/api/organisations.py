"""Organisations and hubs: thin routes over ``trainings.organisations.services``."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..organisations import services
from ..policy import require
from .base import actor, body, bp, commit, doc, public
from .schemas.networks import (
    HubIn,
    HubOut,
    Hubs,
    OrganisationIn,
    OrganisationOut,
    OrganisationPatch,
    Organisations,
)


@bp.get("/organisations")
@doc(_l("The network's organisations (staff)"), answer=Organisations)
def list_organisations():
    require(actor(), "organisation.list")
    return {"items": [OrganisationOut.of(o) for o in services.list_organisations()]}


@bp.post("/organisations")
@doc(_l("Add an organisation (organisers, admins)"), body=OrganisationIn,
     answer=OrganisationOut, status=201)
def create_organisation():
    require(actor(), "organisation.create")
    data = body(OrganisationIn)
    organisation = commit(lambda: services.create_organisation(data, actor=actor()))
    return OrganisationOut.of(organisation), 201


@bp.get("/organisations/<int:organisation_id>")
@doc(_l("One organisation (staff)"), answer=OrganisationOut)
def get_organisation(organisation_id: int):
    require(actor(), "organisation.list")
    return OrganisationOut.of(services.get_organisation(organisation_id))


@bp.patch("/organisations/<int:organisation_id>")
@doc(_l("Change an organisation's details"), body=OrganisationPatch, answer=OrganisationOut)
def update_organisation(organisation_id: int):
    organisation = services.get_organisation(organisation_id)
    require(actor(), "organisation.edit", organisation)
    data = body(OrganisationPatch)
    commit(lambda: services.update_organisation(organisation, data, actor=actor()))
    return OrganisationOut.of(organisation)


@bp.get("/hubs")
@public
@doc(_l("Regional hubs with their organisations and countries"), answer=Hubs)
def list_hubs():
    return {"items": [HubOut.of(h) for h in services.list_hubs()]}


@bp.get("/hubs/<int:hub_id>")
@public
@doc(_l("One regional hub"), answer=HubOut)
def get_hub(hub_id: int):
    return HubOut.of(services.get_hub(hub_id))


@bp.post("/hubs")
@doc(_l("Create a regional hub (admins)"), body=HubIn, answer=HubOut, status=201)
def create_hub():
    require(actor(), "hub.create")
    data = body(HubIn)
    hub = commit(lambda: services.create_hub(data, actor=actor()))
    return HubOut.of(hub), 201
