"""API routes of the certificates area (see docs/api-v1.md): issue, list, PDF, ZIP, revoke,
verify (public, rate-limited), credential, jobs."""
from __future__ import annotations

from flask import current_app, request
from flask_babel import lazy_gettext as _l

from .. import jobs
from ..certificates import services
from ..errors import NotFound
from ..extensions import db, limiter
from ..messages import HTTP_MESSAGES
from ..policy import can, require
from ..scheduling.services import load_training
from ..web import base_url, send_download
from .base import actor, body, bp, commit, doc, json_body, public
from .schemas import (
    CertificateOut,
    Certificates,
    Credential,
    Issued,
    Job,
    ReissueIn,
    RevokeIn,
    Verification,
    dump,
)


def _base() -> str:
    return base_url()


_training = load_training


def _certificate(code: str):
    certificate = services.get_by_code(code)
    if certificate is None:
        raise NotFound(HTTP_MESSAGES[404])
    return certificate


def certificate_dict(certificate, base: str) -> dict:
    return CertificateOut.of(certificate, services.verify_url(certificate.code, base))


@bp.route("/trainings/<int:training_id>/certificates", methods=["POST"])
@doc(_l("Issue a certificate to every eligible enrolment that has none (idempotent)"),
     answer=Issued, answers={202: (Job, _l("Issuing in the background: poll the job"))})
def issue_certificates(training_id: int):
    training = _training(training_id)
    require(actor(), "certificate.issue", training)
    json_body(required=False)
    job = commit(lambda: services.start_issue_all(training, actor=actor(), base=_base()))
    jobs.dispatch(job)
    db.session.expire_all()
    job = jobs.get(job.id)
    if job.state == "done":
        return Issued(issued=(job.result or {}).get("issued", 0), job=job.id).dump()
    return {**dump(Job, jobs.job_dict(job)), "job": job.id}, 202


@bp.route("/trainings/<int:training_id>/certificates", methods=["GET"])
@doc(_l("Certificates of a training"), answer=Certificates,
     query={"history": ("boolean", _l("Also revoked and replaced certificates"))})
def list_certificates(training_id: int):
    training = _training(training_id)
    require(actor(), "certificate.list", training)
    base = _base()
    history = request.args.get("history") in ("1", "true")
    return {"items": [certificate_dict(c, base)
                      for c in services.certificates_of(training, include_history=history)]}


@bp.route("/certificates/<code>/pdf")
@doc(_l("A certificate's PDF (organisers, and the participant it belongs to)"),
     answers={200: ("application/pdf", _l("The certificate"))})
def certificate_pdf(code: str):
    certificate = _certificate(code)
    if not can(actor(), "certificate.download", certificate):
        raise NotFound(HTTP_MESSAGES[404])
    return send_download(services.certificate_pdf(certificate, _base()),
                         services.pdf_filename(certificate), "application/pdf")


@bp.route("/certificates/<code>/credential")
@doc(_l("The certificate as an Open Badges credential"), answer=Credential)
def certificate_credential(code: str):
    certificate = _certificate(code)
    if not can(actor(), "certificate.download", certificate):
        raise NotFound(HTTP_MESSAGES[404])
    return services.credential(certificate, _base())


@bp.route("/trainings/<int:training_id>/certificates.zip")
@doc(_l("Every valid certificate's PDF in one ZIP"),
     answers={200: ("application/zip", _l("The PDFs"))})
def certificates_zip(training_id: int):
    training = _training(training_id)
    require(actor(), "certificate.list", training)
    return send_download(services.training_zip(training, _base()),
                         f"certificates-{training.id}.zip", "application/zip")


@bp.route("/certificates/<code>/revoke", methods=["POST"])
@doc(_l("Revoke a certificate"), body=RevokeIn, answer=CertificateOut)
def revoke_certificate(code: str):
    certificate = _certificate(code)
    require(actor(), "certificate.revoke", certificate)
    data = body(RevokeIn)
    commit(lambda: services.revoke(certificate, actor=actor(), reason=data.get("reason")))
    return certificate_dict(certificate, _base())


@bp.route("/certificates/<code>/reissue", methods=["POST"])
@doc(_l("Replace a certificate by a new one (e.g. a corrected name)"), body=ReissueIn,
     answer=CertificateOut, status=201)
def reissue_certificate(code: str):
    certificate = _certificate(code)
    require(actor(), "certificate.issue", certificate)
    data = body(ReissueIn)
    new = commit(lambda: services.reissue(certificate, actor=actor(), base=_base(),
                                          reason=data.get("reason"), name=data.get("name")))
    return certificate_dict(new, _base()), 201


def _verify_limit() -> str:
    return current_app.config["CERTIFICATE_VERIFY_RATE_LIMIT"]


@bp.route("/verify/<code>")
@public
@limiter.limit(_verify_limit)
@doc(_l("Verify a certificate by its code (public)"), answer=Verification)
def verify_certificate(code: str):
    certificate = _certificate(code)
    return dump(Verification, services.verification(certificate, _base()))


@bp.route("/jobs/<job_id>")
@doc(_l("A background job's state and progress"), answer=Job)
def job_status(job_id: str):
    job = jobs.get(job_id)
    if job is None or not can(actor(), "job.view", job):
        raise NotFound(HTTP_MESSAGES[404])
    return dump(Job, jobs.job_dict(job))
