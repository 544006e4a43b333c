"""Loading trainings and sessions, and the small queries every scheduling page uses."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Integer,
    String,
    bindparam,
    cast,
    exists,
    func,
    literal,
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
from ...policy import is_admin
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


class TrainingPage:
    """A training as its page shows it: its columns, its organisations' names in order,
    its quotas by country code and its team's names by role, from plain rows (no ORM
    state). The policy takes it for the training it is (``rules.py``)."""

    __slots__ = ("id", "title_id", "title_en", "description_id", "description_en", "timezone",
                 "capacity", "organisations", "country_quotas", "organisers", "facilitators")

    def __init__(self, row):
        for name, value in zip(self.__slots__[:7], row, strict=False):
            setattr(self, name, value)
        self.organisations, self.country_quotas = [], {}
        self.organisers, self.facilitators = [], []

    def add(self, kind: str, text: str, number: int | None) -> None:
        if kind == "organisation":
            self.organisations.append(text)
        elif kind == "quota":
            self.country_quotas[text] = number
        elif kind in ("organiser", "facilitator"):
            (self.organisers if kind == "organiser" else self.facilitators).append(text)


def _training_details(training):
    """(kind, order, text, number) of one training: its organisations, quotas and team."""
    def kind(name: str):
        return cast(literal(name), String)
    none = cast(null(), Integer)
    return union_all(
        select(kind("organisation").label("kind"), TrainingOrganisation.position.label("place"),
               Organisation.name.label("text"), none.label("number"))
        .join(Organisation, Organisation.id == TrainingOrganisation.organisation_id)
        .where(TrainingOrganisation.training_id == training),
        select(kind("quota"), cast(literal(0), Integer), TrainingCountryQuota.country_code,
               TrainingCountryQuota.places).where(TrainingCountryQuota.training_id == training),
        select(cast(TrainingStaff.role, String), TrainingStaff.id, User.name, none)
        .join(User, User.id == TrainingStaff.user_id).where(TrainingStaff.training_id == training),
    ).subquery("details")


def _training_page_statement():
    training = bindparam("training_page", type_=Integer)
    details = _training_details(training)
    kind, order, text, number = details.c
    return (select(*(getattr(Training, name) for name in TrainingPage.__slots__[:7]),
                   kind, text, number)
            .outerjoin(details, true()).where(Training.id == training)
            .order_by(kind, order, text))


# built once, with bound parameters: the training and its organisations, quotas and team in
# one statement of plain rows (a training has a handful of each, the statement count does
# not grow with them: tests/test_light_page_loads.py)
_TRAINING_PAGE = _training_page_statement()


def training_page(training_id: int) -> TrainingPage:
    """The training as its page shows it (:class:`TrainingPage`), or NotFound."""
    page = None
    for row in plain_rows(_TRAINING_PAGE, {"training_page": training_id}):
        if page is None:
            page = TrainingPage(row)
        if row[7] is not None:
            page.add(row[7], row[8], row[9])
    if page is None:
        raise NotFound(_l("No such training."))
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


class SessionRow(SessionFacts):
    """A session as the training page shows it: its columns, no ORM state (no identity
    map, no facilitators loaded), and whether the viewer facilitates it."""

    __slots__ = ("id", "title_id", "title_en", "starts_at", "duration_minutes", "meeting_url",
                 "module_slug", "module_version", "status", "mode", "venue_name", "venue_address",
                 "venue_accessibility_id", "venue_accessibility_en", "interpretation",
                 "viewer_facilitates")

    def __init__(self, values):
        for name, value in zip(self.__slots__, values, strict=True):
            setattr(self, name, value)
        self.interpretation = tuple(self.interpretation or ())

    @property
    def facts(self) -> tuple:
        """The session's columns, hashable: what the page shows of it (not whether the viewer
        facilitates it: that is in who runs which session)."""
        return tuple(getattr(self, name) for name in self.__slots__[:-1])


# built once, with bound parameters: the training page's sessions as plain rows
_PAGE_SESSIONS = (
    select(*(getattr(TrainingSession, name) for name in SessionRow.__slots__[:-1]),
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
    :data:`~trainings.scheduling.signals.participant_zone_counts`)."""
    counts: dict[str, int] = {}
    for _receiver, rows in participant_zone_counts.send(training):
        for zone, number in rows or ():
            if zone:
                counts[zone] = counts.get(zone, 0) + int(number)
    return [zone for zone, _n in sorted(counts.items(), key=lambda row: (-row[1], row[0]))]
