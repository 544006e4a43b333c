"""Web pages of the certificates area: manage, progress, downloads, public verification."""
from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from .. import jobs
from ..enrolment.models import Enrolment
from ..errors import NotFound
from ..extensions import db, limiter
from ..policy import can, require
from ..scheduling.models import Organisation
from ..scheduling.services import load_training
from ..web import action, attempt, base_url, form_status, send_download, submit
from . import openbadges, reuse, services
from .forms import (
    EmptyForm,
    IssueOneForm,
    LogoForm,
    ReissueForm,
    RevokeForm,
    SignatoryForm,
    StatementForm,
    VerifyForm,
)
from .models import OrganisationLogo, Signatory

bp = Blueprint("certificates", __name__)


def verify_limit() -> str:
    return current_app.config["CERTIFICATE_VERIFY_RATE_LIMIT"]


def load_certificate(code: str):
    certificate = services.get_by_code(code)
    if certificate is None:
        raise NotFound()
    return certificate


def private_download(data, filename: str, mimetype: str):
    """A file of personal data: never kept by a shared cache."""
    response = send_download(data, filename, mimetype)
    response.headers["Cache-Control"] = "private, max-age=0"
    return response


def upload_bytes(field, default=None):
    """The uploaded file's bytes, one more than allowed so that the service sees it too large."""
    upload = field.data
    return (upload.read(services.MAX_IMAGE_BYTES + 1) if upload else None) or default


def manage_url(training_id: int) -> str:
    return url_for(".manage", training_id=training_id)


# Managing ----------------------------------------------------------------------------------

def render_manage(training, status: int = 200, **forms):
    rows = services.overview(training)
    organisations = training.organisations
    logos = {o.id: db.session.get(OrganisationLogo, o.id) is not None
             for o in organisations}
    issuable = [r for r in rows if r["certificate"] is None]
    running = jobs.active("certificates.issue_all", training)
    statement_form = forms.get("statement_form") or StatementForm(
        prefix="statement", statement_id=training.certificate_statement_id,
        statement_en=training.certificate_statement_en)
    return render_template(
        "certificates/manage.html", training=training, rows=rows,
        eligible_missing=sum(1 for r in issuable if r["progress"].eligible),
        valid_count=sum(1 for r in rows if r["certificate"] and r["certificate"].is_valid),
        history=[c for c in services.certificates_of(training) if c.replaced_at is not None],
        signatories=services.signatories_of(training), organisations=organisations, logos=logos,
        reusable_signatories=reuse.reusable_signatories(training),
        running_job=running, issue_all_form=EmptyForm(prefix="all"),
        issue_form=forms.get("issue_form") or IssueOneForm(prefix="issue"),
        issuable=issuable, revoke_form=RevokeForm(prefix="revoke"),
        statement_form=statement_form,
        signatory_form=forms.get("signatory_form") or SignatoryForm(prefix="signatory"),
        logo_form=forms.get("logo_form") or LogoForm(prefix="logo"),
        delete_form=EmptyForm(prefix="delete"), reuse_form=EmptyForm(prefix="reuse")), status


@bp.route("/trainings/<int:training_id>/certificates")
@login_required
def manage(training_id: int):
    training = load_training(training_id)
    require(current_user, "certificate.list", training)
    return render_manage(training)


@bp.route("/trainings/<int:training_id>/certificates/issue-all", methods=["POST"])
@login_required
def issue_all(training_id: int):
    training = load_training(training_id)
    require(current_user, "certificate.issue", training)
    if not EmptyForm(prefix="all").validate_on_submit():
        flash(_("The form expired; please try again."), "error")
        return redirect(manage_url(training.id))
    ok, job = attempt(lambda: services.start_issue_all(training, actor=current_user,
                                                        base=base_url()))
    if not ok:
        return redirect(manage_url(training.id))
    jobs.dispatch(job)
    return redirect(url_for(".job", job_id=job.id))


def enrolment_in(training, enrolment_id):
    enrolment = db.session.get(Enrolment, enrolment_id)
    if enrolment is None or enrolment.training_id != training.id:
        raise NotFound(_("No such participant in this training."), field="enrolment_id")
    return enrolment


@bp.route("/trainings/<int:training_id>/certificates/issue", methods=["POST"])
@login_required
def issue_one(training_id: int):
    training = load_training(training_id)
    require(current_user, "certificate.issue", training)
    form = IssueOneForm(prefix="issue")
    done = submit(form, lambda: services.issue_one(
        enrolment_in(training, form.enrolment_id.data), actor=current_user, base=base_url(),
        reason=form.reason.data), then=manage_url(training.id),
        message=lambda c: _("Certificate %(code)s issued to %(name)s.", code=c.code, name=c.name))
    return done or render_manage(training, 422, issue_form=form)


