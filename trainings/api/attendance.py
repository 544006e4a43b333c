"""API routes of the attendance area (see docs/api-v1.md)."""
from .base import bp  # noqa: F401
