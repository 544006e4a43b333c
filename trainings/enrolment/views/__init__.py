"""Enrolment pages, one module per topic on the one blueprint ``bp`` ("enrolment"):
application (the public application form), organisers (the participant list, status
changes, invitations, the outbox), files (exports and imports) and mine (the participant's
own enrolment and the invitation)."""
from . import application, files, mine, organisers  # noqa: F401  (they register the routes)
from .base import bp

__all__ = ["bp"]
