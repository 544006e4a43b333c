"""Personal calendar-feed tokens: issue, revoke, show again, and find the person a token
belongs to. Stored as digests by the accounts area (docs/accounts.md): the database keeps
the token's SHA-256 digest and a nonce, never the token."""
from __future__ import annotations

from ...auth.services import (  # noqa: F401  (this area's names for them)
    calendar_feed_token,
    issue_calendar_token,
    revoke_calendar_token,
    user_for_calendar_token,
)
