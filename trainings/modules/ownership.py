"""Who owns a module, its uploaded versions, and which version a session uses.

A module belongs to the organisers who uploaded a version of it, and to admins; a
shipped module (the repository's ``modules/``), or an upload from before versions were
kept, belongs to admins only. Any organiser may create a new slug. Uploading keeps the
previous versions; a session keeps the version it was prepared with until an owner
moves it (:func:`move_session`).
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..audit.services import record as audit
from ..errors import NotFound, ValidationError
from ..extensions import db
from ..scheduling.models import TrainingSession
from .models import ModuleVersion
from .sources import is_shipped, upload_dir, uploaded_versions


@dataclass(frozen=True)
class ModuleTarget:
    """What the ``module.upload`` / ``module.own`` rules look at."""

    slug: str
    exists: bool
    owner_ids: frozenset[int]


def target(slug: str) -> ModuleTarget:
    owners = frozenset(db.session.scalars(select(ModuleVersion.uploaded_by_id).where(
        ModuleVersion.slug == slug, ModuleVersion.uploaded_by_id.is_not(None)).distinct()))
    on_disk = is_shipped(slug) or (upload_dir() / slug).exists()
    return ModuleTarget(slug=slug, exists=on_disk or bool(owners), owner_ids=owners)


def versions(slug: str) -> list[ModuleVersion]:
    return list(db.session.scalars(select(ModuleVersion).where(ModuleVersion.slug == slug)
                                   .order_by(ModuleVersion.version.desc())))


def latest_version(slug: str | None) -> int | None:
    if not slug:
        return None
    return db.session.scalar(select(func.max(ModuleVersion.version)).where(
        ModuleVersion.slug == slug))


def next_version(slug: str) -> int:
    on_disk = max(uploaded_versions(slug), default=0)
    return max(on_disk, latest_version(slug) or 0) + 1


def add_version(slug: str, version: int, label: str, *, actor) -> ModuleVersion:
    row = ModuleVersion(slug=slug, version=version, label=str(label)[:50],
                        uploaded_by_id=getattr(actor, "id", None))
    db.session.add(row)
    db.session.flush()
    return row


def sessions_using(slug: str) -> list[TrainingSession]:
    return list(db.session.scalars(select(TrainingSession).where(
        TrainingSession.module_slug == slug).order_by(TrainingSession.starts_at)))


def move_session(session: TrainingSession, version, *, actor) -> TrainingSession:
    """Point a session at another uploaded version of its module (an owner's decision)."""
    if not session.module_slug:
        raise ValidationError(_l("This session uses no module."), field="version")
    try:
        number = int(version)
    except (TypeError, ValueError):
        number = None
    if number is None or number not in uploaded_versions(session.module_slug):
        raise NotFound(_l("There is no version %(version)s of this module.",
                          version=str(version)[:10]))
    old = session.module_version
    if old != number:
        session.module_version = number
        audit(session.training_id, actor, "module.moved", session,
              {"module": session.module_slug, "from": old, "to": number})
    db.session.flush()
    return session


def prepare_session(session: TrainingSession, **_extra) -> None:
    """A session's module was set or changed: it is prepared with the newest version."""
    session.module_version = latest_version(session.module_slug)
