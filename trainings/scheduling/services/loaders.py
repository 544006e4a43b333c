"""Loading trainings and sessions, and the small queries every scheduling page uses."""
from __future__ import annotations

from collections import namedtuple
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Integer,
    String,
    bindparam,
    cast,
    exists,
    func,
    literal_column,
    null,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import selectinload

from ...auth.models import User
from ...errors import NotFound
from ...extensions import db
from ...policy import is_admin, remember_ties, tie_statement
from ..models import (
    Organisation,
    SessionFacts,
    Training,
    TrainingCountryQuota,
    TrainingOrganisation,
    TrainingSession,
    TrainingStaff,
    session_facilitators,
)
from ..signals import participant_zone_counts, visible_training_ids


def plain_rows(statement, params: dict):
    """The rows of a statement of columns (no entities), through the session's connection
    and transaction but without the ORM's per-statement work (about half of what a small
    read costs on a light page); pending changes are flushed first, as the session's own
    ``execute`` does."""
    session = db.session()
    if session.autoflush:
        session.flush()
    return session.connection().execute(statement, params)


def visible_trainings(actor) -> list[Training]:
    """Trainings the actor may see: all for admins, else staffed, facilitated or enrolled ones
    (the same rule as policy's "training.view"; enrolled ones come from the areas above
    through :data:`~trainings.scheduling.signals.visible_training_ids`)."""
    query = (select(Training).options(selectinload(Training.organisation_links))
             .order_by(Training.created_at.desc(), Training.id.desc()))
    if not is_admin(actor):
        staffed = select(TrainingStaff.training_id).where(TrainingStaff.user_id == actor.id)
        facilitated = (select(TrainingSession.training_id)
                       .join(session_facilitators,
                             session_facilitators.c.session_id == TrainingSession.id)
                       .where(session_facilitators.c.user_id == actor.id))
        others = [ids for _receiver, ids in visible_training_ids.send(actor) if ids is not None]
        query = query.where(or_(Training.id.in_(staffed), Training.id.in_(facilitated),
                                *(Training.id.in_(ids) for ids in others)))
    return list(db.session.scalars(query))


def get_training(training_id: int) -> Training | None:
    return db.session.get(Training, training_id)


SESSION_ROW_FIELDS = ("id", "title_id", "title_en", "starts_at", "duration_minutes",
                      "meeting_url", "module_slug", "module_version", "status", "mode",
                      "venue_name", "venue_address", "venue_accessibility_id",
                      "venue_accessibility_en", "interpretation", "viewer_facilitates")


class SessionRow(SessionFacts, namedtuple("_SessionColumns", SESSION_ROW_FIELDS)):
    """A session as the training page shows it: its columns, no ORM state (no identity
    map, no facilitators loaded), and whether the viewer facilitates it. A tuple (one C call
    to make, its fields read by index), its interpretation codes a tuple too."""

    __slots__ = ()

    def __new__(cls, values):
        *columns, interpretation, facilitates = values
        return tuple.__new__(cls, (*columns, tuple(interpretation or ()), facilitates))

    @property
    def facts(self) -> tuple:
        """The session's columns, hashable: what the page shows of it (not whether the viewer
        facilitates it: that is in who runs which session)."""
        return self[:-1]


# built once, with bound parameters: the training page's sessions as plain rows
_PAGE_SESSIONS = (
    select(*(getattr(TrainingSession, name) for name in SESSION_ROW_FIELDS[:-1]),
           exists().where(session_facilitators.c.session_id == TrainingSession.id,
                          session_facilitators.c.user_id == bindparam("page_viewer", type_=Integer))
           .label("viewer_facilitates"))
    .where(TrainingSession.training_id == bindparam("page_sessions_of", type_=Integer))
    .order_by(TrainingSession.starts_at, TrainingSession.id))


def page_sessions(training_id: int, viewer_id: int | None) -> list[tuple[int, SessionRow]]:
    """The training's sessions as :func:`numbered_sessions` numbers them, as plain rows,
    in one statement (whether the viewer facilitates each is a column of it)."""
    rows = plain_rows(_PAGE_SESSIONS, {"page_sessions_of": training_id,
                                       "page_viewer": viewer_id or 0})
    return list(enumerate(map(SessionRow, rows), start=1))


