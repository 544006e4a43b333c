"""Enrolments, imports and stats: request and answer shapes."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from ...countries import country_name
from ...timezones import iso_utc
from .core import Input, Instant, Output

Status = Literal["applied", "accepted", "waitlisted", "rejected", "withdrawn"]


class PersonIn(Input):
    """The fields of an application, as organisers and applicants send them."""

    name: str
    email: str
    country: str = Field(examples=["ID"], description="ISO alpha-2 or alpha-3 code, or a name")
    organisation: str | None = None
    sector: str | None = None
    timezone: str | None = Field(None, examples=["Asia/Karachi"],
                                 description="IANA zone; default the country's main zone")
    language: str | None = None
    accessibility_needs: str | None = None
    accessibility_consent: bool | None = None


class EnrolmentIn(PersonIn):
    demographics_consent: bool | None = Field(
        None, description="Explicit consent: required for gender and washington_group")
    gender: Literal["woman", "man", "non_binary", "self_described", "prefer_not_to_say"] | None = None
    washington_group: dict[str, str | None] | None = Field(
        None, description="seeing, hearing, walking, remembering, self_care, communicating: "
                          "no_difficulty, some_difficulty, a_lot_of_difficulty or cannot_do_at_all")


class ApplicationIn(PersonIn):
    """A public application (no token): the fields of the application form."""

    privacy_consent: bool = Field(description="Must be true: the person agrees to the "
                                              "privacy notice at /privacy/applications")


class ApplicationOut(Output):
    """Where the application stands; nothing else about the person is answered."""

    training: int
    status: Status


class EnrolmentStatusIn(Input):
    status: Literal["accepted", "waitlisted", "rejected", "withdrawn"]


class DemographicsIn(Input):
    demographics_consent: bool
    gender: Literal["woman", "man", "non_binary", "self_described", "prefer_not_to_say"] | None = None
    washington_group: dict[str, str | None] | None = None


class EnrolmentOut(Output):
    id: int
    training: int
    name: str
    email: str
    country: str
    country_name: str
    organisation: str | None
    sector: str | None
    timezone: str | None
    language: str | None
    status: Status
    person: int | None = Field(description="The account of this email address, one across "
                                           "trainings (/api/v1/people/{id})")
    created_at: Instant
    updated_at: Instant
    accessibility_needs: str | None = Field(
        None, description="Only for those who may see it (staff of the training)")

    @classmethod
    def of(cls, enrolment, *, with_accessibility: bool = False) -> dict:
        data = cls(
            id=enrolment.id, training=enrolment.training_id, name=enrolment.name,
            email=enrolment.email, country=enrolment.country_code,
            country_name=country_name(enrolment.country_code, "en"),
            organisation=enrolment.organisation, sector=enrolment.sector,
            timezone=enrolment.timezone, language=enrolment.language, status=enrolment.status,
            person=enrolment.user_id,
            created_at=iso_utc(enrolment.created_at), updated_at=iso_utc(enrolment.updated_at),
            accessibility_needs=enrolment.accessibility_needs if with_accessibility else None,
        ).dump()
        if not with_accessibility:
            del data["accessibility_needs"]
        return data


class ChangedEnrolment(EnrolmentOut):
    promoted: list[int] = Field(description="Waitlisted enrolments promoted by this change")


class Enrolments(Output):
    items: list[EnrolmentOut]


class ImportResult(Output):
    model_config = {"extra": "allow"}
    created: int
    accepted: int
    waitlisted: int


class Stats(Output):
    model_config = {"extra": "allow"}
    by_country: dict[str, dict[str, Any]]
    attendance_rate: float | None
    sessions: list[dict[str, Any]]
