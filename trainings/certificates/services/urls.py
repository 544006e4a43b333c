"""Links of a certificate that leave the request (mail, PDFs, credentials).

``base`` is the installation's public base URL (:func:`trainings.web.base_url`); jobs keep
the one of the request that started them. The paths come from the URL map, so a moved
route moves its links too.
"""
from __future__ import annotations

from flask import current_app

from ...web import absolute_url


def _link(endpoint: str, base: str | None, **values) -> str:
    if base is None:
        return absolute_url(endpoint, **values)
    return base.rstrip("/") + current_app.url_map.bind("localhost").build(endpoint, values)


def verify_url(code: str, base: str | None = None) -> str:
    """The public verification page of a certificate."""
    return _link("certificates.verify", base, code=code)


def pdf_url(code: str, base: str | None = None) -> str:
    """The PDF of a certificate (after logging in)."""
    return _link("certificates.download", base, code=code)


def credential_url(code: str, base: str | None = None) -> str:
    """The public Open Badges credential (JSON) of a certificate."""
    return _link("certificates.credential", base, code=code)


def status_list_url(status_list_id: int, base: str | None = None) -> str:
    """The public, signed BitstringStatusListCredential of a status list."""
    return _link("certificates.status_list", base, list_id=status_list_id)


def name_url(training_id: int, base: str | None = None) -> str:
    """The participant's page to confirm the name printed on the certificate."""
    return _link("certificates.my_name", base, training_id=training_id)
