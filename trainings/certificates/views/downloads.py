"""Certificate files (one, a ZIP, the print PDF, a preview, Open Badges) and batch jobs."""
from __future__ import annotations

from flask import (
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ... import jobs
from ...audit.services import exported
from ...errors import NotFound
from ...extensions import db, limiter
from ...policy import can, require
from ...scheduling.services import load_training
from ...web import attempt, base_url, send_download
from .. import render, services
from .base import bp, load_certificate, private_download, verify_limit

PDF = "application/pdf"


def training_file(training_id: int, build, filename: str, mimetype: str, *,
                  batch: str | None = None):
    """A file about a whole training for those who may list its certificates: load →
    ``certificate.list`` → ``build(training, base)`` → a private download (``{id}`` in
    ``filename`` is the training's). A ``batch`` (the export's format) of many PDFs still
    to render goes to the worker instead, and a batch served is recorded as an export."""
    training = load_training(training_id)
    require(current_user, "certificate.list", training)
    if batch:
        rendered = _rendered_elsewhere(training)
        if rendered:
            return rendered
        exported(training.id, current_user, "certificates",
                 len(services.valid_certificates(training)), batch)
    return private_download(build(training, base_url()), filename.format(id=training.id),
                            mimetype)


def _rendered_elsewhere(training):
    """Many PDFs still to render: the worker renders them (a web process never renders a
    batch); the answer is the job's page, whose download links work when it is done. A
    few missing ones (or inline jobs, in tests) are rendered in the request."""
    if jobs.mode() == "inline" or services.missing_pdfs(training, base_url()) < render.POOL_MIN:
        return None
    ok, job = attempt(lambda: services.start_render(training, actor=current_user,
                                                    base=base_url()))
    if not ok:
        return None
    jobs.dispatch(job)
    flash(_("The certificate PDFs are being prepared in the background. Download them "
            "here when they are ready."), "success")
    return redirect(url_for(".job", job_id=job.id))


@bp.route("/trainings/<int:training_id>/certificates/preview.pdf")
@login_required
def preview(training_id: int):
    """A sample certificate with the current design; nothing is issued."""
    return training_file(training_id, services.preview_pdf, "certificate-preview-{id}.pdf", PDF)


@bp.route("/trainings/<int:training_id>/certificates.zip")
@login_required
def download_zip(training_id: int):
    return training_file(training_id, services.training_zip, "certificates-{id}.zip",
                         "application/zip", batch="zip")


@bp.route("/trainings/<int:training_id>/certificates.pdf")
@login_required
def download_merged(training_id: int):
    return training_file(training_id, services.merged_pdf, "certificates-{id}-print.pdf", PDF,
                         batch="pdf")


@bp.route("/certificates/<code>.pdf")
@login_required
def download(code: str):
    certificate = load_certificate(code)
    if not can(current_user, "certificate.download", certificate):
        raise NotFound()
    return private_download(services.certificate_pdf(certificate, base_url()),
                            services.pdf_filename(certificate), PDF)


@bp.route("/certificates/<code>/credential.json")
@limiter.limit(verify_limit)
def credential(code: str):
    """Public: the holder shares it, and anyone may verify it (it says what the page says)."""
    certificate = load_certificate(code)
    body = current_app.json.dumps(services.credential(certificate, base_url()))
    db.session.commit()  # a status list entry given on first use
    response = send_download(body.encode(), f"open-badge-{certificate.code}.json",
                             "application/vc+ld+json")
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/credentials/status/<int:list_id>")
def status_list(list_id: int):
    """Public: the signed BitstringStatusListCredential (verifiers fetch and cache it)."""
    found = services.get_status_list(list_id)
    if found is None:
        raise NotFound()
    response = jsonify(services.status_list_credential(found, base_url()))
    response.mimetype = "application/vc+ld+json"
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "public, max-age=300, must-revalidate"
    response.add_etag()
    return response.make_conditional(request)


# Jobs --------------------------------------------------------------------------------------

def load_job(job_id: str):
    job = jobs.get(job_id)
    if job is None or not can(current_user, "job.view", job):
        raise NotFound()
    return job


@bp.route("/jobs/<job_id>")
@login_required
def job(job_id: str):
    job = load_job(job_id)
    return render_template("certificates/job.html", job=job, training=job.training)


@bp.route("/jobs/<job_id>.json")
@login_required
def job_status(job_id: str):
    job = load_job(job_id)
    data = jobs.job_dict(job)
    data["percent"] = job.percent
    return jsonify(data)


