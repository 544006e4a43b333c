"""Attendance: request and answer shapes."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from .core import Input, Output


class Record(Input):
    enrolment: int
    status: Literal["present", "late", "absent", "excused"] | None


class AttendanceIn(Input):
    records: list[dict[str, Any]]


class Updated(Output):
    updated: int


class Unmatched(Output):
    model_config = {"extra": "allow"}
    name: str | None
    email: str | None
    minutes: float | int | None


class ReportResult(Output):
    model_config = {"extra": "allow"}
    present: int
    absent: int
    kept: int = 0  # records set by hand that the report would have lowered, left as they were
    unmatched: list[Unmatched]
    # the applied import (an extension): undo it with POST /attendance-imports/{id}/undo
    import_: int | None = Field(None, alias="import")

    def dump(self) -> dict:
        return self.model_dump(mode="json", by_alias=True)


class KeptRecord(Output):
    name: str
    by: str | None


class Undone(Output):
    restored: int  # statuses set back to what they were before the import
    removed: int  # records the import had created, removed
    kept: list[KeptRecord]  # records changed since the import, kept as they are


class MatrixSession(Output):
    model_config = {"extra": "allow"}
    id: int
    number: int


class MatrixRow(Output):
    model_config = {"extra": "allow"}
    enrolment: int
    name: str
    country: str
    statuses: list[str | None]
    attended: int
    eligible: bool


class Matrix(Output):
    model_config = {"extra": "allow"}
    sessions: list[MatrixSession]
    rows: list[MatrixRow]