@bp.route("/certificates/<code>/revoke", methods=["POST"])
@login_required
def revoke(code: str):
    certificate = load_certificate(code)
    require(current_user, "certificate.revoke", certificate)
    form = RevokeForm(prefix="revoke")
    if not form.validate_on_submit():
        flash(_("Give a reason for revoking the certificate."), "error")
        return redirect(manage_url(certificate.training_id))
    return action(lambda: services.revoke(certificate, actor=current_user, reason=form.reason.data),
                  then=manage_url(certificate.training_id), form=form,
                  message=_("Certificate %(code)s revoked.", code=certificate.code))


@bp.route("/certificates/<code>/reissue", methods=["GET", "POST"])
@login_required
def reissue(code: str):
    certificate = load_certificate(code)
    require(current_user, "certificate.issue", certificate)
    form = ReissueForm(prefix="reissue", name=certificate.name)
    done = submit(form, lambda: services.reissue(
        certificate, actor=current_user, base=base_url(), reason=form.reason.data,
        name=form.name.data), then=manage_url(certificate.training_id),
        message=lambda new: _("Corrected certificate %(new)s issued; %(old)s is now marked as "
                              "replaced.", new=new.code, old=certificate.code))
    return done or (render_template("certificates/reissue.html", certificate=certificate,
                                    training=certificate.training, form=form), form_status(form))


@bp.route("/trainings/<int:training_id>/certificates/statement", methods=["POST"])
@login_required
def statement(training_id: int):
    training = load_training(training_id)
    require(current_user, "training.edit", training)
    form = StatementForm(prefix="statement")
    done = submit(form, lambda: services.update_statement(
        training, actor=current_user, statement_id=form.statement_id.data,
        statement_en=form.statement_en.data), then=manage_url(training.id),
        message=_("The certificate statement is saved. It is printed on certificates issued "
                  "from now on."))
    return done or render_manage(training, 422, statement_form=form)


@bp.route("/trainings/<int:training_id>/certificates/signatories", methods=["POST"])
@login_required
def add_signatory(training_id: int):
    training = load_training(training_id)
    require(current_user, "training.edit", training)
    form = SignatoryForm(prefix="signatory")
    done = submit(form, lambda: services.add_signatory(
        training, actor=current_user, name=form.name.data, role_id=form.role_id.data,
        role_en=form.role_en.data, organisation=form.organisation.data,
        signature=upload_bytes(form.signature)),
        then=manage_url(training.id), message=_("Signatory added."))
    return done or render_manage(training, 422, signatory_form=form)


@bp.route("/trainings/<int:training_id>/certificates/signatories/<int:signatory_id>/reuse",
          methods=["POST"])
@login_required
def reuse_signatory(training_id: int, signatory_id: int):
    """Add a signatory who signed for one of this training's organisations elsewhere."""
    training = load_training(training_id)
    require(current_user, "training.edit", training)
    return action(lambda: reuse.reuse_signatory(training, signatory_id, actor=current_user),
                  then=manage_url(training.id), message=_("Signatory added."),
                  form=EmptyForm(prefix="reuse"))


@bp.route("/trainings/<int:training_id>/certificates/signatories/<int:signatory_id>/delete",
          methods=["POST"])
@login_required
def remove_signatory(training_id: int, signatory_id: int):
    training = load_training(training_id)
    require(current_user, "training.edit", training)
    signatory = db.session.get(Signatory, signatory_id)
    if signatory is None or signatory.training_id != training.id:
        raise NotFound()
    return action(lambda: services.remove_signatory(signatory, actor=current_user),
                  then=manage_url(training.id), message=_("Signatory removed."),
                  form=EmptyForm(prefix="delete"))


def organisation_of(training, organisation_id) -> Organisation:
    try:
        org_id = int(organisation_id or 0)
    except ValueError:
        org_id = 0
    organisation = db.session.get(Organisation, org_id)
    if organisation is None or organisation not in training.organisations:
        raise NotFound()
    return organisation


@bp.route("/trainings/<int:training_id>/certificates/logo", methods=["POST"])
@login_required
def logo(training_id: int):
    training = load_training(training_id)
    require(current_user, "training.edit", training)
    form = LogoForm(prefix="logo")
    if form.validate_on_submit():
        organisation = organisation_of(training, form.organisation_id.data)  # 404, not a form error
        done = submit(form, lambda: services.set_logo(organisation, upload_bytes(form.logo, b""),
                                                      actor=current_user),
                      then=manage_url(training.id), validate=False,
                      message=_("Logo of %(name)s saved.", name=organisation.name))
        if done:
            return done
    return render_manage(training, 422, logo_form=form)


