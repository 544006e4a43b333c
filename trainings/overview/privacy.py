"""Privacy tools over every area: a person's data export, erasure, and retention.

Each area contributes through two registries, so an area added later (evaluation: survey
answers, action plans) adds its part without changing this module:

    privacy.register_export("survey_answers", lambda user, enrolments: [...])
    privacy.register_eraser("survey_answers", lambda user, enrolments, placeholder: n)

An export contribution answers JSON-ready values about the person; an eraser replaces the
person's personal data in its tables (free text, names) and leaves counts alone.
Erasure keeps every row that counts (enrolments with their status and country, attendance
records, certificates as revoked), so a training's numbers and reports stay the same.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, or_, select, update

from ..attendance.models import AttendanceChange, AttendanceImport, AttendanceRecord
from ..audit.services import record as audit
from ..auth.models import ApiToken, PasswordReset, RecoveryCode, User
from ..certificates import render as certificate_render
from ..certificates.models import Certificate
from ..certificates.services import contexts_for
from ..db import utcnow
from ..enrolment.models import Enrolment, Invitation
from ..errors import NotFound, ValidationError
from ..extensions import db
from ..outbox.models import OutboxMessage
from ..scheduling.models import Training, TrainingSession, TrainingStaff
from ..timezones import iso_utc
from ..web import base_url
from . import privacy_evaluation

ERASED_REASON = "erased on request"
RETENTION_REASON = "erased after the retention period"
ERASED_NAME = "Erased person"
REASON_MAX = 500

Export = Callable[[User, list[Enrolment]], object]
Eraser = Callable[[User | None, list[Enrolment], str], int]
EXPORTS: dict[str, Export] = {}
ERASERS: dict[str, Eraser] = {}


def register_export(name: str, fn: Export) -> None:
    EXPORTS[name] = fn


def register_eraser(name: str, fn: Eraser) -> None:
    ERASERS[name] = fn


def placeholder_email(key: str) -> str:
    """Unique per person, so the unique constraints (users.email, one enrolment per
    training and email) still hold; ``.invalid`` never delivers."""
    return f"erased-{key}@erased.invalid"


def load_person(person_id: int) -> User:
    user = db.session.get(User, person_id)
    if user is None:
        raise NotFound(_l("No such person."))
    return user


def enrolments_of(user: User) -> list[Enrolment]:
    """The person's enrolments: linked to the account, or made with its email address."""
    return list(db.session.scalars(select(Enrolment).where(
        or_(Enrolment.user_id == user.id, Enrolment.email == user.email))
        .order_by(Enrolment.id)))


# --- the export --------------------------------------------------------------------------

def _profile(user: User, _enrolments) -> dict:
    return {"id": user.id, "email": user.email, "name": user.name, "language": user.language,
            "timezone": user.timezone, "role": user.role, "created_at": iso_utc(user.created_at),
            "last_login_at": iso_utc(user.last_login_at),
            "has_calendar_feed": user.calendar_token_hash is not None,
            "api_tokens": [{"name": t.name, "created_at": iso_utc(t.created_at)}
                           for t in user.tokens]}


def _enrolments(_user, enrolments) -> list[dict]:
    return [{"id": e.id, "training": {"id": e.training_id, "title": {
                "id": e.training.title_id, "en": e.training.title_en}},
             "status": e.status, "name": e.name, "email": e.email,
             "country": e.country_code, "organisation": e.organisation, "sector": e.sector,
             "timezone": e.timezone, "language": e.language,
             "accessibility_needs": e.accessibility_needs,
             "accessibility_consent": e.accessibility_consent,
             "created_at": iso_utc(e.created_at), "decided_at": iso_utc(e.decided_at)}
            for e in enrolments]


def _attendance(_user, enrolments) -> list[dict]:
    ids = [e.id for e in enrolments]
    if not ids:
        return []
    rows = db.session.execute(
        select(AttendanceRecord, TrainingSession.starts_at, TrainingSession.title_en)
        .join(TrainingSession, TrainingSession.id == AttendanceRecord.session_id)
        .where(AttendanceRecord.enrolment_id.in_(ids))
        .order_by(TrainingSession.starts_at)).all()
    return [{"enrolment": r.enrolment_id, "session": r.session_id,
             "session_title": title, "starts_at": iso_utc(starts), "status": r.status,
             "minutes": r.minutes, "note": r.note} for r, starts, title in rows]


