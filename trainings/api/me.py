"""API routes of the me area (see docs/api-v1.md)."""
from .base import bp  # noqa: F401
