"""Enrolment pages: the public application form, the participant list of organisers,
imports, exports, the outbox, invitations and the participant's own enrolment."""
from __future__ import annotations

import json

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_babel import refresh as refresh_locale
from flask_login import current_user, login_required, login_user
from werkzeug.exceptions import RequestEntityTooLarge

from ..audit.services import exported
from ..auth import accepts_token
from ..auth.services import is_safe_next
from ..countries import country_name
from ..errors import DomainError, NotFound
from ..exports import XLSX_MIMETYPE, csv_bytes, xlsx_bytes
from ..extensions import limiter
from ..i18n import current_language, viewer_timezone
from ..outbox.services import delivery_configured, outbox_for_training
from ..policy import can, require
from ..scheduling.services import get_training, numbered_sessions
from ..scheduling.services import load_training as load_training_or_404
from ..web import (
    EmptyForm,
    absolute_url,
    action,
    attempt,
    form_status,
    send_download,
    submit,
)
from . import imports, services
from .forms import (
    AddParticipantForm,
    ApplicationForm,
    ApplyImportForm,
    ImportForm,
    InvitationForm,
    SettingsForm,
)
from .models import SECTORS, STATUSES

bp = Blueprint("enrolment", __name__)


load_training = load_training_or_404


def load_enrolment(enrolment_id: int):
    enrolment = services.get_enrolment(enrolment_id)
    if enrolment is None:
        raise NotFound()
    return enrolment


@bp.app_context_processor
def _labels():
    return {"status_labels": services.STATUS_LABELS, "sector_labels": services.SECTOR_LABELS}


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
    enrolment = services.own_enrolment(training, current_user)
    if enrolment is None:
        applied = session.get("applied") or {}
        if applied.get("training") == training.id and applied.get("enrolment"):
            enrolment = services.get_enrolment(applied["enrolment"])
    if enrolment is None or enrolment.training_id != training.id:
        return render_template("enrolment/application_status.html", training=training,
                               enrolment=None), 404
    return render_template("enrolment/application_status.html", training=training,
                           enrolment=enrolment)


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


# --------------------------------------------------------------------------- organisers

def _filters() -> dict:
    return {"country": (request.args.get("country") or "").strip() or None,
            "status": request.args.get("status") or None,
            "sector": request.args.get("sector") or None,
            "search": (request.args.get("q") or "").strip()[:200] or None,
            "sort": request.args.get("sort") or None}


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
    try:
        enrolments, error = services.list_enrolments(training, **filters), None
    except DomainError as exc:  # a bad filter: the list stays empty, the message says why
        enrolments, error = [], exc.message
    shown, page, pages = _page(enrolments)
    return render_template("enrolment/participants.html", training=training,
                           enrolments=shown, total=len(enrolments), page=page, pages=pages,
                           filters=filters, filter_error=error,
                           **_participants_context(training)), (422 if error else 200)


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
    if done is None:
        flash(_("The settings could not be saved. Please try again."), "error")
    return done or redirect(back)


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
        if status not in CONFIRMED:
            return redirect(_back_to(enrolment))
        return render_template("enrolment/confirm_status.html", enrolment=enrolment,
                               training=enrolment.training, status=status, form=EmptyForm(),
                               back=_back_to(enrolment),
                               label=services.STATUS_LABELS[status])
    target = _back_to(enrolment)
    if not EmptyForm().validate_on_submit():
        flash(_("The change could not be saved. Please try again."), "error")
        return redirect(target)
    notify = status not in CONFIRMED or request.form.get("notify") == "1"
    ok, promoted = attempt(lambda: services.change_status(
        enrolment, status, actor=current_user, notify=notify))
    if ok:
        _flash_status(enrolment, promoted)
    return redirect(target)


