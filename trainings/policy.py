"""Who may do what: one mechanism for role and ownership checks.

Every view and API route asks ``require(actor, action, obj)`` (or ``can``). The rules
themselves live with the area that owns the objects (``<area>/rules.py``), which
registers them here with :func:`register`; this module imports no area.

Rules look at the actor's global role and at what ties the actor to a training. An area
that owns such a tie (staff roles, enrolment statuses) registers a *tie source* with
:func:`register_ties`; :func:`ties` then answers every source's values for one actor
and training, looked up once per request, so a page's menu and permission checks cost
no further queries. An area names the object type that *is* a training with
:func:`register_training_type`; :func:`training_of` walks ``training``, ``session`` and
``enrolment`` attributes up to it.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

from flask import g, has_request_context
from flask_babel import lazy_gettext as _l

from .errors import Forbidden

Rule = Callable[..., bool]
TieSource = Callable[[int, int], Iterable[str]]

RULES: dict[str, Rule] = {}
_TIE_SOURCES: dict[str, TieSource] = {}
_TRAINING_TYPES: list[type] = []


def register(action: str, rule: Rule | None = None):
    """Register ``rule(actor, obj) -> bool`` for ``action``; usable as a decorator."""
    def add(fn: Rule) -> Rule:
        existing = RULES.get(action)
        if existing is not None and existing is not fn:
            raise ValueError(f"policy rule {action!r} is registered twice")
        RULES[action] = fn
        return fn
    return add(rule) if rule is not None else add


def register_rules(rules: dict[str, Rule]) -> None:
    for action, rule in rules.items():
        register(action, rule)


def register_ties(name: str, source: TieSource) -> None:
    """``source(actor_id, training_id)`` answers the actor's values of one kind of tie."""
    _TIE_SOURCES[name] = source


def register_training_type(cls: type) -> None:
    if cls not in _TRAINING_TYPES:
        _TRAINING_TYPES.append(cls)


def _is_training(obj) -> bool:
    return any(isinstance(obj, cls) for cls in _TRAINING_TYPES)


def training_of(obj):
    """The training an object belongs to (a training, session, enrolment, certificate ...)."""
    seen = 0
    while obj is not None and not _is_training(obj) and seen < 4:
        seen += 1
        for attr in ("training", "session", "enrolment"):
            nxt = getattr(obj, attr, None)
            if nxt is not None:
                obj = nxt
                break
        else:
            return None
    return obj if _is_training(obj) else None


def authenticated(actor) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False) and actor.is_active


def is_admin(actor) -> bool:
    return authenticated(actor) and actor.role == "admin"


def ties(actor, training) -> dict[str, frozenset[str]]:
    """Every registered tie of the actor to the training: ``{"staff": {...}, ...}``.

    Within a request they are remembered on ``g``; outside a request, always fresh.
    """
    if not authenticated(actor) or training is None or getattr(training, "id", None) is None:
        return {name: frozenset() for name in _TIE_SOURCES}
    key = (actor.id, training.id)
    cache = g.setdefault("_policy_ties", {}) if has_request_context() else {}
    if key not in cache:
        cache[key] = {name: frozenset(source(actor.id, training.id))
                      for name, source in _TIE_SOURCES.items()}
    return cache[key]


def forget_ties() -> None:
    """Call after changing staff or enrolments in a request that checks policy again."""
    if has_request_context():
        g.pop("_policy_ties", None)


def can(actor, action: str, obj=None) -> bool:
    try:
        rule = RULES[action]
    except KeyError:
        raise KeyError(f"no policy rule for {action!r}") from None
    return bool(rule(actor, obj))


def require(actor, action: str, obj=None) -> None:
    """Raise :class:`Forbidden` unless the actor may do ``action`` to ``obj``."""
    if not can(actor, action, obj):
        raise Forbidden(_l("You are not allowed to do this."))
