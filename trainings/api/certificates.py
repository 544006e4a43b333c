"""API routes of the certificates area (see docs/api-v1.md): issue, list, PDF, ZIP, revoke,
verify (public, rate-limited), credential, jobs."""
from __future__ import annotations

from flask import Response, current_app, request

from .. import jobs
from ..certificates import services
from ..errors import NotFound
from ..extensions import db, limiter
from ..policy import can, require
from ..scheduling.services import load_training
from ..timezones import iso_utc
from .base import actor, bp, json_body, public


def _base() -> str:
    return services.base_url(request.host_url)


_training = load_training


def _certificate(code: str):
    certificate = services.get_by_code(code)
    if certificate is None:
        raise NotFound("Not found.")
    return certificate


def certificate_dict(certificate, base: str) -> dict:
    return {
        "code": certificate.code,
        "enrolment": certificate.enrolment_id,
        "name": certificate.name,
        "status": certificate.status,
        "sessions_attended": certificate.sessions_attended,
        "sessions_held": certificate.sessions_held,
        "issued_at": iso_utc(certificate.issued_at),
        "issue_reason": certificate.issue_reason,
        "revoked_at": iso_utc(certificate.revoked_at),
        "revoke_reason": certificate.revoke_reason,
        "replaced_by": certificate.replaced_by.code if certificate.replaced_by else None,
        "replaces": certificate.replaces.code if certificate.replaces else None,
        "verify_url": services.verify_url(certificate.code, base),
    }


@bp.route("/trainings/<int:training_id>/certificates", methods=["POST"])
def issue_certificates(training_id: int):
    training = _training(training_id)
    require(actor(), "certificate.issue", training)
    json_body(required=False)
    job = services.start_issue_all(training, actor=actor(), base=_base())
    db.session.commit()
    jobs.dispatch(job)
    db.session.expire_all()
    job = jobs.get(job.id)
    if job.state == "done":
        return {"issued": (job.result or {}).get("issued", 0), "job": job.id}
    return {**jobs.job_dict(job), "job": job.id}, 202


@bp.route("/trainings/<int:training_id>/certificates", methods=["GET"])
def list_certificates(training_id: int):
    training = _training(training_id)
    require(actor(), "certificate.list", training)
    base = _base()
    history = request.args.get("history") in ("1", "true")
    return {"items": [certificate_dict(c, base)
                      for c in services.certificates_of(training, include_history=history)]}


@bp.route("/certificates/<code>/pdf")
def certificate_pdf(code: str):
    certificate = _certificate(code)
    if not can(actor(), "certificate.download", certificate):
        raise NotFound("Not found.")
    response = Response(services.certificate_pdf(certificate, _base()), mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{services.pdf_filename(certificate)}"')
    return response


@bp.route("/certificates/<code>/credential")
def certificate_credential(code: str):
    certificate = _certificate(code)
    if not can(actor(), "certificate.download", certificate):
        raise NotFound("Not found.")
    return services.credential(certificate, _base())


@bp.route("/trainings/<int:training_id>/certificates.zip")
def certificates_zip(training_id: int):
    training = _training(training_id)
    require(actor(), "certificate.list", training)
    data = services.zip_bytes(services.training_pdfs(training, _base()))
    response = Response(data, mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="certificates-{training.id}.zip"'
    return response


@bp.route("/certificates/<code>/revoke", methods=["POST"])
def revoke_certificate(code: str):
    certificate = _certificate(code)
    require(actor(), "certificate.revoke", certificate)
    body = json_body()
    services.revoke(certificate, actor=actor(), reason=body.get("reason"))
    db.session.commit()
    return certificate_dict(certificate, _base())


@bp.route("/certificates/<code>/reissue", methods=["POST"])
def reissue_certificate(code: str):
    certificate = _certificate(code)
    require(actor(), "certificate.issue", certificate)
    body = json_body()
    new = services.reissue(certificate, actor=actor(), base=_base(), reason=body.get("reason"),
                           name=body.get("name"))
    db.session.commit()
    return certificate_dict(new, _base()), 201


def _verify_limit() -> str:
    return current_app.config["CERTIFICATE_VERIFY_RATE_LIMIT"]


@bp.route("/verify/<code>")
@public
@limiter.limit(_verify_limit)
def verify_certificate(code: str):
    certificate = _certificate(code)
    return services.verification(certificate, _base())


@bp.route("/jobs/<job_id>")
def job_status(job_id: str):
    job = jobs.get(job_id)
    if job is None or not can(actor(), "job.view", job):
        raise NotFound("Not found.")
    return jobs.job_dict(job)