@bp.route("/trainings/<int:training_id>/participants/bulk", methods=["POST"])
@login_required
def bulk_status(training_id: int):
    """Accept or waitlist the people ticked in the participant list."""
    training = load_training(training_id)
    require(current_user, "enrolment.manage", training)
    back = request.form.get("next", "")
    back = back if is_safe_next(back) else url_for("enrolment.participants", training_id=training.id)
    if not EmptyForm().validate_on_submit():
        flash(_("The change could not be saved. Please try again."), "error")
        return redirect(back)
    ids = [int(i) for i in request.form.getlist("enrolment") if i.isdigit()]
    ok, result = attempt(lambda: services.change_statuses(
        training, ids, request.form.get("status", ""), actor=current_user))
    if ok:
        changed, refused = result
        flash(ngettext("%(num)d person changed.", "%(num)d people changed.", len(changed)),
              "success")
        for enrolment, reason in refused:
            flash(f"{enrolment.name}: {reason}", "error")
    return redirect(back)


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
    form = AddParticipantForm(locale=current_language())
    if request.method == "GET":
        form.timezone.data = training.timezone
        form.language.data = "id" if training.timezone.startswith("Asia/J") else "en"
    done = submit(form, lambda: services.enrol(training, _form_data(form), actor=current_user),
                  then=url_for("enrolment.participants", training_id=training.id),
                  message=_added_message)
    return done or (render_template("enrolment/add.html", training=training, form=form),
                    form_status(form))


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


def _form_data(form) -> dict:
    return {"name": form.name.data, "email": form.email.data, "country": form.country.data,
            "organisation": form.organisation.data, "sector": form.sector.data,
            "timezone": form.timezone.data, "language": form.language.data,
            "accessibility_needs": form.accessibility_needs.data,
            "accessibility_consent": bool(form.accessibility_consent.data)}


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


# --------------------------------------------------------------------------- exports

def _export(training_id: int):
    training = load_training(training_id)
    require(current_user, "enrolment.manage", training)
    enrolments = services.list_enrolments(training, **_filters())
    return training, services.export_rows(training, enrolments, current_language())


@bp.route("/trainings/<int:training_id>/enrolments.csv")
@accepts_token
@login_required
def export_csv(training_id: int):
    training, rows = _export(training_id)
    exported(training.id, current_user, "enrolments", len(rows), "csv")
    return send_download(csv_bytes(services.EXPORT_HEADER, rows), f"enrolments-{training.id}.csv",
                         "text/csv; charset=utf-8")


@bp.route("/trainings/<int:training_id>/enrolments.xlsx")
@accepts_token
@login_required
def export_xlsx(training_id: int):
    training, rows = _export(training_id)
    exported(training.id, current_user, "enrolments", len(rows), "xlsx")
    return send_download(xlsx_bytes(services.EXPORT_HEADER, rows, title=_("Enrolments")),
                         f"enrolments-{training.id}.xlsx", XLSX_MIMETYPE)


# --------------------------------------------------------------------------- import

@bp.route("/trainings/<int:training_id>/enrolments/import", methods=["GET", "POST"])
@login_required
def import_enrolments(training_id: int):
    training = load_training(training_id)
    require(current_user, "enrolment.manage", training)
    form, apply_form = ImportForm(), ApplyImportForm()
    checked, status = None, 200
    if request.method == "POST":
        try:
            step = request.form.get("action", "preview")
        except RequestEntityTooLarge:
            return _too_large(training, form)
        if step == "apply":
            return _apply_import(training, apply_form)
        checked, status = _preview_import(training, form, apply_form)
    return _import_page(training, form, apply_form, checked), status


def _import_page(training, form, apply_form, checked) -> str:
    return render_template("enrolment/import.html", training=training, form=form,
                           apply_form=apply_form, checked=checked,
                           max_rows=imports.max_rows(), columns=imports.COLUMNS)


def _staged_rows(apply_form) -> list[dict] | None:
    """The rows the preview handed to the apply step, or None when they are not usable."""
    if not apply_form.validate_on_submit():
        return None
    try:
        rows = json.loads(apply_form.rows.data or "[]")
        if not isinstance(rows, list):
            return None
        return [{"row": int(r["row"]), "values": {k: str(v) for k, v in r["values"].items()}}
                for r in rows]
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


