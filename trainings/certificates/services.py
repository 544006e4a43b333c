"""Certificates: issue, render, verify, revoke, correct, export. The domain logic.

Services take models or plain values and an ``actor=``; they raise DomainErrors, ``flush()``,
and leave the commit to the caller (the issue-all job commits per batch: it runs on its own).
"""
from __future__ import annotations

import hashlib
import io
import re
import xml.etree.ElementTree as ET
import zipfile
from datetime import UTC, datetime

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import jobs
from ..attendance.eligibility import evaluate
from ..db import utcnow
from ..enrolment.models import Enrolment
from ..errors import Conflict, NotFound, ValidationError
from ..extensions import db
from ..outbox.services import queue_mail
from ..scheduling.models import Organisation, Training, TrainingSession
from ..timezones import iso_utc, to_zone
from . import codes, openbadges, render
from .models import Certificate, CertificateAsset, OrganisationLogo, Signatory

MAX_IMAGE_BYTES = 300 * 1024
MAX_IMAGE_PIXELS = 2500
BATCH = 50
STATEMENT_LIMIT = 300  # per language: the certificate has one page


# Reading ---------------------------------------------------------------------------------

def get_by_code(typed: str | None) -> Certificate | None:
    code = codes.normalise(typed)
    if code is None:
        return None
    return db.session.scalar(select(Certificate).where(Certificate.code == code))


def current_certificate(enrolment) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(Certificate.enrolment_id == enrolment.id,
                                                       Certificate.replaced_at.is_(None)))


def current_certificates_of_user(user_id: int) -> dict[int, Certificate]:
    """enrolment id -> current certificate, for every enrolment of one user (one query)."""
    from ..enrolment.models import Enrolment
    rows = db.session.scalars(
        select(Certificate).join(Enrolment, Enrolment.id == Certificate.enrolment_id)
        .where(Enrolment.user_id == user_id, Certificate.replaced_at.is_(None)))
    return {c.enrolment_id: c for c in rows}


def certificates_of(training, *, include_history: bool = True) -> list[Certificate]:
    query = select(Certificate).where(Certificate.training_id == training.id)
    if not include_history:
        query = query.where(Certificate.replaced_at.is_(None))
    return list(db.session.scalars(query.order_by(Certificate.name, Certificate.id)))


def valid_certificates(training) -> list[Certificate]:
    return list(db.session.scalars(
        select(Certificate).where(Certificate.training_id == training.id,
                                  Certificate.replaced_at.is_(None),
                                  Certificate.revoked_at.is_(None))
        .order_by(Certificate.name, Certificate.id)))


def overview(training) -> list[dict]:
    """Every accepted enrolment with its attendance progress and current certificate."""
    enrolments = list(db.session.scalars(
        select(Enrolment).where(Enrolment.training_id == training.id,
                                Enrolment.status == "accepted").order_by(Enrolment.name)))
    progress = evaluate(training, [e.id for e in enrolments])
    current = {c.enrolment_id: c for c in certificates_of(training, include_history=False)}
    return [{"enrolment": e, "progress": progress[e.id], "certificate": current.get(e.id)}
            for e in enrolments]


def history(certificate: Certificate) -> list[Certificate]:
    """Every certificate of the same enrolment, oldest first."""
    return list(db.session.scalars(
        select(Certificate).where(Certificate.enrolment_id == certificate.enrolment_id)
        .order_by(Certificate.issued_at, Certificate.id)))


def signatories_of(training) -> list[Signatory]:
    return list(db.session.scalars(select(Signatory).where(Signatory.training_id == training.id)
                                   .order_by(Signatory.position, Signatory.id)))


# Claims: what a certificate prints -------------------------------------------------------

def _logos(organisation_ids) -> dict[int, str]:
    rows = db.session.execute(select(OrganisationLogo.organisation_id, OrganisationLogo.asset_sha256)
                              .where(OrganisationLogo.organisation_id.in_(list(organisation_ids))))
    return dict(rows.all())


