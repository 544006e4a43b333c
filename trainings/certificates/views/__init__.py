"""Web pages of the certificates area, one module per topic on the one blueprint ``bp``
("certificates"): issuing (manage, issue, revoke, reissue, names), design (statement,
signatories, logos), downloads (files and batch jobs) and public (verification)."""
from . import design, downloads, issuing, public  # noqa: F401  (they register the routes)
from .base import bp

__all__ = ["bp"]