def _certificates(_user, enrolments) -> list[dict]:
    ids = [e.id for e in enrolments]
    if not ids:
        return []
    return [{"code": c.code, "enrolment": c.enrolment_id, "training": c.training_id,
             "name": c.name, "issued_at": iso_utc(c.issued_at),
             "revoked_at": iso_utc(c.revoked_at), "revoke_reason": c.revoke_reason,
             "replaced_at": iso_utc(c.replaced_at)}
            for c in db.session.scalars(select(Certificate).where(
                Certificate.enrolment_id.in_(ids)).order_by(Certificate.id))]


def _mails(user, enrolments) -> list[dict]:
    emails = {user.email} | {e.email for e in enrolments}
    return [{"to": m.to_email, "subject": m.subject, "kind": m.kind,
             "created_at": iso_utc(m.created_at), "sent_at": iso_utc(m.sent_at)}
            for m in db.session.scalars(select(OutboxMessage).where(
                OutboxMessage.to_email.in_(emails)).order_by(OutboxMessage.id))]


register_export("profile", _profile)
register_export("enrolments", _enrolments)
register_export("attendance", _attendance)
register_export("certificates", _certificates)
register_export("mails", _mails)
register_export("survey_answers", privacy_evaluation.export_survey_answers)
register_export("action_plans", privacy_evaluation.export_action_plans)
register_export("demographics", privacy_evaluation.export_demographics)
register_eraser("evaluation", privacy_evaluation.erase_evaluation_text)


def export_person(user: User) -> dict:
    """Every record Anyam holds about the person, as JSON-ready values."""
    enrolments = enrolments_of(user)
    data = {"exported_at": iso_utc(utcnow()), "format": "anyam-personal-data/1"}
    for name, fn in EXPORTS.items():
        data[name] = fn(user, enrolments)
    return data


# --- erasure -----------------------------------------------------------------------------

def _erase_enrolments(enrolments: list[Enrolment], key: str, now: datetime) -> None:
    for e in enrolments:
        e.name = ERASED_NAME
        e.email = placeholder_email(f"{key}-{e.id}")
        e.organisation = ""
        e.accessibility_needs = None
        e.accessibility_consent = False
        e.erased_at = now


def _erase_attendance(enrolments: list[Enrolment]) -> None:
    ids = [e.id for e in enrolments]
    if not ids:
        return
    db.session.execute(update(AttendanceRecord).where(AttendanceRecord.enrolment_id.in_(ids))
                       .values(note=""))
    db.session.execute(update(AttendanceChange).where(AttendanceChange.enrolment_id.in_(ids))
                       .values(old_note=None, new_note=None))


def _erase_staged_imports(enrolments: list[Enrolment], names: set[str], emails: set[str]) -> None:
    """Meeting reports kept for a preview list people by name and email: drop the rows that
    name this person."""
    training_ids = {e.training_id for e in enrolments}
    if not training_ids:
        return
    lowered = {n.lower() for n in names if n} | {m.lower() for m in emails if m}
    for staged in db.session.scalars(select(AttendanceImport).join(
            TrainingSession, TrainingSession.id == AttendanceImport.session_id)
            .where(TrainingSession.training_id.in_(training_ids))):
        kept = [row for row in (staged.rows or [])
                if not ({str(v).strip().lower() for v in (row.values() if isinstance(row, dict)
                                                           else row)} & lowered)]
        if kept != staged.rows:
            staged.rows = kept
        left = [row if not ({str(row.get(k, "")).strip().lower() for k in ("name", "email")}
                            & lowered) else {**row, "name": "", "email": "", "resolution": "erased"}
                for row in (staged.unmatched or [])]  # blanked in place: the indexes stay
        if left != (staged.unmatched or []):
            staged.unmatched = left
            staged.unmatched_open = sum(1 for row in left if not row.get("resolution"))


def _erase_certificates(enrolments: list[Enrolment], actor, now: datetime, reason: str) -> int:
    ids = [e.id for e in enrolments]
    if not ids:
        return 0
    revoked = 0
    certificates = list(db.session.scalars(select(Certificate).where(
        Certificate.enrolment_id.in_(ids))))
    _forget_cached_pdfs(certificates)
    for c in certificates:
        c.name = ERASED_NAME
        c.claims = {**(c.claims or {}), "name": ERASED_NAME}
        if c.revoked_at is None and c.replaced_at is None:
            c.revoked_at, c.revoked_by_id = now, getattr(actor, "id", None)
            c.revoke_reason = reason
            revoked += 1
        c.correction_reason = None
    return revoked


