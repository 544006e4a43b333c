"""Trainings and sessions: queries and changes. Services take plain values and an actor.

Changes validate everything first and raise one :class:`~trainings.errors.ValidationError`
listing every problem (``details``), so nothing is written on bad input; they ``flush()``
and leave the commit to the caller. One topic per module (pretix's ``base/services/``):

- :mod:`.loaders`          load a training or session, numbering, summaries, visibility
- :mod:`.checks`           checks of scheduling values on top of :mod:`trainings.validation`
- :mod:`.certificate_rule` the shape of a training's certificate rule
- :mod:`.trainings`        create and change trainings, quotas, organisations, the team
- :mod:`.sessions`         sessions and series: create, reschedule, cancel, reinstate
- :mod:`.notices`          mails to participants about session changes (through a signal)
- :mod:`.conflicts`        facilitator conflicts across trainings
- :mod:`.accessibility`    the accessibility-needs classifier
- :mod:`.calendar_tokens`  personal calendar-feed tokens

The read models that span areas ("my schedule", "my sessions") are in
:mod:`trainings.overview.schedule`.
"""
from __future__ import annotations

from .accessibility import ACCESSIBILITY_NEEDS, classify_needs, need_labels
from .calendar_tokens import (
    calendar_feed_token,
    issue_calendar_token,
    revoke_calendar_token,
    user_for_calendar_token,
)
from .certificate_rule import RULE_KEYS, validate_rule
from .checks import (
    MAX_CAPACITY,
    MAX_DURATION_MINUTES,
    MAX_INTERVAL_DAYS,
    MAX_SERIES,
    STAFF_ROLES,
    WEEKDAY_NAMES,
)
from .conflicts import facilitator_conflicts, training_conflicts
from .loaders import (
    facilitator_accounts,
    get_session,
    get_training,
    load_session,
    load_training,
    numbered_sessions,
    page_sessions,
    participant_zones,
    plain_rows,
    session_number,
    session_summaries,
    staff_of,
    training_page,
    visible_trainings,
)
from .notices import mail_session_change, notify_participants
from .sessions import (
    SESSION_FIELDS,
    cancel_session,
    create_series,
    create_session,
    local_wall_time,
    reinstate_session,
    series_starts,
    update_session,
)
from .trainings import TRAINING_FIELDS, add_staff, create_training, remove_staff, update_training
from .venues import MODE_LABELS, MODES, clean_interpretation, interpretation_label, venue_dict

__all__ = [
    "ACCESSIBILITY_NEEDS", "MAX_CAPACITY", "MAX_DURATION_MINUTES", "MAX_INTERVAL_DAYS",
    "MAX_SERIES", "RULE_KEYS", "SESSION_FIELDS", "STAFF_ROLES", "TRAINING_FIELDS",
    "WEEKDAY_NAMES", "add_staff", "cancel_session", "classify_needs", "create_series",
    "create_session", "create_training", "facilitator_conflicts", "get_session", "get_training",
    "calendar_feed_token", "issue_calendar_token", "load_session", "load_training",
    "local_wall_time",
    "mail_session_change", "need_labels", "notify_participants", "numbered_sessions",
    "page_sessions", "plain_rows", "training_page",
    "participant_zones", "reinstate_session", "remove_staff", "revoke_calendar_token",
    "series_starts", "session_number", "session_summaries", "staff_of", "facilitator_accounts", "training_conflicts",
    "update_session", "update_training", "user_for_calendar_token", "validate_rule",
    "visible_trainings", "MODE_LABELS", "MODES", "clean_interpretation", "interpretation_label",
    "venue_dict",
]
