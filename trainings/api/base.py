"""Blueprint and shared helpers of the JSON API, version 1 (see docs/api-v1.md): thin routes over the area services.

Every route is token-authenticated (``Authorization: Bearer <token>``) unless marked
``@public``. Errors answer ``{"error": {"code", "message", "details"}}``.
"""
from __future__ import annotations

from flask import Blueprint, g, request

from ..auth.services import user_for_token
from ..errors import ValidationError, json_error
from ..extensions import db

bp = Blueprint("api", __name__)


def public(view):
    """Mark a route as needing no token."""
    view.is_public = True
    return view


@bp.before_request
def _authenticate():
    view = bp_view_function()
    if view is not None and getattr(view, "is_public", False):
        g.actor = None
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    user = user_for_token(token.strip()) if scheme.lower() == "bearer" else None
    if user is None:
        response = json_error(401, "unauthorized", "A valid API token is required.")
        response.headers["WWW-Authenticate"] = 'Bearer realm="anyam"'
        return response
    g.actor = user
    if db.session.dirty:
        db.session.commit()  # records last_used_at (at most every few minutes per token)
    return None


def bp_view_function():
    from flask import current_app
    return current_app.view_functions.get(request.endpoint or "")


def actor():
    return g.actor


def json_body(required: bool = True) -> dict:
    """The request's JSON object, or a 422 (415 for another content type)."""
    if not request.is_json:
        if not required and not request.data:
            return {}
        raise ValidationError("The body must be JSON (Content-Type: application/json).",
                              code="unsupported_media_type", status=415)
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ValidationError("The body must be a JSON object.", code="invalid_json")
    return data