def _forget_cached_pdfs(certificates: list[Certificate]) -> None:
    """Rendered PDFs are cached by the hash of their content (the name included): remove
    the cached files of these certificates, as rendered for the public base URL."""
    try:
        contexts = contexts_for(certificates, base_url())
    except RuntimeError:  # no request and no PUBLIC_BASE_URL: nothing was cached for it
        return
    for context in contexts:
        (certificate_render.cache_dir() / f"{certificate_render.cache_key(context)}.pdf"
         ).unlink(missing_ok=True)


def _erase_mails(emails: set[str], training_ids: set[int] | None) -> None:
    """Mails to the person (all of them, or those of the given trainings)."""
    query = delete(OutboxMessage).where(OutboxMessage.to_email.in_(emails))
    if training_ids is not None:
        query = query.where(OutboxMessage.training_id.in_(training_ids))
    db.session.execute(query)


def _erase_account(user: User, now: datetime) -> None:
    db.session.execute(delete(Invitation).where(Invitation.user_id == user.id))
    db.session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
    db.session.execute(delete(PasswordReset).where(PasswordReset.user_id == user.id))
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    user.name = ERASED_NAME
    user.email = placeholder_email(str(user.id))
    user.password_hash = None
    user.calendar_token_hash = None
    user.calendar_feed_nonce = None
    user.totp_secret = None
    user.session_version = (user.session_version or 1) + 1  # every session and cookie ends
    user.is_active_account = False
    user.erased_at = now


def _erase(user: User | None, enrolments: list[Enrolment], *, actor, key: str, action: str,
           details: dict) -> dict:
    now = utcnow()
    names = {e.name for e in enrolments} | ({user.name} if user else set())
    emails = {e.email for e in enrolments} | ({user.email} if user else set())
    _erase_staged_imports(enrolments, names, emails)
    revoked = _erase_certificates(enrolments, actor, now,
                                  ERASED_REASON if user is not None else RETENTION_REASON)
    _erase_attendance(enrolments)
    for _name, eraser in ERASERS.items():
        eraser(user, enrolments, ERASED_NAME)
    _erase_enrolments(enrolments, key, now)
    _erase_mails(emails, None if user is not None else {e.training_id for e in enrolments})
    if user is not None:
        _erase_account(user, now)
    for training_id in sorted({e.training_id for e in enrolments}):
        audit(training_id, actor, action, ("user", user.id) if user else None,
              {**details, "enrolments": [e.id for e in enrolments if e.training_id == training_id]})
    db.session.flush()
    return {"person": user.id if user else None, "enrolments": len(enrolments),
            "certificates_revoked": revoked}


def erase_person(user: User, *, actor, reason: str | None) -> dict:
    """Erase a person on request: name, email, organisation and free-text answers replaced,
    the account disabled, certificates revoked ("erased on request"); counts stay."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_l("Give the reason for the erasure."), field="reason")
    if len(reason) > REASON_MAX:
        raise ValidationError(_l("The reason is too long (at most %(n)s characters).",
                                 n=REASON_MAX), field="reason")
    if user.erased_at is not None:
        return {"person": user.id, "enrolments": len(enrolments_of(user)),
                "certificates_revoked": 0}
    # the reason may name the person: it is not kept in the audit
    return _erase(user, enrolments_of(user), actor=actor, key=str(user.id),
                  action="person.erased", details={})


def may_erase(actor, user: User | dict | None) -> bool:
    """Admins; organisers for people whose every enrolment is in trainings they organise
    (and who hold no staff role or higher account role)."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    if isinstance(user, dict):  # a person page's read model
        user = db.session.get(User, user.get("id"))
    if user is None:
        return False
    if actor.role == "admin":
        return user.id != actor.id
    if actor.role != "organiser" or user.role != "participant" or user.id == actor.id:
        return False
    # one query, whatever the number of trainings: enrolments in trainings the actor does
    # not organise, and enrolments at all
    organised = select(TrainingStaff.training_id).where(TrainingStaff.user_id == actor.id,
                                                         TrainingStaff.role == "organiser")
    theirs = or_(Enrolment.user_id == user.id, Enrolment.email == user.email)
    total, foreign = db.session.execute(select(
        func.count(Enrolment.id),
        func.count(Enrolment.id).filter(Enrolment.training_id.not_in(organised)))
        .where(theirs)).one()
    return bool(total) and not foreign


