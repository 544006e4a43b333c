"""Organisations (staff) and hubs (public: an overview with a map, a page per hub)."""
from __future__ import annotations

from flask import Blueprint, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..countries import country_name
from ..i18n import bilingual
from ..policy import require
from ..web import form_status, submit
from . import services, worldmap
from .forms import HubForm, OrganisationForm

bp = Blueprint("organisations", __name__)


def _markers(hubs) -> list[dict]:
    return [{"number": n, "hub": hub, "position": worldmap.hub_position(hub.country_codes)}
            for n, hub in enumerate(hubs, start=1)]


@bp.route("/hubs")
def hubs():
    hubs = services.list_hubs()
    markers = _markers(hubs)
    countries = {c for hub in hubs for c in hub.country_codes}
    return render_template("organisations/hubs.html", markers=markers,
                           map=worldmap.render(markers, highlight=countries))


@bp.route("/hubs/new", methods=["GET", "POST"])
@login_required
def new_hub():
    require(current_user, "hub.create")
    form = HubForm()
    form.organisations.choices = [(o.id, o.name) for o in services.list_organisations()]
    done = submit(form, lambda: services.create_hub(form.values(), actor=current_user),
                  then=lambda h: url_for("organisations.hub", slug=h.slug),
                  message=_("Hub created."), field_map={"name": "name_en"})
    return done or (render_template("organisations/hub_form.html", form=form), form_status(form))


@bp.route("/hubs/<slug>")
def hub(slug: str):
    hub = services.hub_by_slug(slug)
    markers = [{"number": 1, "hub": hub, "position": worldmap.hub_position(hub.country_codes)}]
    return render_template("organisations/hub.html", hub=hub,
                           title=bilingual(hub, "name"), description=bilingual(hub, "description"),
                           map=worldmap.render(markers, highlight=hub.country_codes),
                           countries=[country_name(c) for c in hub.country_codes])


def _create_organisation(form):
    require(current_user, "organisation.create")
    return submit(form, lambda: services.create_organisation(form.values(), actor=current_user),
                  then=url_for("organisations.index"),
                  message=lambda o: _("Organisation %(name)s added.", name=o.name))


@bp.route("/organisations", methods=["GET", "POST"])
@login_required
def index():
    require(current_user, "organisation.list")
    form = OrganisationForm()
    done = _create_organisation(form) if form.is_submitted() else None
    return done or (render_template("organisations/index.html", form=form,
                                    organisations=services.list_organisations()),
                    form_status(form))


def _edit_form(organisation) -> OrganisationForm:
    form = OrganisationForm()
    if not form.is_submitted():
        form.name.data, form.short_name.data = organisation.name, organisation.short_name
        form.country.data = organisation.country_code or ""
        form.website.data = organisation.website or ""
    return form


@bp.route("/organisations/<int:organisation_id>", methods=["GET", "POST"])
@login_required
def edit(organisation_id: int):
    organisation = services.get_organisation(organisation_id)
    require(current_user, "organisation.edit", organisation)
    form = _edit_form(organisation)
    done = submit(form, lambda: services.update_organisation(organisation, form.values(),
                                                             actor=current_user),
                  then=url_for("organisations.index"), message=_("Saved."))
    return done or (render_template("organisations/edit.html", form=form,
                                    organisation=organisation), form_status(form))
