"""Gatherings: check-in and groups (docs/gatherings.md)."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from .core import Bilingual, BilingualIn, Input, Output


class CheckinCode(Output):
    code: str


class CheckinIn(Input):
    code: str | None = Field(None, description="A participant's check-in code (from the QR)")
    enrolment: int | None = Field(None, description="Or the enrolment id found by name")


class CheckinOut(Output):
    enrolment: int
    name: str
    status: Literal["present", "late"]
    already: bool = Field(description="True when this person had already checked in "
                                      "(nothing was written)")


class GroupIn(Input):
    name: str | BilingualIn
    capacity: int
    facilitators: list[str] | None = None


class AssignIn(Input):
    by: list[Literal["country", "organisation"]] | None = Field(
        None, examples=[["country", "organisation"]])
    reset: bool | None = Field(None, description="Reassign everybody (default: keep people "
                                                 "already in a group)")


class Member(Output):
    enrolment: int
    name: str
    country: str


class GroupOut(Output):
    id: int
    name: Bilingual
    capacity: int
    facilitators: list[str]
    members: list[Member]


class Groups(Output):
    items: list[GroupOut]
