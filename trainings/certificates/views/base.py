"""The certificates blueprint and what its topic modules share."""
from __future__ import annotations

from flask import Blueprint, current_app, url_for

from ...errors import NotFound
from ...web import send_download
from .. import services

bp = Blueprint("certificates", __name__)

def verify_limit() -> str:
    return current_app.config["CERTIFICATE_VERIFY_RATE_LIMIT"]


def load_certificate(code: str):
    certificate = services.get_by_code(code)
    if certificate is None:
        raise NotFound()
    return certificate


def private_download(data, filename: str, mimetype: str):
    """A file of personal data: never kept by a shared cache."""
    response = send_download(data, filename, mimetype)
    response.headers["Cache-Control"] = "private, max-age=0"
    return response


def upload_bytes(field, default=None):
    """The uploaded file's bytes, one more than allowed so that the service sees it too large."""
    upload = field.data
    return (upload.read(services.MAX_IMAGE_BYTES + 1) if upload else None) or default


def manage_url(training_id: int) -> str:
    return url_for(".manage", training_id=training_id)