# --- retention ---------------------------------------------------------------------------

def training_end(training: Training) -> datetime | None:
    return db.session.scalar(select(func.max(TrainingSession.starts_at)).where(
        TrainingSession.training_id == training.id))


def retention_due(training: Training, now: datetime | None = None) -> date | None:
    """The day personal data of the training is erased (None: kept, or no sessions)."""
    if training.retention_months is None:
        return None
    end = training_end(training)
    if end is None:
        return None
    return add_months(end.date(), training.retention_months)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def retention_preview(training: Training, now: datetime | None = None) -> dict:
    """What the retention task would erase in this training (now or on its day)."""
    now = now or datetime.now(UTC)
    due = retention_due(training)
    pending = list(db.session.scalars(select(Enrolment).where(
        Enrolment.training_id == training.id, Enrolment.erased_at.is_(None))
        .order_by(Enrolment.id)))
    certificates = db.session.scalar(select(func.count()).select_from(Certificate).where(
        Certificate.enrolment_id.in_([e.id for e in pending]))) if pending else 0
    return {"training": training.id, "months": training.retention_months,
            "due": due.isoformat() if due else None,
            "is_due": bool(due and due <= now.date()),
            "enrolments": len(pending), "certificates": certificates or 0,
            "fields": ["name", "email", "organisation", "accessibility_needs",
                       "attendance notes", "mails", "certificate names"]}


def set_retention(training: Training, months, *, actor) -> Training:
    if months in (None, ""):
        value = None
    else:
        try:
            value = int(months)
        except (TypeError, ValueError):
            value = -1
        if isinstance(months, bool) or not 1 <= value <= 240:
            raise ValidationError(_l("Give a number of months from 1 to 240, or leave it empty "
                                     "to keep the data."), field="retention_months")
    training.retention_months = value
    audit(training.id, actor, "training.updated", training, {"fields": ["retention_months"]})
    db.session.flush()
    return training


def erase_training_data(training: Training, *, actor=None) -> int:
    """Erase every not yet erased participant of the training (the retention task)."""
    pending = list(db.session.scalars(select(Enrolment).where(
        Enrolment.training_id == training.id, Enrolment.erased_at.is_(None))))
    if not pending:
        return 0
    for enrolment in pending:
        # one enrolment at a time: the account stays while it has other trainings
        _erase(None, [enrolment], actor=actor, key=f"t{training.id}", action="retention.erased",
               details={})
    _erase_left_accounts({e.user_id for e in pending if e.user_id is not None})
    return len(pending)


def _erase_left_accounts(user_ids: set[int]) -> None:
    """Participants' accounts whose every enrolment is now erased, and who hold no staff
    role anywhere, go too (their name and email would otherwise stay)."""
    for user in db.session.scalars(select(User).where(User.id.in_(user_ids),
                                                      User.role == "participant",
                                                      User.erased_at.is_(None))):
        kept = db.session.scalar(select(func.count()).select_from(Enrolment).where(
            Enrolment.user_id == user.id, Enrolment.erased_at.is_(None)))
        staff = db.session.scalar(select(func.count()).select_from(TrainingStaff).where(
            TrainingStaff.user_id == user.id))
        if not kept and not staff:
            _erase_account(user, utcnow())
    db.session.flush()


def run_retention(now: datetime | None = None, *, dry_run: bool = False) -> list[dict]:
    """Every training whose retention period has passed: erase (or, dry run, preview)."""
    now = now or datetime.now(UTC)
    done = []
    for training in db.session.scalars(select(Training).where(
            Training.retention_months.is_not(None)).order_by(Training.id)):
        preview = retention_preview(training, now)
        if not preview["is_due"] or not preview["enrolments"]:
            continue
        if not dry_run:
            preview["erased"] = erase_training_data(training)
            db.session.commit()
        done.append(preview)
    return done


def retention_task(now: datetime) -> int:
    """The periodic task (trainings.periodic): how many enrolments it erased."""
    return sum(item.get("erased", 0) for item in run_retention(now))
