"""The API's description: ``GET /api/v1/openapi.json`` (public) and ``/api/docs``, a page
that shows the same document to people (server-rendered, in the page's language)."""
from __future__ import annotations

from flask import Blueprint, render_template

from . import openapi
from .base import bp, doc, public

pages = Blueprint("api_docs", __name__)


@bp.get("/openapi.json")
@public
@doc("OpenAPI 3.1 document of this API")
def openapi_document():
    return openapi.document()


def _fields(schema: dict | None, components: dict, seen: tuple = ()) -> list[dict]:
    """A schema's properties as rows (name, type, required, description), nested ones
    prefixed with their parent (``title.id``)."""
    schema = _resolve(schema or {}, components)
    rows = []
    required = set(schema.get("required", []))
    for name, prop in (schema.get("properties") or {}).items():
        target = _resolve(prop, components)
        rows.append({"name": name, "type": type_label(prop, components),
                     "required": name in required,
                     "description": prop.get("description") or target.get("description", "")})
        ref = _object_ref(prop)
        if ref and ref not in seen:
            for row in _fields({"$ref": ref}, components, seen + (ref,)):
                rows.append({**row, "name": f"{name}.{row['name']}"})
    return rows


def _object_ref(prop: dict) -> str | None:
    if "$ref" in prop:
        return prop["$ref"]
    if prop.get("type") == "array" and "$ref" in (prop.get("items") or {}):
        return prop["items"]["$ref"]
    for option in prop.get("anyOf", []):
        ref = _object_ref(option)
        if ref:
            return ref
    return None


def _resolve(schema: dict, components: dict) -> dict:
    ref = schema.get("$ref")
    return components.get(ref.rsplit("/", 1)[-1], {}) if ref else schema


def type_label(prop: dict, components: dict) -> str:
    if "$ref" in prop:
        return prop["$ref"].rsplit("/", 1)[-1]
    if "enum" in prop:
        return " | ".join(f'"{v}"' for v in prop["enum"])
    if "const" in prop:
        return f'"{prop["const"]}"'
    if "anyOf" in prop:
        return " | ".join(type_label(p, components) for p in prop["anyOf"])
    kind = prop.get("type", "any")
    if kind == "array":
        return f"[{type_label(prop.get('items') or {}, components)}]"
    if prop.get("format"):
        return f"{kind} ({prop['format']})"
    return str(kind)


@pages.get("/api/docs")
def api_docs():
    document = openapi.document()
    components = document["components"]["schemas"]
    operations = [_operation(path, method, operation, components)
                  for path, methods in document["paths"].items()
                  for method, operation in methods.items()]
    return render_template("api/docs.html", document=document, operations=operations)


def _operation(path: str, method: str, operation: dict, components: dict) -> dict:
    """One operation of the document as the page shows it."""
    request = operation.get("requestBody", {}).get("content", {})
    return {
        "method": method.upper(), "path": path, "id": operation["operationId"],
        "summary": operation["summary"], "tag": operation["tags"][0],
        "public": operation.get("security") == [],
        "parameters": operation.get("parameters", []),
        "media": [media for media in request if media != "application/json"],
        "fields": _fields((request.get("application/json") or {}).get("schema"), components),
        "answers": [_answer(status, answer, components)
                    for status, answer in operation["responses"].items()],
    }


def _answer(status: str, answer: dict, components: dict) -> dict:
    """One answer of an operation; the fields of successful ones only."""
    content = answer.get("content", {})
    schema = (content.get("application/json") or {}).get("schema")
    return {"status": status, "description": answer["description"],
            "media": ", ".join(content),
            "fields": _fields(schema, components) if status < "400" else []}
