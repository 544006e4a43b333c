"""The JSON API, version 1 (the contract: docs/api-v1.md). One module per area."""
from . import (  # noqa: F401
    attendance,
    certificates,
    enrolments,
    me,
    modules,
    organisations,
    overview,
    programmes,
    trainings,
)
from .base import bp  # noqa: F401
