"""Organisations, hubs, programmes and their dashboards, people, the public catalogue:
request and answer shapes (the contract's "Organisations, programmes and hubs")."""
from __future__ import annotations

from typing import Any

from pydantic import Field

from ...timezones import iso_utc
from .core import Bilingual, BilingualIn, Input, Instant, Output

BilingualText = str | BilingualIn
NameOrId = int | str


class OrganisationIn(Input):
    name: str
    short_name: str | None = None
    country: str | None = Field(None, examples=["ID"], description="ISO code or a name")
    website: str | None = Field(None, examples=["https://www.koalisiperempuan.or.id"])


class OrganisationPatch(OrganisationIn):
    name: str | None = None


class OrganisationOut(Output):
    id: int
    name: str
    short_name: str
    country: str | None
    website: str | None

    @classmethod
    def of(cls, organisation) -> dict:
        return cls(id=organisation.id, name=organisation.name,
                   short_name=organisation.short_name or "", country=organisation.country_code,
                   website=organisation.website).dump()


class Organisations(Output):
    items: list[OrganisationOut]


class HubIn(Input):
    name: BilingualText
    region: str | None = None
    description: BilingualText | None = None
    organisations: list[int] | None = None
    slug: str | None = None


class HubOut(Output):
    id: int
    slug: str
    name: Bilingual
    region: str
    description: Bilingual
    countries: list[str]
    organisations: list[OrganisationOut]

    @classmethod
    def of(cls, hub) -> dict:
        return cls(id=hub.id, slug=hub.slug, name=Bilingual.of(hub, "name"), region=hub.region,
                   description=Bilingual.of(hub, "description"), countries=hub.country_codes,
                   organisations=[OrganisationOut.of(o) for o in hub.organisations]).dump()


class Hubs(Output):
    items: list[HubOut]


class ProgrammeIn(Input):
    title: BilingualText
    description: BilingualText | None = None
    organisations: list[NameOrId] | None = None
    trainings: list[int] | None = None
    managers: list[str] | None = Field(None, examples=[["manager@example.org"]])


class ProgrammePatch(ProgrammeIn):
    title: BilingualText | None = None


class ProgrammeOut(Output):
    id: int
    title: Bilingual
    description: Bilingual
    organisations: list[str]
    organisation_ids: list[int]
    trainings: list[int]
    managers: list[str]

    @classmethod
    def of(cls, programme) -> dict:
        return cls(id=programme.id, title=Bilingual.of(programme, "title"),
                   description=Bilingual.of(programme, "description"),
                   organisations=[o.name for o in programme.organisations],
                   organisation_ids=[o.id for o in programme.organisations],
                   trainings=[t.id for t in programme.trainings],
                   managers=[u.email for u in programme.managers]).dump()


class Programmes(Output):
    items: list[ProgrammeOut]


class TrainingReach(Output):
    id: int
    title: Bilingual
    enrolments: int
    accepted: int
    completed: int
    completion_rate: float | None
    certificates: int


class Dashboard(Output):
    programme: int
    trainings: int
    enrolments: int
    people: int = Field(description="accepted participants, counted once by email")
    by_country: dict[str, int]
    by_organisation: dict[str, int]
    by_sector: dict[str, int]
    completion_rate: float | None
    people_completed: int
    certificates: int
    certificate_rate: float | None
    per_training: list[TrainingReach]
    evaluation: dict[str, Any] | None = Field(
        description="headline evaluation results (satisfaction, knowledge gain, action plans;"
                    " cells under 5 people are \"<5\"); null without trainings")
    computed_at: Instant


class PersonFound(Output):
    id: int
    name: str
    email: str
    country: str | None
    organisation: str | None
    trainings: int


class People(Output):
    items: list[PersonFound]


class PersonCertificate(Output):
    code: str
    status: str
    issued_at: Instant


class PersonTraining(Output):
    training: int
    title: Bilingual
    enrolment: int
    status: str
    country: str | None
    organisation: str | None
    certificate: PersonCertificate | None


class PersonOut(Output):
    id: int
    name: str
    email: str
    country: str | None
    organisation: str | None
    trainings: list[PersonTraining]

    @classmethod
    def of(cls, found: dict) -> dict:
        rows = []
        for row in found["enrolments"]:
            enrolment, training, certificate = row["enrolment"], row["training"], row["certificate"]
            rows.append(PersonTraining(
                training=training.id, title=Bilingual.of(training, "title"),
                enrolment=enrolment.id, status=enrolment.status, country=enrolment.country_code,
                organisation=enrolment.organisation,
                certificate=None if certificate is None else PersonCertificate(
                    code=certificate.code, status=certificate.status,
                    issued_at=iso_utc(certificate.issued_at))))
        return cls(id=found["id"], name=found["name"], email=found["email"],
                   country=found["country"], organisation=found["organisation"],
                   trainings=rows).dump()


class LocalDates(Output):
    starts_at: str | None
    ends_at: str | None
    timezone: str


class CatalogueItem(Output):
    id: int
    title: Bilingual
    description: Bilingual
    organisations: list[str]
    languages: list[str]
    sessions: int
    starts_at: Instant
    ends_at: Instant
    local: LocalDates
    apply_url: str

    @classmethod
    def of(cls, item: dict) -> dict:
        return cls(**{key: item[key] for key in cls.model_fields}).dump()


class Catalogue(Output):
    items: list[CatalogueItem]
