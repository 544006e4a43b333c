"""Programmes and their dashboards: thin routes over ``trainings.programmes.services`` and
the read model ``trainings.overview.dashboard``."""
from __future__ import annotations

from ..extensions import db
from ..overview.dashboard import cached_dashboard, forget_dashboard
from ..policy import require
from ..programmes import services
from .base import actor, bp, json_body


def programme_dict(programme) -> dict:
    return {"id": programme.id, "title": {"id": programme.title_id, "en": programme.title_en},
            "description": {"id": programme.description_id, "en": programme.description_en},
            "organisations": [o.name for o in programme.organisations],
            "organisation_ids": [o.id for o in programme.organisations],
            "trainings": [t.id for t in programme.trainings],
            "managers": [u.email for u in programme.managers]}


@bp.get("/programmes")
def list_programmes():
    require(actor(), "programme.list")
    return {"items": [programme_dict(p) for p in services.list_programmes(actor())]}


@bp.post("/programmes")
def create_programme():
    require(actor(), "programme.create")
    programme = services.create_programme(json_body(), actor=actor())
    db.session.commit()
    return programme_dict(programme), 201


@bp.get("/programmes/<int:programme_id>")
def get_programme(programme_id: int):
    programme = services.get_programme(programme_id)
    require(actor(), "programme.view", programme)
    return programme_dict(programme)


@bp.patch("/programmes/<int:programme_id>")
def update_programme(programme_id: int):
    programme = services.get_programme(programme_id)
    require(actor(), "programme.manage", programme)
    services.update_programme(programme, json_body(), actor=actor())
    db.session.commit()
    forget_dashboard(programme.id)
    return programme_dict(programme)


@bp.get("/programmes/<int:programme_id>/dashboard")
def programme_dashboard_json(programme_id: int):
    programme = services.get_programme(programme_id)
    require(actor(), "programme.view", programme)
    return cached_dashboard(programme)
