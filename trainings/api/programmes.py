"""Programmes and their dashboards: thin routes over ``trainings.programmes.services`` and
the read model ``trainings.overview.dashboard``."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..overview.dashboard import dashboard_and_key, load_programme
from ..overview.dashboard_page import answer_json
from ..policy import require
from ..programmes import services
from .base import actor, body, bp, commit, doc
from .schemas import dump
from .schemas.networks import Dashboard, ProgrammeIn, ProgrammeOut, ProgrammePatch, Programmes


@bp.get("/programmes")
@doc(_l("Programmes you manage (admins: every one)"), answer=Programmes)
def list_programmes():
    require(actor(), "programme.list")
    return {"items": [ProgrammeOut.of(p) for p in services.list_programmes(actor())]}


@bp.post("/programmes")
@doc(_l("Create a programme of trainings you organise (you manage it)"), body=ProgrammeIn,
     answer=ProgrammeOut, status=201)
def create_programme():
    require(actor(), "programme.create")
    data = body(ProgrammeIn)
    programme = commit(lambda: services.create_programme(data, actor=actor()))
    return ProgrammeOut.of(programme), 201


@bp.get("/programmes/<int:programme_id>")
@doc(_l("One programme (its managers, admins)"), answer=ProgrammeOut)
def get_programme(programme_id: int):
    programme = services.get_programme(programme_id)
    require(actor(), "programme.view", programme)
    return ProgrammeOut.of(programme)


@bp.patch("/programmes/<int:programme_id>")
@doc(_l("Change a programme: title, trainings, managers, organisations"),
     body=ProgrammePatch, answer=ProgrammeOut)
def update_programme(programme_id: int):
    programme = services.get_programme(programme_id)
    require(actor(), "programme.manage", programme)
    data = body(ProgrammePatch)
    commit(lambda: services.update_programme(programme, data, actor=actor()))
    return ProgrammeOut.of(programme)


@bp.get("/programmes/<int:programme_id>/dashboard")
@doc(_l("Reach across the programme's trainings: people once by email, by country, "
        "organisation and sector, completion and certificates"), answer=Dashboard)
def programme_dashboard_json(programme_id: int):
    programme, row = load_programme(programme_id)  # with its stored figures, one statement
    require(actor(), "programme.view", programme)
    key, data = dashboard_and_key(programme, row)
    return answer_json(key, data, lambda figures: dump(Dashboard, figures))  # kept per version
