"""Trainings, staff, sessions and series: request and answer shapes."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from ...notifications.reminders import hours_of
from ...scheduling.services.venues import venue_dict
from ...timezones import format_local_iso, iso_utc
from .core import Bilingual, BilingualIn, Input, Instant, InstantIn, Output

BilingualText = str | BilingualIn


class RemindersIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    hours_before: list[StrictInt] = Field(examples=[[24, 1]])


class Reminders(Output):
    """Reminders this many hours before each session (``[]``: none)."""

    hours_before: list[int]


class TrainingIn(Input):
    title: BilingualText
    description: BilingualText | None = None
    timezone: str | None = Field(None, examples=["Asia/Jakarta"])
    capacity: int | None = None
    country_quotas: dict[str, int | None] | None = None
    certificate_rule: dict[str, Any] | None = Field(None, examples=[{"min_sessions": 6}])
    organisations: list[str | int] | None = Field(
        None, description="Names or ids of organisations; a known name links to its record")
    applications_open: bool | None = None
    requires_approval: bool | None = None
    reminders: RemindersIn | None = None


class TrainingPatch(TrainingIn):
    title: BilingualText | None = None
    follow_up_days: list[int] | None = Field(
        None, examples=[[30, 90]],
        description="Days after the last session on which participants with an action plan "
                    "are asked to update it (evaluation)")


class TrainingOut(Output):
    id: int
    title: Bilingual
    description: Bilingual
    timezone: str
    capacity: int | None
    country_quotas: dict[str, Any] | None
    certificate_rule: dict[str, Any]
    organisations: list[str]
    organisation_ids: list[int]
    reminders: Reminders
    created_at: Instant

    @classmethod
    def of(cls, training) -> dict:
        return cls(
            id=training.id,
            title=Bilingual.of(training, "title"),
            description=Bilingual.of(training, "description"),
            timezone=training.timezone,
            capacity=training.capacity,
            country_quotas=training.country_quotas,
            certificate_rule=training.certificate_rule or {},
            organisations=[o.name for o in training.organisations],
            organisation_ids=[o.id for o in training.organisations],
            reminders=Reminders(hours_before=hours_of(training)),
            created_at=iso_utc(training.created_at),
        ).dump()


class StaffIn(Input):
    email: str
    role: Literal["organiser", "facilitator"]


class StaffOut(Output):
    id: int
    training: int
    email: str
    name: str | None
    role: str

    @classmethod
    def of(cls, staff) -> dict:
        return cls(id=staff.id, training=staff.training_id, email=staff.user.email,
                   name=staff.user.name, role=staff.role).dump()


class VenueIn(Input):
    name: str | None = None
    address: str | None = None
    accessibility: BilingualText | None = None


class Venue(Output):
    name: str
    address: str
    accessibility: Bilingual


GATHERING_DOC = ("online (default), in_person or hybrid; a venue is required unless online")


class SessionIn(Input):
    title: BilingualText
    description: BilingualText | None = None
    starts_at: InstantIn
    duration_minutes: int
    meeting_url: str | None = None
    facilitators: list[str] | None = None
    module: str | None = None
    mode: Literal["online", "in_person", "hybrid"] | None = Field(None, description=GATHERING_DOC)
    venue: VenueIn | None = None
    interpretation: list[str] | None = Field(None, examples=[["id-en", "sign:BISINDO"]])


class SessionPatch(SessionIn):
    """Reschedule, rename or cancel (``{"status": "cancelled"}``); every field optional."""

    title: BilingualText | None = None
    starts_at: InstantIn | None = None
    duration_minutes: int | None = None
    status: Literal["scheduled", "cancelled"] | None = None


class SeriesIn(Input):
    first_starts_at: InstantIn
    count: int
    interval_days: int | None = None
    weekdays: list[int | str] | None = Field(None, examples=[["mon", "wed"]])
    duration_minutes: int
    title_prefix: BilingualText | None = None
    description: BilingualText | None = None
    meeting_url: str | None = None
    facilitators: list[str] | None = None
    module: str | None = None
    mode: Literal["online", "in_person", "hybrid"] | None = Field(None, description=GATHERING_DOC)
    venue: VenueIn | None = None
    interpretation: list[str] | None = Field(None, examples=[["id-en", "sign:BISINDO"]])


class LocalTimes(Output):
    starts_at: str
    ends_at: str
    timezone: str


class SessionOut(Output):
    id: int
    training: int
    number: int
    title: Bilingual
    description: Bilingual
    starts_at: Instant
    ends_at: Instant
    duration_minutes: int
    local: LocalTimes
    status: Literal["scheduled", "cancelled"]
    meeting_url: str | None
    facilitators: list[str]
    module: str | None
    sequence: int
    mode: Literal["online", "in_person", "hybrid"]
    venue: Venue | None
    interpretation: list[str]

    @classmethod
    def fields_of(cls, session, number: int, zone: str, *, show_link: bool = True) -> dict:
        return dict(
            id=session.id, training=session.training_id, number=number,
            title=Bilingual.of(session, "title"),
            description=Bilingual.of(session, "description"),
            starts_at=iso_utc(session.starts_at), ends_at=iso_utc(session.ends_at),
            duration_minutes=session.duration_minutes,
            local=LocalTimes(starts_at=format_local_iso(session.starts_at, zone),
                             ends_at=format_local_iso(session.ends_at, zone), timezone=zone),
            status=session.status,
            meeting_url=session.meeting_url if show_link else None,
            facilitators=[u.email for u in session.facilitators],
            module=session.module_slug, sequence=session.sequence,
            mode=session.mode or "online", venue=venue_dict(session),
            interpretation=list(session.interpretation or []))

    @classmethod
    def of(cls, session, number: int, zone: str, *, show_link: bool = True) -> dict:
        return cls(**cls.fields_of(session, number, zone, show_link=show_link)).dump()


class SessionAnswer(SessionOut):
    warnings: list[dict[str, Any]]


class SeriesAnswer(Output):
    items: list[SessionAnswer]
    warnings: list[dict[str, Any]]


class ScheduleItem(SessionOut):
    training_title: Bilingual
    enrolment: int | None
    attendance: str | None


class Schedule(Output):
    items: list[ScheduleItem]
    timezone: str


class Trainings(Output):
    items: list[TrainingOut]


class Sessions(Output):
    items: list[SessionOut]


class StaffList(Output):
    items: list[StaffOut]