def training_claims(training) -> dict:
    """The parts of the claims shared by every certificate of a training."""
    held = [s for s in db.session.scalars(
        select(TrainingSession).where(TrainingSession.training_id == training.id,
                                      TrainingSession.status != "cancelled")
        .order_by(TrainingSession.starts_at))]
    if not held:
        raise ValidationError(_("The training has no sessions yet: there is nothing to certify."),
                              code="no_sessions")
    organisations = training.organisations
    logos = _logos(o.id for o in organisations)
    return {
        "training_id": training.id,
        "training": {"id": training.title_id or training.title_en,
                     "en": training.title_en or training.title_id},
        "timezone": training.timezone,
        "first_date": to_zone(held[0].starts_at, training.timezone).date().isoformat(),
        "last_date": to_zone(held[-1].starts_at, training.timezone).date().isoformat(),
        "statement": {"id": training.certificate_statement_id or "",
                      "en": training.certificate_statement_en or ""},
        "organisations": [{"id": o.id, "name": o.name, "logo": logos.get(o.id)}
                          for o in organisations],
        "signatories": [{"name": s.name, "role": {"id": s.role_id, "en": s.role_en},
                         "organisation": s.organisation, "signature": s.signature_sha256}
                        for s in signatories_of(training)],
    }


def _new_certificate(enrolment, progress, shared: dict, *, actor, name: str | None = None,
                     reason: str | None = None, now: datetime | None = None) -> Certificate:
    now = now or utcnow()
    name = (name or enrolment.name).strip()
    claims = dict(shared, name=name, sessions_attended=progress.attended,
                  sessions_held=progress.held,
                  issued_date=to_zone(now, shared["timezone"]).date().isoformat())
    return Certificate(code=codes.new_code(), training_id=enrolment.training_id,
                       enrolment_id=enrolment.id, name=name,
                       sessions_attended=progress.attended, sessions_held=progress.held,
                       claims=claims, issued_at=now, issued_by_id=getattr(actor, "id", None),
                       issue_reason=reason or None)


def _clean(text, field: str, *, required: bool, limit: int) -> str:
    value = (text or "").strip() if isinstance(text, str) or text is None else None
    if value is None:
        raise ValidationError(_("This must be text."), field=field)
    if required and not value:
        raise ValidationError(_("Please give a reason."), field=field)
    if len(value) > limit:
        raise ValidationError(_("At most %(n)d characters.", n=limit), field=field)
    return value


# URLs and mail -----------------------------------------------------------------------------

def base_url(request_host_url: str | None = None) -> str:
    return (current_app.config.get("PUBLIC_BASE_URL") or request_host_url or "http://localhost/").rstrip("/")


def verify_url(code: str, base: str) -> str:
    return f"{base.rstrip('/')}/verify/{code}"


def _mail(certificate: Certificate, enrolment, base: str) -> None:
    pdf_url = f"{base}/certificates/{certificate.code}.pdf"
    title = certificate.claims["training"]
    subject = f"Sertifikat / Certificate: {title['id']}"
    parts = []
    for lang in ("id", "en"):
        with force_locale(lang):
            parts.append(_(
                "Dear %(name)s,\n\nYour certificate for \"%(title)s\" is ready. Download it "
                "(after logging in) at:\n%(pdf)s\n\nAnyone can check it with the code %(code)s "
                "at:\n%(verify)s\n", name=certificate.name, title=title[lang], pdf=pdf_url,
                code=certificate.code, verify=verify_url(certificate.code, base)))
    queue_mail(enrolment.email, subject, "\n-----\n\n".join(parts), to_name=certificate.name,
               training=certificate.training, kind="certificate",
               attachment_ref=f"certificate:{certificate.code}")


# Issuing ---------------------------------------------------------------------------------

def missing_eligible(training) -> list[tuple[Enrolment, object]]:
    """Accepted, eligible enrolments without a current certificate, with their progress."""
    have = set(db.session.scalars(select(Certificate.enrolment_id).where(
        Certificate.training_id == training.id, Certificate.replaced_at.is_(None))))
    enrolments = [e for e in db.session.scalars(
        select(Enrolment).where(Enrolment.training_id == training.id,
                                Enrolment.status == "accepted").order_by(Enrolment.name))
        if e.id not in have]
    progress = evaluate(training, [e.id for e in enrolments])
    return [(e, progress[e.id]) for e in enrolments if progress[e.id].eligible]


def issue_all(training, *, actor, base: str, limit: int | None = None) -> list[Certificate]:
    """Issue a certificate to every eligible enrolment that has none (idempotent)."""
    shared = training_claims(training)
    issued = []
    for enrolment, progress in missing_eligible(training)[:limit]:
        certificate = _new_certificate(enrolment, progress, shared, actor=actor)
        db.session.add(certificate)
        issued.append((certificate, enrolment))
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(_("Certificates are being issued by someone else right now. Try again."),
                       code="issue_in_progress") from None
    for certificate, enrolment in issued:
        _mail(certificate, enrolment, base)
    return [c for c, _e in issued]


