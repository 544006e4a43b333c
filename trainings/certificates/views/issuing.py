"""Managing certificates: the overview, issuing, revoking, reissuing, the names."""
from __future__ import annotations

from flask import (
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from ... import jobs
from ...enrolment.models import Enrolment
from ...errors import NotFound
from ...extensions import db
from ...outbox.services import delivery_configured
from ...policy import require
from ...scheduling.services import load_training
from ...web import action, attempt, base_url, form_status, submit
from .. import reuse, services
from ..forms import (
    BulkRevokeForm,
    CertificateNameForm,
    EmptyForm,
    IssueOneForm,
    LogoForm,
    ReissueForm,
    RevokeForm,
    SignatoryForm,
    SignatureForm,
    StatementForm,
)
from ..models import OrganisationLogo
from .base import bp, load_certificate, manage_url

# Managing ----------------------------------------------------------------------------------

def render_manage(training, status: int = 200, **forms):
    rows = services.overview(training)
    organisations = training.organisations
    logos = {o.id: db.session.get(OrganisationLogo, o.id) is not None
             for o in organisations}
    issuable = [r for r in rows if r["certificate"] is None]
    confirmed = services.confirmed_ids(training)
    running = jobs.active("certificates.issue_all", training)
    statement_form = forms.get("statement_form") or StatementForm(
        prefix="statement", statement_id=training.certificate_statement_id,
        statement_en=training.certificate_statement_en)
    return render_template(
        "certificates/manage.html", training=training, rows=rows,
        mail_configured=delivery_configured(),
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
        delete_form=EmptyForm(prefix="delete"), reuse_form=EmptyForm(prefix="reuse"),
        confirmed=confirmed,
        unconfirmed=[r for r in issuable if r["enrolment"].id not in confirmed],
        remind_form=EmptyForm(prefix="remind"),
        bulk_form=forms.get("bulk_form") or BulkRevokeForm(prefix="bulk"),
        unsigned=services.signatories_without_signature(training),
        signature_forms=forms.get("signature_forms") or {}, signature_form=SignatureForm), status


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
    return _start_issue_all(training)


def _start_issue_all(training):
    """Queue the issuing job (a warning for signatories without a signature image) and
    follow it on its page."""
    ok, job = attempt(lambda: services.start_issue_all(training, actor=current_user,
                                                        base=base_url()))
    if not ok:
        return redirect(manage_url(training.id))
    unsigned = services.signatories_without_signature(training)
    if unsigned:
        flash(_("These signatories have no signature image, so their signature line prints "
                "empty: %(names)s.", names=", ".join(unsigned)), "warning")
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


@bp.route("/trainings/<int:training_id>/certificates/revoke", methods=["POST"])
@login_required
def revoke_many(training_id: int):
    training = load_training(training_id)
    require(current_user, "certificate.revoke", training)
    form = BulkRevokeForm(prefix="bulk")
    codes = request.form.getlist("bulk-codes")
    done = submit(form, lambda: services.revoke_many(training, codes, actor=current_user,
                                                     reason=form.reason.data),
                  then=manage_url(training.id),
                  message=lambda n: ngettext("%(num)d certificate revoked.",
                                             "%(num)d certificates revoked.", n))
    return done or render_manage(training, 422, bulk_form=form)


@bp.route("/trainings/<int:training_id>/certificates/remind-names", methods=["POST"])
@login_required
def remind_names(training_id: int):
    training = load_training(training_id)
    require(current_user, "enrolment.manage", training)
    return action(lambda: services.remind_unconfirmed(training, actor=current_user,
                                                      base=base_url()),
                  then=manage_url(training.id), form=EmptyForm(prefix="remind"),
                  message=lambda n: ngettext(
                      "A reminder to confirm the name was queued for %(num)d participant.",
                      "A reminder to confirm the name was queued for %(num)d participants.", n))


@bp.route("/trainings/<int:training_id>/certificate-name", methods=["GET", "POST"])
@login_required
def my_name(training_id: int):
    """The participant confirms or corrects the name printed on the certificate."""
    training = load_training(training_id)
    enrolment = _own_enrolment(training)
    require(current_user, "certificate.confirm_name", enrolment)
    state = services.name_state(enrolment)
    form = CertificateNameForm(prefix="cn", name=state["name"])
    done = submit(form, lambda: services.confirm_name(enrolment, form.name.data,
                                                      actor=current_user),
                  then=url_for(".my_name", training_id=training.id),
                  message=_("Thank you: your name will be printed as you confirmed it."))
    return done or (_my_name_page(training, enrolment, state, form), form_status(form))


def _own_enrolment(training):
    enrolment = services.own_enrolment(training, current_user)
    if enrolment is None:
        raise NotFound()
    return enrolment


def _my_name_page(training, enrolment, state: dict, form):
    return render_template("certificates/my_name.html", training=training,
                           enrolment=enrolment, state=state, form=form,
                           confirmed=services.confirmed_name(enrolment),
                           certificate=services.current_certificate(enrolment))


