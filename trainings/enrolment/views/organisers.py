"""The participant list of organisers: settings, status changes, adding people,
invitations, the outbox."""
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

from ...auth.services import is_safe_next
from ...countries import country_name
from ...errors import DomainError
from ...i18n import current_language, viewer_timezone
from ...outbox.services import delivery_configured, outbox_for_training
from ...policy import can, require
from ...web import (
    EmptyForm,
    absolute_url,
    action,
    attempt,
    form_status,
    submit,
)
from .. import services
from ..forms import (
    AddParticipantForm,
    SettingsForm,
)
from ..models import SECTORS, STATUSES
from .base import _filters, _form_data, bp, load_enrolment, load_training

# --------------------------------------------------------------------------- organisers

PAGE_SIZE = 50


def _page(items: list) -> tuple[list, int, int]:
    """One page of a list: (items, page, pages); a page out of range gives the last one."""
    pages = max(1, -(-len(items) // PAGE_SIZE))
    page = request.args.get("page", "1")
    page = min(max(int(page), 1), pages) if page.isdigit() else 1
    return items[(page - 1) * PAGE_SIZE:page * PAGE_SIZE], page, pages


@bp.route("/trainings/<int:training_id>/participants")
@login_required
def participants(training_id: int):
    training = load_training(training_id)
    require(current_user, "enrolment.list", training)
    filters = _filters()
    enrolments, error = _filtered(training, filters)
    shown, page, pages = _page(enrolments)
    return render_template("enrolment/participants.html", training=training,
                           enrolments=shown, total=len(enrolments), page=page, pages=pages,
                           filters=filters, filter_error=error,
                           **_participants_context(training)), (422 if error else 200)


def _filtered(training, filters: dict) -> tuple[list, str | None]:
    """The enrolments the filters select, and no error; a bad filter gives an empty list
    and the message that says why."""
    try:
        return services.list_enrolments(training, **filters), None
    except DomainError as exc:
        return [], exc.message


def _participants_context(training) -> dict:
    counts = services.country_counts(training)
    lang = current_language()
    return dict(
        counts=counts, totals={s: sum(row[s] for row in counts) for s in STATUSES},
        quota_sum=sum(training.country_quotas.values()) if training.country_quotas else None,
        sort_choices=[("applied", _("Date of application")), ("name", _("Name")),
                      ("country", _("Country")), ("status", _("Status"))],
        countries=sorted({row["country"] for row in counts}, key=lambda c: country_name(c, lang)),
        statuses=STATUSES, sectors=SECTORS,
        settings_form=SettingsForm(obj=training), action_form=EmptyForm(),
        show_accessibility=can(current_user, "enrolment.view_accessibility", training),
        apply_url=absolute_url("enrolment.apply", training_id=training.id),
        export_args={k: v for k, v in request.args.items()
                     if k in ("country", "status", "sector", "q", "sort")})


@bp.route("/trainings/<int:training_id>/participants/settings", methods=["POST"])
@login_required
def settings(training_id: int):
    training = load_training(training_id)
    require(current_user, "enrolment.manage", training)
    form = SettingsForm()
    back = url_for("enrolment.participants", training_id=training.id)
    done = submit(form, lambda: services.update_settings(
        training, applications_open=form.applications_open.data,
        requires_approval=form.requires_approval.data, actor=current_user),
        then=back, message=_("The application settings are saved."))
    return done or _retry(back, _("The settings could not be saved. Please try again."))


def _retry(back: str, message: str):
    """A change that could not be made (a stale form): say so and go back."""
    flash(message, "error")
    return redirect(back)


# changes that end someone's participation are confirmed on a page of their own first
CONFIRMED = ("rejected", "withdrawn")


@bp.route("/enrolments/<int:enrolment_id>/status", methods=["GET", "POST"])
@login_required
def change_status(enrolment_id: int):
    """POST changes the status; rejecting or withdrawing needs ``confirmed`` (from the
    confirmation page that GET shows: what will happen, and who will get a mail)."""
    enrolment = load_enrolment(enrolment_id)
    require(current_user, "enrolment.manage", enrolment)
    status = request.values.get("status", "")
    if request.method == "GET" or (status in CONFIRMED and not request.form.get("confirmed")):
        return _confirm_page(enrolment, status)
    if not EmptyForm().validate_on_submit():
        return _retry(_back_to(enrolment), _("The change could not be saved. Please try again."))
    _change_status(enrolment, status)
    return redirect(_back_to(enrolment))


def _confirm_page(enrolment, status: str):
    """The confirmation page of a change that ends someone's participation; any other
    status asked for by GET goes back to where it came from."""
    if status not in CONFIRMED:
        return redirect(_back_to(enrolment))
    return render_template("enrolment/confirm_status.html", enrolment=enrolment,
                           training=enrolment.training, status=status, form=EmptyForm(),
                           back=_back_to(enrolment),
                           label=services.STATUS_LABELS[status])


def _change_status(enrolment, status: str) -> None:
    """Change one status (mailing on a confirmed change only when asked) and say what
    happened, or flash why not."""
    notify = status not in CONFIRMED or request.form.get("notify") == "1"
    ok, promoted = attempt(lambda: services.change_status(
        enrolment, status, actor=current_user, notify=notify))
    if ok:
        _flash_status(enrolment, promoted)


@bp.route("/trainings/<int:training_id>/participants/bulk", methods=["POST"])
@login_required
def bulk_status(training_id: int):
    """Accept or waitlist the people ticked in the participant list."""
    training = load_training(training_id)
    require(current_user, "enrolment.manage", training)
    back = request.form.get("next", "")
    back = back if is_safe_next(back) else url_for("enrolment.participants", training_id=training.id)
    if not EmptyForm().validate_on_submit():
        return _retry(back, _("The change could not be saved. Please try again."))
    _change_statuses(training)
    return redirect(back)


def _change_statuses(training) -> None:
    """Change the ticked people's status; say how many changed and why any were refused."""
    ids = [int(i) for i in request.form.getlist("enrolment") if i.isdigit()]
    ok, result = attempt(lambda: services.change_statuses(
        training, ids, request.form.get("status", ""), actor=current_user))
    if ok:
        changed, refused = result
        flash(ngettext("%(num)d person changed.", "%(num)d people changed.", len(changed)),
              "success")
        for enrolment, reason in refused:
            flash(f"{enrolment.name}: {reason}", "error")


def _back_to(enrolment) -> str:
    """Where a status change returns: the page it came from, else the participant list."""
    back = request.values.get("next", "")
    if is_safe_next(back):
        return back
    return url_for("enrolment.participants", training_id=enrolment.training_id)


def _flash_status(enrolment, promoted) -> None:
    flash(_("%(name)s is now: %(status)s.", name=enrolment.name,
            status=services.STATUS_LABELS[enrolment.status]), "success")
    if promoted:
        flash(ngettext("Moved up from the waiting list: %(names)s.",
                       "Moved up from the waiting list: %(names)s.", len(promoted),
                       names=", ".join(e.name for e in promoted)), "success")


@bp.route("/trainings/<int:training_id>/participants/add", methods=["GET", "POST"])
@login_required
def add_participant(training_id: int):
    training = load_training(training_id)
    require(current_user, "enrolment.manage", training)
    form = _add_form(training)
    done = submit(form, lambda: services.enrol(training, _form_data(form), actor=current_user),
                  then=url_for("enrolment.participants", training_id=training.id),
                  message=_added_message)
    return done or (render_template("enrolment/add.html", training=training, form=form),
                    form_status(form))


def _add_form(training) -> AddParticipantForm:
    """The form to add someone; first shown with the training's zone and its likely language."""
    form = AddParticipantForm(locale=current_language())
    if request.method == "GET":
        form.timezone.data = training.timezone
        form.language.data = "id" if training.timezone.startswith("Asia/J") else "en"
    return form


def _added_message(enrolment) -> str:
    text = _("%(name)s is now: %(status)s.", name=enrolment.name,
             status=services.STATUS_LABELS[enrolment.status])
    link = getattr(enrolment, "invitation_link", None)
    if link and not delivery_configured():
        text += " " + _link_to_pass_on(enrolment, link)
    return text


def _link_to_pass_on(enrolment, link: str) -> str:
    return _("No mail server is configured, so nothing is sent: pass this set-password link "
             "on to %(name)s yourself (it is shown only now): %(link)s",
             name=enrolment.name, link=link)


def _invitation_message(enrolment, link: str | None) -> str:
    if delivery_configured():
        return _("A new invitation for %(name)s is on its way by email.", name=enrolment.name)
    return _link_to_pass_on(enrolment, link or "")


@bp.route("/enrolments/<int:enrolment_id>/invitation", methods=["POST"])
@login_required
def resend_invitation(enrolment_id: int):
    enrolment = load_enrolment(enrolment_id)
    require(current_user, "enrolment.manage", enrolment)
    return action(lambda: services.resend_invitation(enrolment, actor=current_user),
                  then=url_for("enrolment.participants", training_id=enrolment.training_id),
                  message=lambda link: _invitation_message(enrolment, link))


@bp.route("/trainings/<int:training_id>/outbox")
@login_required
def outbox(training_id: int):
    training = load_training(training_id)
    require(current_user, "enrolment.manage", training)
    return render_template("enrolment/outbox.html", training=training,
                           messages=outbox_for_training(training),
                           smtp=delivery_configured(),
                           zone=viewer_timezone(training.timezone))