def issue_one(enrolment, *, actor, base: str, reason: str | None = None) -> Certificate:
    """Issue to one person; without eligibility only by an organiser's decision with a reason."""
    if enrolment.status != "accepted":
        raise ValidationError(_("Only accepted participants receive certificates."),
                              field="enrolment", code="not_accepted")
    if current_certificate(enrolment) is not None:
        raise Conflict(_("This participant already has a certificate."), code="already_issued")
    progress = evaluate(enrolment.training, [enrolment.id])[enrolment.id]
    reason = _clean(reason, "reason", required=not progress.eligible, limit=500)
    certificate = _new_certificate(enrolment, progress, training_claims(enrolment.training),
                                   actor=actor, reason=reason)
    db.session.add(certificate)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(_("This participant already has a certificate."),
                       code="already_issued") from None
    _mail(certificate, enrolment, base)
    return certificate


def start_issue_all(training, *, actor, base: str) -> jobs.Job:
    """A background job issuing (and rendering) every missing certificate; reuses a running one."""
    running = jobs.active("certificates.issue_all", training)
    if running is not None:
        return running
    training_claims(training)  # refuse at once when there is nothing to certify
    total = len(missing_eligible(training))
    return jobs.create("certificates.issue_all", {"training_id": training.id, "base_url": base},
                       training=training, actor=actor, total=total)


def issue_all_job(job, progress) -> dict:
    """The job: issue in batches (committed), then render every new PDF into the cache."""
    from ..auth.models import User
    training = db.session.get(Training, job.params["training_id"])
    if training is None:
        raise NotFound()
    actor = db.session.get(User, job.created_by_id) if job.created_by_id else None
    base = job.params["base_url"]
    issued: list[int] = []
    while True:
        batch = issue_all(training, actor=actor, base=base, limit=BATCH)
        db.session.commit()
        issued += [c.id for c in batch]
        if len(batch) < BATCH:
            break
    total = len(issued)
    progress(0, total)
    if issued and current_app.config["CERTIFICATES_PRERENDER"]:
        certificates = [db.session.get(Certificate, i) for i in issued]
        render.render_many(contexts_for(certificates, base), on_progress=lambda n: progress(n))
    return {"issued": total, "result_ref": f"training:{training.id}"}


# Revocation and correction ----------------------------------------------------------------

def revoke(certificate: Certificate, *, actor, reason: str | None) -> Certificate:
    reason = _clean(reason, "reason", required=True, limit=500)
    if certificate.replaced_at is not None:
        raise Conflict(_("This certificate was replaced; revoke the newer one."),
                       code="replaced")
    if certificate.revoked_at is not None:
        raise Conflict(_("This certificate is already revoked."), code="already_revoked")
    actor_id = getattr(actor, "id", None)
    certificate.revoke_reason = reason
    certificate.revoked_by_id = actor_id
    certificate.revoked_at = utcnow()
    db.session.flush()
    return certificate


def reissue(certificate: Certificate, *, actor, base: str, reason: str | None,
            name: str | None = None) -> Certificate:
    """A corrected certificate (e.g. a misspelt name) that replaces this one; history stays."""
    reason = _clean(reason, "reason", required=True, limit=500)
    name = _clean(name if name is not None else certificate.name, "name", required=True, limit=200)
    if certificate.replaced_at is not None:
        raise Conflict(_("This certificate was already replaced."), code="replaced")
    enrolment = certificate.enrolment
    progress = evaluate(enrolment.training, [enrolment.id])[enrolment.id]
    now = utcnow()
    certificate.replaced_at = now
    db.session.flush()
    new = _new_certificate(enrolment, progress, training_claims(enrolment.training), actor=actor,
                           name=name, reason=certificate.issue_reason, now=now)
    new.replaces_id = certificate.id
    new.correction_reason = reason
    db.session.add(new)
    db.session.flush()
    certificate.replaced_by_id = new.id
    db.session.flush()
    _mail(new, enrolment, base)
    return new


# Verification --------------------------------------------------------------------------

