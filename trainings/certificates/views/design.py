"""The design of certificates: statement, signatories and their signatures, logos."""
from __future__ import annotations

from flask import (
    render_template,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...errors import NotFound
from ...extensions import db
from ...policy import require
from ...scheduling.models import Organisation
from ...scheduling.services import load_training
from ...web import action, form_status, submit
from .. import reuse, services
from ..forms import (
    EmptyForm,
    LogoForm,
    SignatoryForm,
    SignatureForm,
    StatementForm,
)
from ..models import OrganisationLogo, Signatory
from .base import bp, manage_url, upload_bytes
from .issuing import render_manage


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


def signatory_of(training, signatory_id: int) -> Signatory:
    signatory = db.session.get(Signatory, signatory_id)
    if signatory is None or signatory.training_id != training.id:
        raise NotFound()
    return signatory


@bp.route("/trainings/<int:training_id>/certificates/signatories/<int:signatory_id>/signature",
          methods=["POST"])
@login_required
def signature(training_id: int, signatory_id: int):
    training = load_training(training_id)
    require(current_user, "training.edit", training)
    signatory = signatory_of(training, signatory_id)
    form = SignatureForm(prefix=f"sig{signatory.id}")
    done = submit(form, lambda: services.set_signature(
        signatory, upload_bytes(form.signature, b""), actor=current_user),
        then=manage_url(training.id),
        message=_("Signature image of %(name)s saved.", name=signatory.name))
    return done or render_manage(training, 422, signature_forms={signatory.id: form})


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
    signatory = signatory_of(training, signatory_id)
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


def _save_logo(form, organisation, then: str, **options):
    return submit(form, lambda: services.set_logo(organisation, upload_bytes(form.logo, b""),
                                                  actor=current_user),
                  then=then, message=_("Logo of %(name)s saved.", name=organisation.name),
                  **options)


@bp.route("/trainings/<int:training_id>/certificates/logo", methods=["POST"])
@login_required
def logo(training_id: int):
    training = load_training(training_id)
    require(current_user, "training.edit", training)
    form = LogoForm(prefix="logo")
    if form.validate_on_submit():
        organisation = organisation_of(training, form.organisation_id.data)  # 404, not a form error
        done = _save_logo(form, organisation, manage_url(training.id), validate=False)
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
    done = _save_logo(form, organisation, url_for("certificates.organisation_logo",
                                                  organisation_id=organisation.id))
    return done or (render_template(
        "certificates/organisation_logo.html", form=form, organisation=organisation,
        has_logo=db.session.get(OrganisationLogo, organisation.id) is not None), form_status(form))


