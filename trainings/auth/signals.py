"""What the accounts area announces (higher areas connect receivers; see trainings/signals.py)."""
from __future__ import annotations

from ..signals import namespace

# A known address asked for a new password: send(user, token=<plain one-time token>).
# The outbox mails the link; nothing else may keep the token.
password_reset_requested = namespace.signal("password-reset-requested")