def verification(certificate: Certificate, base: str) -> dict:
    """What the public may know: every claim printed, and the status."""
    claims = certificate.claims
    replacement = certificate.replaced_by
    return {
        "code": certificate.code,
        "valid": certificate.is_valid,
        "status": certificate.status,
        "name": certificate.name,
        "training": dict(claims["training"]),
        "dates": {"first": claims["first_date"], "last": claims["last_date"],
                  "text": {lang: render.date_range(claims["first_date"], claims["last_date"], lang)
                           for lang in ("id", "en")}},
        "sessions_attended": claims["sessions_attended"],
        "sessions_held": claims["sessions_held"],
        "issuers": [o["name"] for o in claims.get("organisations", [])],
        "signatories": [{"name": s["name"], "role": s.get("role") or {},
                         "organisation": s.get("organisation", "")}
                        for s in claims.get("signatories", [])],
        "statement": claims.get("statement") or {"id": "", "en": ""},
        "issued_at": iso_utc(certificate.issued_at),
        "revoked_at": iso_utc(certificate.revoked_at),
        "revoke_reason": certificate.revoke_reason,
        "replaced_at": iso_utc(certificate.replaced_at),
        "replaced_by": replacement.code if replacement is not None else None,
        "verify_url": verify_url(certificate.code, base),
    }


# PDFs, ZIP, credentials ----------------------------------------------------------------------

def _assets_for(certificates) -> dict:
    wanted = set()
    for c in certificates:
        wanted.update(o.get("logo") for o in c.claims.get("organisations", []))
        wanted.update(s.get("signature") for s in c.claims.get("signatories", []))
    wanted.discard(None)
    if not wanted:
        return {}
    rows = db.session.execute(select(CertificateAsset.sha256, CertificateAsset.content_type,
                                     CertificateAsset.data)
                              .where(CertificateAsset.sha256.in_(sorted(wanted))))
    return {sha: (ctype, bytes(data)) for sha, ctype, data in rows}


def contexts_for(certificates, base: str) -> list[dict]:
    assets = _assets_for(certificates)
    label_text = render.labels()
    return [render.context(c.claims, code=c.code, verify_url=verify_url(c.code, base),
                           assets=assets, label_text=label_text) for c in certificates]


def certificate_pdf(certificate: Certificate, base: str) -> bytes:
    return render.render_many(contexts_for([certificate], base), workers=1)[0]


def pdf_filename(certificate: Certificate) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", certificate.name).strip("-")[:60] or "certificate"
    return f"certificate-{slug}-{certificate.code}.pdf"


def training_pdfs(training, base: str) -> list[tuple[Certificate, bytes]]:
    certificates = valid_certificates(training)
    return list(zip(certificates, render.render_many(contexts_for(certificates, base)), strict=True))


def zip_bytes(items: list[tuple[Certificate, bytes]]) -> bytes:
    """Stored, not deflated: PDFs do not compress further (39 ms against 0.4 s for 1000)."""
    out = io.BytesIO()
    names = set()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        for certificate, data in items:
            name = pdf_filename(certificate)
            while name in names:
                name = name.replace(".pdf", "-1.pdf")
            names.add(name)
            archive.writestr(zipfile.ZipInfo(name, date_time=certificate.issued_at.timetuple()[:6]),
                             data, compress_type=zipfile.ZIP_STORED)
    return out.getvalue()


def merged_pdf(training, base: str) -> bytes:
    items = training_pdfs(training, base)
    if not items:
        raise NotFound(_("There are no valid certificates to print."))
    return render.merge([data for _c, data in items],
                        title=f"Sertifikat / Certificates: {training.title_id or training.title_en}")


def credential(certificate: Certificate, base: str) -> dict:
    """The signed Open Badges 3.0 credential of a certificate."""
    if not certificate.is_valid:
        raise Conflict(_("Only a valid certificate can be downloaded as a credential."),
                       code="not_valid")
    issued = iso_utc(certificate.issued_at)
    unsigned = openbadges.build_credential(
        certificate.claims, code=certificate.code, verify_url=verify_url(certificate.code, base),
        base_url=base, issued_at=issued, email=certificate.enrolment.email)
    return openbadges.sign(unsigned, base_url=base, created=issued)


# Settings: statement, signatories, logos -----------------------------------------------------

