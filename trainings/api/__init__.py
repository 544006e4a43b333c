"""The JSON API, version 1 (the contract: docs/api-v1.md). One module per area."""
from . import attendance, certificates, enrolments, evaluation, me, modules, trainings  # noqa: F401
from .base import bp  # noqa: F401
