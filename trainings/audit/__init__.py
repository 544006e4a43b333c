"""The staff audit: every state change made by staff in a training, appended in the same
transaction as the change (see docs/privacy.md). A low area (just above ``outbox``): it
imports no other area, so every area may record into it."""
