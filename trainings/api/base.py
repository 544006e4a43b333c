"""Blueprint and shared helpers of the JSON API, version 1 (see docs/api-v1.md): thin routes over the area services.

Every route is token-authenticated (``Authorization: Bearer <token>``) unless marked
``@public``. Errors answer ``{"error": {"code", "message", "details"}}`` in the caller's
language (``Accept-Language``, then the token user's setting). A route reads::

    @bp.post("/trainings/<int:training_id>/staff")
    @doc(_l("Add an organiser or facilitator"), body=StaffIn, answer=StaffOut, status=201)
    def add_staff(training_id):
        training = load_training(training_id)                       # load
        require(actor(), "training.manage_staff", training)          # policy
        data = body(StaffIn)                                         # validate (schema)
        staff = commit(lambda: services.add_staff(training, ...))    # service, commit once
        return StaffOut.of(staff), 201                               # serialise
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, current_app, g, request
from pydantic import BaseModel

from .. import messages as m
from ..auth.services import READ_ONLY_TOKEN, TWO_FACTOR_REQUIRED, allows, api_token_for
from ..errors import ValidationError, json_error
from ..extensions import db
from .schemas import load

bp = Blueprint("api", __name__)


def public(view):
    """Mark a route as needing no token."""
    view.is_public = True
    return view


def doc(summary=None, *, body: type[BaseModel] | None = None, answer: type[BaseModel] | None = None,
        status: int = 200, query: dict | None = None, content: dict | None = None,
        answers: dict | None = None):
    """Describe a route for the OpenAPI document (:mod:`trainings.api.openapi`).

    ``body``/``answer`` are schema classes; ``query`` maps a parameter name to
    ``(json type, description)``; ``content`` lists request media types other than JSON
    (``{"text/csv": description}``); ``answers`` adds other statuses
    (``{202: (Job, description)}``) or a non-JSON answer (``{200: ("application/pdf", ...)}``).
    """
    def mark(view):
        view.api_doc = {"summary": summary, "body": body, "answer": answer, "status": status,
                        "query": query or {}, "content": content or {}, "answers": answers or {}}
        return view
    return mark


@bp.before_request
def _authenticate():
    view = bp_view_function()
    if view is not None and getattr(view, "is_public", False):
        g.actor = None
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    api_token = api_token_for(token.strip()) if scheme.lower() == "bearer" else None
    if api_token is None:  # none, unknown, revoked or expired
        response = json_error(401, "unauthorized", m.text(m.TOKEN_REQUIRED))
        response.headers["WWW-Authenticate"] = 'Bearer realm="anyam"'
        return response
    if api_token in db.session.dirty:  # last_used_at is recorded (at most every 5 minutes);
        db.session.commit()  # otherwise no commit: it would expire and reload token and user
    if not allows(api_token, request.method):
        response = json_error(403, "insufficient_scope", m.text(READ_ONLY_TOKEN))
        response.headers["WWW-Authenticate"] = 'Bearer realm="anyam", error="insufficient_scope"'
        return response
    if current_app.config["REQUIRE_2FA_FOR_ADMINS"] and api_token.user.is_admin \
            and not api_token.user.has_two_factor:
        return json_error(403, "two_factor_required", m.text(TWO_FACTOR_REQUIRED))
    g.actor = api_token.user
    return None


def bp_view_function():
    return current_app.view_functions.get(request.endpoint or "")


def actor():
    return g.actor


def json_body(required: bool = True) -> dict:
    """The request's JSON object, or a 422 (415 for another content type)."""
    if not request.is_json:
        if not required and not request.data:
            return {}
        raise ValidationError(m.BODY_NOT_JSON, code="unsupported_media_type", status=415)
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ValidationError(m.BODY_NOT_OBJECT, code="invalid_json")
    return data


def body(schema: type[BaseModel], required: bool = True, *, code: str | None = None) -> dict:
    """The request's JSON object, its shape and types checked by ``schema`` (422 naming
    every problem otherwise). Answers the body as sent: the services check the business
    rules and read only the fields they know."""
    data = json_body(required=required)
    load(schema, data, code=code)
    return data


def commit(operation: Callable[[], Any]) -> Any:
    """Run one service call as the request's unit of work and commit once. A DomainError
    propagates (the error handler answers it; the request's session is rolled back)."""
    try:
        result = operation()
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()
    return result
