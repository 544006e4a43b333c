"""The OpenAPI 3.1 document of the API, generated from the routes and their schemas.

Every rule of the ``api`` blueprint is in it (a route without a :func:`~.base.doc` still
appears, with its path parameters); the schemas are pydantic's JSON Schema (2020-12, which
OpenAPI 3.1 uses as is). Token routes need the ``bearer`` scheme; ``@public`` ones have
``security: []``. Summaries are lazy strings, so the document and the page that shows it
(:mod:`trainings.api.docs`) are in the reader's language.
"""
from __future__ import annotations

import re

from flask import current_app
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from pydantic.json_schema import models_json_schema

from . import schemas

API_PREFIX = "/api/v1"
_CONVERTER = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
_TYPES = {"int": "integer", "float": "number"}
_METHODS = ("get", "post", "put", "patch", "delete")

ERRORS = {
    401: _l("No token, or a token that is not valid"),
    403: _l("Not allowed"),
    404: _l("Not found (or not visible to the caller)"),
    409: _l("Conflict with the current state"),
    415: _l("Unsupported content type"),
    422: _l("Invalid input: details name each field and problem"),
}


def openapi_path(rule: str) -> tuple[str, list[dict]]:
    """``/trainings/<int:training_id>`` → ``/trainings/{training_id}`` and its parameters."""
    parameters = []

    def replace(match):
        converter, name = match.group(1) or "string", match.group(2)
        parameters.append({"name": name, "in": "path", "required": True,
                           "schema": {"type": _TYPES.get(converter, "string")}})
        return "{" + name + "}"

    return _CONVERTER.sub(replace, rule), parameters


def _api_rules():
    for rule in current_app.url_map.iter_rules():
        if rule.endpoint.startswith("api.") and rule.rule.startswith(API_PREFIX):
            yield rule


def _models() -> list[type]:
    found = {schemas.Error}
    for rule in _api_rules():
        spec = getattr(current_app.view_functions[rule.endpoint], "api_doc", None) or {}
        for key in ("body", "answer"):
            if isinstance(spec.get(key), type):
                found.add(spec[key])
        for value in (spec.get("answers") or {}).values():
            if isinstance(value[0], type):
                found.add(value[0])
    return sorted(found, key=lambda model: model.__name__)


def _ref(model) -> dict:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _json(model, description) -> dict:
    return {"description": str(description), "content": {"application/json": {"schema": _ref(model)}}}


def _operation(rule, method: str, view, parameters: list[dict]) -> dict:
    spec = getattr(view, "api_doc", None) or {}
    summary = spec.get("summary") or (view.__doc__ or view.__name__).strip().splitlines()[0]
    methods = rule.methods - {"HEAD", "OPTIONS"}
    operation = {"operationId": view.__name__ if len(methods) == 1 else f"{method}_{view.__name__}",
                 "summary": str(summary), "tags": [view.__module__.rsplit(".", 1)[-1]]}
    query = [{"name": name, "in": "query", "required": False,
              "description": str(description), "schema": {"type": kind}}
             for name, (kind, description) in (spec.get("query") or {}).items()]
    if parameters or query:
        operation["parameters"] = parameters + query
    if spec.get("body") or spec.get("content"):
        content = {}
        if spec.get("body"):
            content["application/json"] = {"schema": _ref(spec["body"])}
        for media, description in (spec.get("content") or {}).items():
            content[media] = {"schema": {"type": "string", "format": "binary",
                                         "description": str(description)}}
        operation["requestBody"] = {"required": True, "content": content}
    responses = {}
    status = str(spec.get("status", 200))
    if spec.get("answer"):
        responses[status] = _json(spec["answer"], _l("Success"))
    elif status == "204":
        responses[status] = {"description": str(_l("Done; no content"))}
    for code, (target, description) in (spec.get("answers") or {}).items():
        if isinstance(target, type):
            responses[str(code)] = _json(target, description)
        else:
            responses[str(code)] = {"description": str(description),
                                    "content": {target: {"schema": {"type": "string",
                                                                    "format": "binary"}}}}
    if not responses:
        responses[status] = {"description": str(_l("Success")),
                             "content": {"application/json": {"schema": {"type": "object"}}}}
    public = getattr(view, "is_public", False)
    for code, description in ERRORS.items():
        if code == 401 and public:
            continue
        if code in (409, 415) and method == "get":
            continue
        if code == 422 and not (spec.get("body") or query or method != "get"):
            continue
        responses.setdefault(str(code), _json(schemas.Error, description))
    operation["responses"] = responses
    if public:
        operation["security"] = []
    return operation


def document() -> dict:
    """The OpenAPI 3.1 document of every ``/api/v1`` route, in the current language (built
    once per language and process: routes and schemas do not change while the app runs).
    Treat it as read-only."""
    cache = current_app.extensions.setdefault("anyam_openapi", {})
    language = str(get_locale() or "en")
    if language not in cache:
        cache[language] = _build()
    return cache[language]


def _build() -> dict:
    paths: dict[str, dict] = {}
    for rule in sorted(_api_rules(), key=lambda r: r.rule):
        path, parameters = openapi_path(rule.rule)
        view = current_app.view_functions[rule.endpoint]
        for method in _METHODS:
            if method.upper() in rule.methods:
                paths.setdefault(path, {})[method] = _operation(rule, method, view, parameters)
    models = _models()
    _, definitions = models_json_schema(
        [(model, "serialization" if issubclass(model, schemas.Output) else "validation")
         for model in models], ref_template="#/components/schemas/{model}")
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "info": {"title": "Anyam API", "version": "1",
                 "description": str(_l("The public JSON API of Anyam. Authenticate with "
                                       "Authorization: Bearer <token>; routes marked public "
                                       "need no token. Errors answer {\"error\": {\"code\", "
                                       "\"message\", \"details\"}} in the language of "
                                       "Accept-Language."))},
        "paths": paths,
        "components": {
            "schemas": definitions.get("$defs", {}),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": str(_l("An API token from your "
                                                                 "profile page or the CLI"))}},
        },
        "security": [{"bearer": []}],
    }