def _nothing_imported(operation):
    """The import's error, flashed as "Nothing was imported: <reason>"."""
    def run():
        try:
            return operation()
        except DomainError as error:
            error.message = _("Nothing was imported: %(reason)s", reason=error.message)
            raise
    return run


def _apply_import(training, apply_form):
    rows = _staged_rows(apply_form)
    if rows is None:
        flash(_("The import could not be applied. Please upload the file again."), "error")
        return redirect(url_for("enrolment.import_enrolments", training_id=training.id))
    ok, result = attempt(_nothing_imported(
        lambda: imports.import_rows(training, rows, actor=current_user)))
    if not ok:
        return _import_page(training, ImportForm(), apply_form,
                            imports.preview(training, rows)), 422
    flash(_("Imported %(created)d participants: %(accepted)d accepted, %(waitlisted)d "
            "on the waiting list. %(skipped)d rows were skipped because these "
            "people are already enrolled.", **result), "success")
    return redirect(url_for("enrolment.participants", training_id=training.id))


def _preview_import(training, form, apply_form):
    """Read the upload and check its rows (no writes): ``(checked, status)``."""
    if not form.validate_on_submit():
        return None, 422
    upload = form.file.data
    try:
        rows = imports.read_table(upload.read(), upload.filename)
        checked = imports.preview(training, rows)
    except imports.FileTooLarge as error:
        form.file.errors = [str(error.message)]
        return None, 413
    except DomainError as error:
        form.apply_error(error)
        if not form.file.errors:
            form.file.errors = [str(error.message)]
        return None, 422
    apply_form.rows.data = json.dumps(
        [{"row": r["row"], "values": r["values"]} for r in rows], ensure_ascii=False)
    return checked, 422 if checked.errors else 200


def _too_large(training, form):
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    form.file.errors = [_("The file is larger than the limit of %(n)d MB. Split it into "
                          "smaller files.", n=max(1, limit // (1024 * 1024)))]
    return _import_page(training, form, ApplyImportForm(formdata=None), None), 413


@bp.errorhandler(RequestEntityTooLarge)
def _upload_too_large(error):
    training_id = (request.view_args or {}).get("training_id")
    if request.endpoint == "enrolment.import_enrolments" and training_id:
        training = get_training(training_id)
        if training is not None and can(current_user, "enrolment.manage", training):
            return _too_large(training, ImportForm(formdata=None))
    return render_template("errors/400.html", message=_(
        "The upload is too large.")), 413


# --------------------------------------------------------------------------- participants

@bp.route("/trainings/<int:training_id>/my-enrolment", methods=["GET", "POST"])
@login_required
def my_enrolment(training_id: int):
    training = load_training(training_id)
    enrolment = services.own_enrolment(training, current_user)
    if enrolment is None:
        raise NotFound()
    require(current_user, "enrolment.view", enrolment)
    if request.method == "POST":
        return action(lambda: services.withdraw_own(enrolment, actor=current_user),
                      then=url_for("enrolment.my_enrolment", training_id=training.id),
                      message=_("Your enrolment is withdrawn. Thank you for letting us know."))
    return render_template("enrolment/mine.html", training=training, enrolment=enrolment,
                           form=EmptyForm())


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def invitation(token: str):
    found = services.invitation_for_token(token)
    if found is None:
        return render_template("enrolment/invitation_invalid.html"), 404
    if session.get("lang") not in ("id", "en") and found.user.language in ("id", "en"):
        session["lang"] = found.user.language  # the language the person chose when applying
        refresh_locale()
    form = InvitationForm()
    done = submit(form, lambda: _log_in(services.accept_invitation(token, form.password.data)),
                  then=url_for("core.index"),
                  message=lambda user: _("Your password is set. Welcome, %(name)s.", name=user.name))
    response = render_template("enrolment/invitation.html", form=form, user=found.user)
    return done or (response, form_status(form),
                    {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"})


def _log_in(user):
    """A fresh session (keeping the chosen language) for the person who set a password."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    login_user(user)
    return user
