"""The error answer every route may give."""
from __future__ import annotations

from .core import Output


class Detail(Output):
    model_config = {"extra": "allow"}
    field: str | None = None
    message: str


class ErrorBody(Output):
    code: str
    message: str
    details: list[Detail]


class Error(Output):
    """``{"error": {"code", "message", "details"}}`` with a 4xx status."""

    error: ErrorBody