class TrainingPage:
    """A training as its page shows it: its columns, its organisations' names in order,
    its quotas by country code, its team's names by role, its accepted participants'
    zones (most common first) and its sessions as :func:`page_sessions` gives them, from
    plain rows (no ORM state). The policy takes it for the training it is (``rules.py``)."""

    __slots__ = ("id", "title_id", "title_en", "description_id", "description_en", "timezone",
                 "capacity", "organisations", "country_quotas", "organisers", "facilitators",
                 "participant_zones", "sessions", "_zone_counts", "_ties")

    def __init__(self, row):
        for name, value in zip(self.__slots__[:7], row, strict=False):
            setattr(self, name, value)
        self.organisations, self.country_quotas = [], {}
        self.organisers, self.facilitators = [], []
        self.participant_zones, self.sessions, self._zone_counts, self._ties = [], [], {}, []

    def add(self, kind: str, text: str, number: int | None, session) -> None:
        if kind == "session":
            self.sessions.append((len(self.sessions) + 1, SessionRow(session)))
        elif kind == "organisation":
            self.organisations.append(text)
        elif kind == "quota":
            self.country_quotas[text] = number
        elif kind in ("organiser", "facilitator"):
            (self.organisers if kind == "organiser" else self.facilitators).append(text)
        elif kind == "zone":
            if text:
                self._zone_counts[text] = self._zone_counts.get(text, 0) + int(number)
        elif kind.startswith("tie:"):
            self._ties.append((text, kind[4:]))


def _kind(name: str):
    """A fixed word of the statement, written into it (a bound value is one more parameter
    the driver adapts on every execution; these are the code's own words, no quote)."""
    if "'" in name:
        raise ValueError(name)
    return cast(literal_column(f"'{name}'"), String)


_ZERO = cast(literal_column("0"), Integer)


def _zone_parts(training) -> list:
    """(kind "zone", 0, zone, people) selects: the accepted participants' zones, from the
    areas above (:data:`~trainings.scheduling.signals.participant_zone_counts`)."""
    parts = []
    for _receiver, query in participant_zone_counts.send(training):
        if query is not None:
            counts = query.subquery()
            zone, people = list(counts.c)[:2]
            parts.append(select(_kind("zone"), _ZERO, cast(zone, String),
                                cast(people, Integer)).select_from(counts))
    return parts


def _tie_parts() -> list:
    """(kind "tie:<name>", 0, value, NULL) rows: the viewer's ties to the training, from the
    policy's tie statement (bound ``tie_actor`` and ``tie_training``)."""
    statement = tie_statement()
    if statement is None:
        return []
    found = statement.subquery("ties")
    value, name = list(found.c)[:2]
    return [select(_kind("tie:").concat(name), _ZERO, cast(value, String),
                   cast(null(), Integer)).select_from(found)]


def _session_part(training, viewer):
    """(kind "session", 0, NULL, NULL, the session's columns) rows: the training's sessions
    as :func:`page_sessions` reads them (with whether the viewer facilitates each)."""
    return select(_kind("session").label("kind"), _ZERO.label("place"),
                  cast(null(), String).label("text"), cast(null(), Integer).label("number"),
                  *_session_columns(viewer)).where(TrainingSession.training_id == training)


def _session_columns(viewer) -> list:
    return [*(getattr(TrainingSession, name) for name in SESSION_ROW_FIELDS[:-1]),
            exists().where(session_facilitators.c.session_id == TrainingSession.id,
                           session_facilitators.c.user_id == viewer).label("viewer_facilitates")]


def _training_details(training, viewer):
    """(kind, order, text, number, session columns) of one training: its sessions, its
    organisations, quotas and team, its participants' zones and the viewer's ties to it (the
    columns of a session are NULL on the other rows)."""
    none = cast(null(), Integer)
    no_session = [cast(null(), column.type) for column in _session_columns(viewer)]
    others = [
        select(_kind("organisation"), TrainingOrganisation.position, Organisation.name, none)
        .join(Organisation, Organisation.id == TrainingOrganisation.organisation_id)
        .where(TrainingOrganisation.training_id == training),
        select(_kind("quota"), _ZERO, TrainingCountryQuota.country_code,
               TrainingCountryQuota.places).where(TrainingCountryQuota.training_id == training),
        select(cast(TrainingStaff.role, String), TrainingStaff.id, User.name, none)
        .join(User, User.id == TrainingStaff.user_id).where(TrainingStaff.training_id == training),
        *_zone_parts(training), *_tie_parts(),
    ]
    return union_all(_session_part(training, viewer),
                     *(part.add_columns(*no_session) for part in others)).subquery("details")


def _training_page_statement():
    training = bindparam("training_page", type_=Integer)
    details = _training_details(training, bindparam("tie_actor", type_=Integer))
    kind, order, text, number, *session = details.c
    starts_at, session_id = details.c.starts_at, details.c.id
    return (select(*(getattr(Training, name) for name in TrainingPage.__slots__[:7]),
                   kind, text, number, *session)
            .outerjoin(details, true()).where(Training.id == training)
            .order_by(kind, order, text, starts_at, session_id))


# built once per set of tie queries and zone receivers, with bound parameters: the training,
# its sessions, organisations, quotas and team, its participants' zones and the viewer's
# ties in one statement of plain rows (the statement count does not grow with any of them:
# tests/test_light_page_loads.py)
_TRAINING_PAGE: dict = {}


