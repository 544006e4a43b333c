"""Plain-dict shapes of the API contract, shared by the route modules."""
from __future__ import annotations

from ..countries import country_name
from ..timezones import format_local_iso, iso_utc


def bilingual(obj, field: str) -> dict:
    return {"id": getattr(obj, f"{field}_id") or "", "en": getattr(obj, f"{field}_en") or ""}


def training_dict(training) -> dict:
    return {
        "id": training.id,
        "title": bilingual(training, "title"),
        "description": bilingual(training, "description"),
        "timezone": training.timezone,
        "capacity": training.capacity,
        "country_quotas": training.country_quotas,
        "certificate_rule": training.certificate_rule or {},
        "organisations": [o.name for o in training.organisations],
        "created_at": iso_utc(training.created_at),
    }


def session_dict(session, number: int, zone: str, *, show_link: bool = True) -> dict:
    return {
        "id": session.id,
        "training": session.training_id,
        "number": number,
        "title": bilingual(session, "title"),
        "description": bilingual(session, "description"),
        "starts_at": iso_utc(session.starts_at),
        "ends_at": iso_utc(session.ends_at),
        "duration_minutes": session.duration_minutes,
        "local": {"starts_at": format_local_iso(session.starts_at, zone),
                  "ends_at": format_local_iso(session.ends_at, zone),
                  "timezone": zone},
        "status": session.status,
        "meeting_url": session.meeting_url if show_link else None,
        "facilitators": [u.email for u in session.facilitators],
        "module": session.module_slug,
        "sequence": session.sequence,
    }


def enrolment_dict(enrolment, *, with_accessibility: bool = False) -> dict:
    data = {
        "id": enrolment.id,
        "training": enrolment.training_id,
        "name": enrolment.name,
        "email": enrolment.email,
        "country": enrolment.country_code,
        "country_name": country_name(enrolment.country_code, "en"),
        "organisation": enrolment.organisation,
        "sector": enrolment.sector,
        "timezone": enrolment.timezone,
        "language": enrolment.language,
        "status": enrolment.status,
        "created_at": iso_utc(enrolment.created_at),
        "updated_at": iso_utc(enrolment.updated_at),
    }
    if with_accessibility:
        data["accessibility_needs"] = enrolment.accessibility_needs
    return data
