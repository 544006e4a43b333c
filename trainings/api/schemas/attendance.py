"""Attendance: request and answer shapes."""
from __future__ import annotations

from typing import Any, Literal

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
