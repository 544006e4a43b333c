"""The schema layer's base: pydantic models that check the shape and types of API input
and describe (and produce) the output, with errors in the caller's language.

Pydantic's own messages are English only, so :func:`load` maps each pydantic error type to
a message of :mod:`trainings.messages` (the table the forms and services use too) and
raises the usual :class:`~trainings.errors.ValidationError` (422, one ``details`` entry per
problem). The services still check the business rules; a schema checks only what a JSON
value must look like.
"""
from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticError

from ... import messages as m
from ...errors import ValidationError

__all__ = ["Bilingual", "BilingualIn", "Input", "Instant", "InstantIn", "Output", "load",
           "translate_errors"]


class Input(BaseModel):
    """A request body. Unknown fields are passed on (and ignored), as the contract allows
    clients to send more than a route reads; numbers are accepted where text is asked."""

    model_config = ConfigDict(extra="allow", coerce_numbers_to_str=True)


class Output(BaseModel):
    """An answer's shape. Build one from plain values, then :meth:`dump` it."""

    model_config = ConfigDict(extra="forbid")

    def dump(self) -> dict:
        return self.model_dump(mode="json")


class BilingualIn(BaseModel):
    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)
    id: str | None = None
    en: str | None = None


class Bilingual(Output):
    """``{"id": "...", "en": "..."}``: Indonesian and English."""

    id: str
    en: str

    @classmethod
    def of(cls, obj, field: str) -> dict:
        return {"id": getattr(obj, f"{field}_id") or "", "en": getattr(obj, f"{field}_en") or ""}


#: An instant in an answer: ISO 8601 in UTC with ``Z``, or null.
Instant = Annotated[str | None, Field(json_schema_extra={"format": "date-time"})]
#: An instant in a request: ISO 8601 with an offset (the service refuses a naive one).
InstantIn = Annotated[str, Field(json_schema_extra={"format": "date-time"},
                                 examples=["2023-12-05T14:00:00+07:00"])]

_MESSAGES = {
    "missing": m.REQUIRED,
    "string_type": m.NOT_TEXT,
    "string_unicode": m.NOT_TEXT,
    "int_type": m.NOT_A_NUMBER, "int_parsing": m.NOT_A_NUMBER, "int_from_float": m.NOT_A_NUMBER,
    "float_type": m.NOT_A_NUMBER, "float_parsing": m.NOT_A_NUMBER,
    "bool_type": m.NOT_BOOLEAN, "bool_parsing": m.NOT_BOOLEAN,
    "list_type": m.NOT_A_LIST, "tuple_type": m.NOT_A_LIST,
    "dict_type": m.NOT_AN_OBJECT, "model_type": m.NOT_AN_OBJECT,
    "model_attributes_type": m.NOT_AN_OBJECT,
    "extra_forbidden": m.UNKNOWN_FIELD,
    "datetime_type": m.INVALID_DATETIME, "datetime_parsing": m.INVALID_DATETIME,
    "datetime_from_date_parsing": m.INVALID_DATETIME,
    "date_type": m.INVALID_DATE, "date_parsing": m.INVALID_DATE,
    "date_from_datetime_parsing": m.INVALID_DATE,
}


def _field(loc: tuple) -> str:
    # Union members add their type name to the location (``title.str``): leave them out.
    parts = [str(p) for p in loc if not (isinstance(p, str) and p in _UNION_TAGS)]
    return ".".join(parts)


_UNION_TAGS = {"str", "int", "float", "bool", "list", "dict", "BilingualIn", "none",
               "function-after", "function-before", "function-wrap", "function-plain",
               "lax-or-strict", "json-or-python", "constrained-str", "constrained-int"}


def _message(error: dict) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind in ("literal_error", "enum"):
        choices = ctx.get("expected", "")
        return m.text(m.NOT_ONE_OF, choices=choices.replace("'", "").replace(" or ", ", "))
    if kind == "string_too_long":
        return m.text(m.TOO_LONG, num=int(ctx.get("max_length", 0)))
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return str(m.INVALID_VALUE)
    if kind == "value_error" and "email" in str(ctx.get("reason", error.get("msg", ""))).lower():
        return str(m.INVALID_EMAIL)
    return str(_MESSAGES.get(kind, m.INVALID_VALUE))


def translate_errors(error: PydanticError) -> list[dict]:
    """Pydantic's errors as the contract's ``details``, messages in the current language."""
    details, seen = [], set()
    for item in error.errors(include_url=False):
        field = _field(item["loc"])
        if field in seen:  # a union reports each member; one message per field is enough
            continue
        seen.add(field)
        bilingual = "BilingualIn" in item["loc"] or (
            item["type"] == "string_type" and _is_bilingual(error, item["loc"]))
        message = str(m.NOT_BILINGUAL) if bilingual else _message(item)
        details.append({"field": field, "message": message})
    return details


def _is_bilingual(error: PydanticError, loc: tuple) -> bool:
    """A text-or-``{"id", "en"}`` field whose value is neither: say what it should be."""
    prefix = loc[:-1]
    return any(e["loc"][:len(prefix)] == prefix and "BilingualIn" in e["loc"]
               for e in error.errors(include_url=False))


def load(schema: type[BaseModel], data: Any, *, code: str | None = None) -> BaseModel:
    """Validate ``data`` against ``schema``; a 422 naming every problem, in the caller's
    language, when it does not fit (``code``: the error's code, default
    ``validation_error``)."""
    try:
        return schema.model_validate(data)
    except PydanticError as error:
        details = translate_errors(error)
        message = details[0]["message"] if len(details) == 1 else str(m.SOME_INVALID)
        raise ValidationError(message, details=details, code=code) from None
