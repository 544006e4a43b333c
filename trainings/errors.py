"""Domain errors raised by services, and their translation into HTTP answers.

Services raise a :class:`DomainError` (never ``abort()``); the web layer turns it into a
form error, a flash or an error page, and the API into a 4xx JSON error.
"""
from __future__ import annotations

from flask import current_app, jsonify, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException, SecurityError

from .messages import HTTP_MESSAGES


class DomainError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message=None, *, code: str | None = None, field: str | None = None,
                 details: list | None = None, status: int | None = None):
        super().__init__(str(message) if message is not None else self.code)
        self.message = message if message is not None else _l("The request could not be handled.")
        if code:
            self.code = code
        if status:
            self.status = status
        self.field = field
        self.details = details or []
        if field and not self.details:
            self.details = [{"field": field, "message": str(self.message)}]

    def to_dict(self) -> dict:
        return {"error": {"code": self.code, "message": str(self.message),
                          "details": [_plain(d) for d in self.details]}}


def _plain(detail: dict) -> dict:
    return {k: (str(v) if not isinstance(v, (int, float, bool, type(None), list, dict)) else v)
            for k, v in detail.items()}


class ValidationError(DomainError):
    status = 422
    code = "validation_error"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class Conflict(DomainError):
    status = 409
    code = "conflict"


def wants_json() -> bool:
    return request.path.startswith("/api/")


def json_error(status: int, code: str, message: str, details: list | None = None):
    response = jsonify({"error": {"code": code, "message": str(message), "details": details or []}})
    response.status_code = status
    return response


def register_error_handlers(app):
    @app.errorhandler(DomainError)
    def handle_domain_error(error: DomainError):
        if wants_json():
            response = jsonify(error.to_dict())
            response.status_code = error.status
            return response
        template = {403: "errors/403.html", 404: "errors/404.html"}.get(error.status, "errors/400.html")
        return render_template(template, message=error.message), error.status

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        if isinstance(error, SecurityError):  # a Host outside TRUSTED_HOSTS: no URLs to build
            return app.response_class("Bad Request: this host name is not served here.\n",
                                      status=400, mimetype="text/plain")
        if wants_json():
            code = (error.name or "error").lower().replace(" ", "_")
            # Our own description (e.g. abort(400, _("..."))) stands; werkzeug's English
            # default gives way to the translated one.
            own = (error.description and error.description != type(error).description
                   and error.code != 429)  # the rate limiter's "30 per 1 minute" is not for people
            message = error.description if own else HTTP_MESSAGES.get(
                error.code or 500, error.description or error.name)
            response = json_error(error.code or 500, code, message)
            if error.code == 405 and error.valid_methods:
                response.headers["Allow"] = ", ".join(error.valid_methods)
            return response
        template = {403: "errors/403.html", 404: "errors/404.html", 500: "errors/500.html"}.get(
            error.code, "errors/400.html")
        return render_template(template, message=None, error=error), error.code

    @app.errorhandler(sa_exc.OperationalError)
    @app.errorhandler(sa_exc.InterfaceError)
    @app.errorhandler(sa_exc.TimeoutError)
    @app.errorhandler(sa_exc.DBAPIError)
    def handle_database_error(error: Exception):
        if not is_database_outage(error):
            return handle_unexpected(error)
        return database_unavailable(error)

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return handle_http_error(error)
        app.logger.exception("Unhandled error on %s", request.path)
        if wants_json():
            return json_error(500, "internal_error", HTTP_MESSAGES[500])
        return render_template("errors/500.html"), 500


def is_database_outage(error: Exception) -> bool:
    """The database cannot be reached (down, restarting, connection dropped, pool exhausted),
    as opposed to a bug in a statement."""
    if isinstance(error, sa_exc.TimeoutError):
        return True
    if isinstance(error, sa_exc.DBAPIError):
        return bool(error.connection_invalidated) or isinstance(
            error, (sa_exc.OperationalError, sa_exc.InterfaceError))
    return False


def database_unavailable(error: Exception):
    """503 with Retry-After, as a page or as JSON; the session is cleaned up."""
    from .extensions import db
    current_app.logger.error("Database unavailable on %s: %s", request.path,
                             str(error).splitlines()[0] if str(error) else type(error).__name__)
    try:
        db.session.rollback()
    except sa_exc.SQLAlchemyError:
        db.session.close()
    retry = str(int(current_app.config["DB_RETRY_AFTER"]))
    if wants_json():
        response = json_error(503, "database_unavailable",
                              "The database cannot be reached. Please try again shortly.")
    else:
        # Without the context processors and the locale selector: both ask for current_user.
        page = current_app.jinja_env.get_template("errors/503.html").render(url_for=url_for)
        response = current_app.make_response((page, 503))
    response.headers["Retry-After"] = retry
    return response
