"""Receivers of the scheduling area's signals (imported by the app factory): a session
whose module is set is prepared with that module's newest uploaded version."""
from __future__ import annotations

from ..scheduling.signals import session_module_set
from .ownership import prepare_session

session_module_set.connect(prepare_session)