def _training_page_built():
    key = (id(tie_statement()), tuple(participant_zone_counts.receivers))
    statement = _TRAINING_PAGE.get(key)
    if statement is None:
        _TRAINING_PAGE.clear()
        statement = _TRAINING_PAGE[key] = _training_page_statement()
    return statement


def zones_by_count(counts: dict[str, int]) -> list[str]:
    """Zones, most people first (then by name)."""
    return [zone for zone, _n in sorted(counts.items(), key=lambda row: (-row[1], row[0]))]


def training_page(training_id: int, viewer=None) -> TrainingPage:
    """The training as its page shows it (:class:`TrainingPage`), or NotFound, in one
    statement. With a ``viewer``, whether they facilitate each session and their ties to the
    training come with it, and the policy keeps the ties for the request
    (:func:`~trainings.policy.remember_ties`: its checks ask no query)."""
    page = None
    viewer_id = getattr(viewer, "id", None) or 0
    for row in plain_rows(_training_page_built(), {"training_page": training_id,
                                                   "tie_training": training_id,
                                                   "tie_actor": viewer_id}):
        if page is None:
            page = TrainingPage(row)
        if row[7] is not None:
            page.add(row[7], row[8], row[9], row[10:])
    if page is None:
        raise NotFound(_l("No such training."))
    page.participant_zones = zones_by_count(page._zone_counts)
    if viewer is not None:
        remember_ties(viewer, page, page._ties)
    return page


def get_session(session_id: int) -> TrainingSession | None:
    return db.session.get(TrainingSession, session_id)


def load_training(training_id: int) -> Training:
    """The training, or NotFound (404 on the web and in the API)."""
    training = get_training(training_id)
    if training is None:
        raise NotFound(_l("No such training."))
    return training


def load_session(session_id: int) -> TrainingSession:
    """The session, or NotFound (404 on the web and in the API)."""
    session = get_session(session_id)
    if session is None:
        raise NotFound(_l("No such session."))
    return session


# built once: the training page asks for every request
_SESSIONS_IN_ORDER = (select(TrainingSession)
                      .where(TrainingSession.training_id == bindparam("sessions_of", type_=Integer))
                      .order_by(TrainingSession.starts_at, TrainingSession.id))


def numbered_sessions(training: Training) -> list[tuple[int, TrainingSession]]:
    """Sessions in start order with their 1-based number (cancelled ones keep a number)."""
    sessions = db.session.scalars(_SESSIONS_IN_ORDER, {"sessions_of": training.id})
    return list(enumerate(sessions, start=1))


def session_number(session: TrainingSession) -> int:
    """1-based position of the session in its training, by start time (one query)."""
    earlier = db.session.scalar(
        select(func.count(TrainingSession.id)).where(
            TrainingSession.training_id == session.training_id,
            or_(TrainingSession.starts_at < session.starts_at,
                (TrainingSession.starts_at == session.starts_at) & (TrainingSession.id < session.id))))
    return int(earlier or 0) + 1


def session_summaries(trainings) -> dict[int, tuple[int, datetime, datetime]]:
    """(number of sessions, first start, last start) per training id, in one grouped query."""
    ids = [t.id for t in trainings]
    if not ids:
        return {}
    rows = db.session.execute(
        select(TrainingSession.training_id, func.count(TrainingSession.id),
               func.min(TrainingSession.starts_at), func.max(TrainingSession.starts_at))
        .where(TrainingSession.training_id.in_(ids)).group_by(TrainingSession.training_id))
    return {tid: (count, first, last)
            for tid, count, first, last in rows}


def staff_of(training: Training, role: str) -> list:
    return [s.user for s in training.staff if s.role == role]


def facilitator_accounts() -> list:
    """Every active facilitator account, by name (to choose from when planning sessions)."""
    return list(db.session.scalars(select(User).where(
        User.role == "facilitator", User.is_active_account.is_(True)).order_by(User.name)))


def participant_zones(training: Training) -> list[str]:
    """Distinct zones of the training's accepted participants, most common first (the
    participants are known to the areas above, through
    :data:`~trainings.scheduling.signals.participant_zone_counts`; the training page reads
    them in its own statement: :attr:`TrainingPage.participant_zones`)."""
    parts = _zone_parts(bindparam("zones_of", type_=Integer))
    if not parts:
        return []
    counts: dict[str, int] = {}
    statement = union_all(*parts) if len(parts) > 1 else parts[0]
    for _what, _place, zone, people in plain_rows(statement, {"zones_of": training.id}):
        if zone:
            counts[zone] = counts.get(zone, 0) + int(people)
    return zones_by_count(counts)