@bp.route("/organisations/<int:organisation_id>/logo", methods=["GET", "POST"])
@login_required
def organisation_logo(organisation_id: int):
    """The logo an organisation prints on certificates and module covers, in every training."""
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound()
    require(current_user, "organisation.edit", organisation)
    form = LogoForm(prefix="logo")
    done = submit(form, lambda: services.set_logo(organisation, upload_bytes(form.logo, b""),
                                                  actor=current_user),
                  then=url_for("certificates.organisation_logo", organisation_id=organisation.id),
                  message=_("Logo of %(name)s saved.", name=organisation.name))
    has_logo = db.session.get(OrganisationLogo, organisation.id) is not None
    return done or (render_template("certificates/organisation_logo.html", form=form,
                                    organisation=organisation, has_logo=has_logo),
                    form_status(form))


# Downloads ---------------------------------------------------------------------------------

@bp.route("/trainings/<int:training_id>/certificates.zip")
@login_required
def download_zip(training_id: int):
    training = load_training(training_id)
    require(current_user, "certificate.list", training)
    return private_download(services.training_zip(training, base_url()),
                            f"certificates-{training.id}.zip", "application/zip")


@bp.route("/trainings/<int:training_id>/certificates.pdf")
@login_required
def download_merged(training_id: int):
    training = load_training(training_id)
    require(current_user, "certificate.list", training)
    return private_download(services.merged_pdf(training, base_url()),
                            f"certificates-{training.id}-print.pdf", "application/pdf")


@bp.route("/certificates/<code>.pdf")
@login_required
def download(code: str):
    certificate = load_certificate(code)
    if not can(current_user, "certificate.download", certificate):
        raise NotFound()
    return private_download(services.certificate_pdf(certificate, base_url()),
                            services.pdf_filename(certificate), "application/pdf")


@bp.route("/certificates/<code>/credential.json")
@login_required
def credential(code: str):
    certificate = load_certificate(code)
    if not can(current_user, "certificate.download", certificate):
        raise NotFound()
    body = current_app.json.dumps(services.credential(certificate, base_url()))
    return private_download(body.encode(), f"open-badge-{certificate.code}.json",
                            "application/vc+ld+json")


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


# Public verification ---------------------------------------------------------------------------

LABELS = {
    "name": _l("Name"), "training": _l("Training"), "dates": _l("Dates"),
    "sessions": _l("Sessions attended"), "issuers": _l("Issued by"),
    "signatories": _l("Signed by"), "statement": _l("Statement"), "issued_at": _l("Issued on"),
    "code": _l("Verification code"), "status": _l("Status"),
}


def both_languages(labels: dict) -> dict:
    out = {}
    for lang in ("id", "en"):
        with force_locale(lang):
            for key, text in labels.items():
                out.setdefault(key, {})[lang] = str(text)
    return out


def status_text(info: dict) -> dict:
    out = {}
    for lang in ("id", "en"):
        with force_locale(lang):
            if info["status"] == "valid":
                out[lang] = _("Valid: this certificate was issued as shown below.")
            elif info["status"] == "revoked":
                out[lang] = _("Revoked: this certificate is no longer valid.")
            else:
                out[lang] = _("Replaced: a corrected certificate with the code %(code)s "
                              "replaces this one.", code=info["replaced_by"] or "")
    return out


@bp.route("/verify")
@limiter.limit(verify_limit)
def verify_form():
    form = VerifyForm(request.args)
    if request.args.get("code") is not None and form.validate():
        certificate = services.get_by_code(form.code.data)
        if certificate is not None:
            return redirect(url_for(".verify", code=certificate.code))
        form.code.errors = [_("No certificate has this code. Check it and type it again.")]
        return render_template("certificates/verify_form.html", form=form), 404
    return render_template("certificates/verify_form.html", form=form)


@bp.route("/verify/<code>")
@limiter.limit(verify_limit)
def verify(code: str):
    certificate = load_certificate(code)
    if certificate.code != code:
        return redirect(url_for(".verify", code=certificate.code))
    info = services.verification(certificate, base_url())
    return render_template("certificates/verify.html", info=info, certificate=certificate,
                           labels=both_languages(LABELS), status_text=status_text(info))


@bp.route(openbadges.ISSUER_PATH)
def issuer():
    response = jsonify(openbadges.issuer_profile(base_url()))
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.app_context_processor
def _certificate_helpers():
    def certificate_for_enrolment(enrolment):
        """The current certificate of an enrolment. The first call of a request loads those
        of all the same person's enrolments at once (My schedule lists many trainings)."""
        if enrolment is None or not getattr(enrolment, "id", None):
            return None
        if enrolment.user_id is None:
            return services.current_certificate(enrolment)
        cache = g.setdefault("_certificates_by_user", {})
        if enrolment.user_id not in cache:
            cache[enrolment.user_id] = services.current_certificates_of_user(enrolment.user_id)
        return cache[enrolment.user_id].get(enrolment.id)
    return {"certificate_for_enrolment": certificate_for_enrolment}
