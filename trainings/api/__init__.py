"""The JSON API, version 1 (the contract: docs/api-v1.md). One module per area; the
schemas in ``schemas/``, the OpenAPI document in ``openapi.py``, its page in ``docs.py``."""
from . import (  # noqa: F401
    attendance,
    certificates,
    docs,
    enrolments,
    evaluation,
    gatherings,
    me,
    modules,
    notifications,
    organisations,
    overview,
    privacy,
    programmes,
    trainings,
)
from .base import bp  # noqa: F401
from .docs import pages as docs_bp  # noqa: F401
