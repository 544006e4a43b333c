"""Who may do what: one mechanism for role and ownership checks.

Every view and API route asks ``require(actor, action, obj)`` (or ``can``). The rules
themselves live with the area that owns the objects (``<area>/rules.py``), which
registers them here with :func:`register`; this module imports no area.

Rules look at the actor's global role and at what ties the actor to a training. An area
that owns such a tie (staff roles, enrolment statuses) registers a *tie query* with
:func:`register_tie_query` (or a plain source with :func:`register_ties`); :func:`ties`
then answers every tie's values for one actor and training in one statement (the tie
queries joined by UNION ALL), looked up once per request, so a page's menu and permission
checks cost one query. An area names the object type that *is* a training with
:func:`register_training_type`; :func:`training_of` walks ``training``, ``session`` and
``enrolment`` attributes up to it.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

from flask import has_request_context
from flask.globals import _cv_app, _cv_request
from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, Select, String, bindparam, cast, literal_column, union_all
from werkzeug.local import LocalProxy

from .errors import Forbidden
from .extensions import db

Rule = Callable[..., bool]
TieSource = Callable[[int, int], Iterable[str]]
TieQuery = Callable[[int, int], Select]

RULES: dict[str, Rule] = {}
_TIE_SOURCES: dict[str, TieSource] = {}
_TIE_QUERIES: dict[str, TieQuery] = {}
_TRAINING_TYPES: list[type] = []
_TRAINING_CLASSES: list[tuple[type, ...]] = [()]  # the same as one tuple, for isinstance


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
    _TIE_QUERIES.pop(name, None)
    _TIE_SOURCES[name] = source


def register_tie_query(name: str, query: TieQuery) -> None:
    """``query(actor_id, training_id)`` is a SELECT of one text column: the actor's values
    of one kind of tie. Every tie query runs in the same statement (UNION ALL), built once
    with bound parameters: the two arguments are SQL expressions, to compare columns with."""
    if "'" in name:
        raise ValueError(f"a tie's name has no quote: {name!r}")
    _TIE_SOURCES.pop(name, None)
    _TIE_QUERIES[name] = query
    _TIE_STATEMENT.clear()


def _tie_names() -> list[str]:
    return [*_TIE_QUERIES, *_TIE_SOURCES]


_TIE_STATEMENT: list = []  # the UNION ALL of the tie queries, once built


def _tie_statement():
    if not _TIE_STATEMENT:
        actor, training = bindparam("tie_actor", type_=Integer), bindparam("tie_training", type_=Integer)
        # the names written into the statement (the code's own words): no parameter each
        parts = [query(actor, training).add_columns(
                     cast(literal_column(f"'{name}'"), String).label("tie"))
                 for name, query in _TIE_QUERIES.items()]
        _TIE_STATEMENT.append(parts[0] if len(parts) == 1 else union_all(*parts))
    return _TIE_STATEMENT[0]


def tie_statement():
    """The tie queries in one statement (UNION ALL), rows of ``(value, tie name)`` with the
    bound parameters ``tie_actor`` and ``tie_training``, for a page that reads the ties in
    its own statement and hands the rows to :func:`remember_ties`; None without tie queries.
    The same object until a tie query is registered (a caller may key on it)."""
    return _tie_statement() if _TIE_QUERIES else None


def _ties_from(actor_id: int, training_id: int, rows) -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = {name: set() for name in _tie_names()}
    for value, name in rows:
        found[name].add(value)
    for name, source in _TIE_SOURCES.items():
        found[name].update(source(actor_id, training_id))
    return {name: frozenset(values) for name, values in found.items()}


def _look_up_ties(actor_id: int, training_id: int) -> dict[str, frozenset[str]]:
    rows = db.session.execute(_tie_statement(), {"tie_actor": actor_id,
                                                 "tie_training": training_id}) if _TIE_QUERIES else ()
    return _ties_from(actor_id, training_id, rows)


def remember_ties(actor, training, rows) -> None:
    """Keep for this request the ties of ``actor`` to ``training`` from ``rows`` of
    :func:`tie_statement` run by the caller (with ``tie_actor`` the actor's id and
    ``tie_training`` the training's): :func:`ties` then answers from them, without its own
    statement. Outside a request, or for no signed-in actor, nothing is kept."""
    if not authenticated(actor) or training is None or getattr(training, "id", None) is None:
        return
    if _cv_request.get(None) is not None:
        _request_memo()[(actor.id, training.id)] = _ties_from(actor.id, training.id, rows)


def register_training_type(cls: type) -> None:
    if cls not in _TRAINING_TYPES:
        _TRAINING_TYPES.append(cls)
        _TRAINING_CLASSES[0] = tuple(_TRAINING_TYPES)


def _is_training(obj) -> bool:
    return isinstance(obj, _TRAINING_CLASSES[0])


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
        return {name: frozenset() for name in _tie_names()}
    key = (actor.id, training.id)
    memo = _request_memo()
    found = memo.get(key)
    if found is None:
        found = memo[key] = _look_up_ties(actor.id, training.id)
    return found


def _request_memo() -> dict:
    """``g._policy_ties`` in a request, else a new dict. Read from the contexts themselves:
    a page asks ``ties`` ~17 times, and ``has_request_context`` with ``g.setdefault`` were
    three proxy look-ups each time."""
    if _cv_request.get(None) is None:
        return {}
    state = _cv_app.get().g.__dict__
    memo = state.get("_policy_ties")
    if memo is None:
        memo = state["_policy_ties"] = {}
    return memo


def forget_ties() -> None:
    """Call after changing staff or enrolments in a request that checks policy again."""
    if has_request_context():
        _cv_app.get().g.__dict__.pop("_policy_ties", None)


def can(actor, action: str, obj=None) -> bool:
    try:
        rule = RULES[action]
    except KeyError:
        raise KeyError(f"no policy rule for {action!r}") from None
    if isinstance(actor, LocalProxy):
        # ``current_user``: the user it stands for, resolved once, not in every look-up
        # of a rule (a training page asks ~25 rules, each reading the actor 4-10 times)
        actor = actor._get_current_object()
    return bool(rule(actor, obj))


def require(actor, action: str, obj=None) -> None:
    """Raise :class:`Forbidden` unless the actor may do ``action`` to ``obj``."""
    if not can(actor, action, obj):
        raise Forbidden(_l("You are not allowed to do this."))
