"""The public application form, its thanks page and where an application stands."""
from __future__ import annotations

from flask import (
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from ...extensions import limiter
from ...i18n import current_language, viewer_timezone
from ...outbox.services import delivery_configured
from ...policy import can
from ...scheduling.services import numbered_sessions
from ...web import (
    form_status,
    submit,
)
from .. import services
from ..forms import (
    ApplicationForm,
)
from .base import _form_data, bp, load_training

# --------------------------------------------------------------------------- public application

@bp.route("/trainings/<int:training_id>/apply", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def apply(training_id: int):
    training = load_training(training_id)
    form = ApplicationForm(locale=current_language())
    if request.method == "GET":
        _prefill_application(form, training)
    elif (state := services.applications_state(training)) != "open":
        flash(services.closed_message(state), "error")
        return redirect(url_for("enrolment.apply", training_id=training.id))
    done = submit(form, lambda: services.enrol(training, _form_data(form), public=True),
                  then=lambda enrolment: _applied_page(training, enrolment))
    return done or (_application_page(training, form), form_status(form))


def _application_page(training, form) -> str:
    return render_template("enrolment/apply.html", training=training, form=form,
                           sessions=numbered_sessions(training),
                           may_view=can(current_user, "training.view", training),
                           mine=services.own_enrolment(training, current_user),
                           zone=viewer_timezone(training.timezone))


def _prefill_application(form, training) -> None:
    if current_user.is_authenticated:
        form.name.data = form.name.data or current_user.name
        form.email.data = form.email.data or current_user.email
        form.language.data = current_user.language
        form.timezone.data = current_user.timezone
    else:
        form.language.data = current_language()
        form.timezone.data = session.get("tz") or training.timezone
        if not session.get("tz"):  # only a default: the visitor's device zone replaces it
            form.timezone.render_kw = dict(form.timezone.render_kw or {}, **{"data-prefer-device": "1"})


def _applied_page(training, enrolment) -> str:
    session["applied"] = {"training": training.id, "status": enrolment.status,
                          "enrolment": enrolment.id}
    return url_for("enrolment.applied", training_id=training.id)


@bp.route("/trainings/<int:training_id>/application")
def application_status(training_id: int):
    """Where an application stands: for the signed-in applicant, or for the browser that
    sent it (the session remembers which application it was; nothing else is shown)."""
    training = load_training(training_id)
    enrolment = _applicants_enrolment(training)
    if enrolment is None or enrolment.training_id != training.id:
        return render_template("enrolment/application_status.html", training=training,
                               enrolment=None), 404
    return render_template("enrolment/application_status.html", training=training,
                           enrolment=enrolment)


def _applicants_enrolment(training):
    """The signed-in person's enrolment, else the one this browser's session sent (which
    may belong to another training: the caller checks)."""
    enrolment = services.own_enrolment(training, current_user)
    if enrolment is None:
        applied = session.get("applied") or {}
        if applied.get("training") == training.id and applied.get("enrolment"):
            enrolment = services.get_enrolment(applied["enrolment"])
    return enrolment


@bp.route("/trainings/<int:training_id>/apply/thanks")
def applied(training_id: int):
    training = load_training(training_id)
    result = session.get("applied") or {}
    if result.get("training") != training.id:
        return redirect(url_for("enrolment.apply", training_id=training.id))
    return render_template("enrolment/applied.html", training=training, status=result["status"],
                           mail=delivery_configured())


@bp.route("/privacy/applications")
def privacy():
    return render_template("enrolment/privacy.html")