def update_statement(training, *, actor, statement_id: str | None, statement_en: str | None) -> None:
    training.certificate_statement_id = _clean(statement_id, "statement_id", required=False,
                                               limit=STATEMENT_LIMIT)
    training.certificate_statement_en = _clean(statement_en, "statement_en", required=False,
                                               limit=STATEMENT_LIMIT)
    db.session.flush()


_SVG_NS = "{http://www.w3.org/2000/svg}"
_FORBIDDEN_SVG = {"script", "foreignObject", "iframe", "embed", "object", "use"}


def _image_type(data: bytes, field: str) -> str:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        if max(width, height) > MAX_IMAGE_PIXELS:
            raise ValidationError(_("The image is too large: at most %(n)d pixels a side.",
                                    n=MAX_IMAGE_PIXELS), field=field)
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    head = data[:1000].lstrip()
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    if head.startswith((b"<?xml", b"<svg", b"<!--")):
        _check_svg(data, field)
        return "image/svg+xml"
    raise ValidationError(_("Upload a PNG, JPEG or SVG image."), field=field, code="image_type")


def _check_svg(data: bytes, field: str) -> None:
    """A plain SVG drawing: no DTD or entities, no scripts, no outside references."""
    bad = ValidationError(_("This SVG cannot be used: it must be a plain drawing without "
                            "scripts or links to other files."), field=field, code="unsafe_svg")
    if b"<!DOCTYPE" in data.upper() or b"<!ENTITY" in data.upper():
        raise bad
    try:
        root = ET.fromstring(data)  # noqa: S314 - DOCTYPE and ENTITY are refused above
    except ET.ParseError:
        raise bad from None
    if root.tag != f"{_SVG_NS}svg":
        raise bad
    for element in root.iter():
        local = element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""
        if local in _FORBIDDEN_SVG:
            raise bad
        for attr, value in element.attrib.items():
            name = attr.rsplit("}", 1)[-1].lower()
            if name.startswith("on"):
                raise bad
            if name in ("href", "src") and not value.strip().startswith(("#", "data:image/")):
                raise bad
            if "url(" in value and not re.fullmatch(r"\s*url\(\s*#[^)]*\)\s*", value):
                raise bad
        if local == "style" and element.text and ("url(" in element.text or "@import" in element.text):
            raise bad


def store_image(data: bytes, *, field: str = "image") -> CertificateAsset:
    """Validate an uploaded image (type by content, size) and keep it, addressed by hash."""
    if not data:
        raise ValidationError(_("The file is empty."), field=field)
    if len(data) > MAX_IMAGE_BYTES:
        raise ValidationError(_("The image is too large: at most %(kb)d KB.",
                                kb=MAX_IMAGE_BYTES // 1024), field=field, code="image_too_large")
    content_type = _image_type(data, field)
    sha = hashlib.sha256(data).hexdigest()
    asset = db.session.get(CertificateAsset, sha)
    if asset is None:
        asset = CertificateAsset(sha256=sha, content_type=content_type, data=data)
        db.session.add(asset)
        db.session.flush()
    return asset


def add_signatory(training, *, actor, name: str | None, role_id: str | None = "",
                  role_en: str | None = "", organisation: str | None = "",
                  signature: bytes | None = None) -> Signatory:
    name = _clean(name, "name", required=False, limit=200)
    if not name:
        raise ValidationError(_("Give the signatory's name."), field="name")
    signatory = Signatory(
        training_id=training.id, name=name,
        role_id=_clean(role_id, "role_id", required=False, limit=200),
        role_en=_clean(role_en, "role_en", required=False, limit=200),
        organisation=_clean(organisation, "organisation", required=False, limit=200),
        position=len(signatories_of(training)))
    if signature:
        signatory.signature_sha256 = store_image(signature, field="signature").sha256
    db.session.add(signatory)
    db.session.flush()
    return signatory


def remove_signatory(signatory: Signatory, *, actor) -> None:
    db.session.delete(signatory)
    db.session.flush()


def set_logo(organisation: Organisation, data: bytes, *, actor) -> OrganisationLogo:
    asset = store_image(data, field="logo")
    logo = db.session.get(OrganisationLogo, organisation.id)
    if logo is None:
        logo = OrganisationLogo(organisation_id=organisation.id, asset_sha256=asset.sha256)
        db.session.add(logo)
    else:
        logo.asset_sha256 = asset.sha256
    db.session.flush()
    return logo


def now_utc() -> datetime:
    return datetime.now(UTC)
