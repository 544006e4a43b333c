"""Announcement pages: organisers write to their participants, with a preview."""
from __future__ import annotations

from flask import Blueprint, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from ..errors import DomainError
from ..i18n import current_language
from ..outbox.services import delivery_configured
from ..policy import require
from ..scheduling.services import load_training
from ..web import form_status, submit
from . import announcements, reminders
from .forms import AnnouncementForm, RemindersForm

bp = Blueprint("notifications", __name__)


def _queued_message(count: int) -> str:
    text = ngettext("The announcement is queued for %(num)d person.",
                    "The announcement is queued for %(num)d people.", count)
    if not delivery_configured():
        text += " " + _("No mail server is configured: the messages wait in the outbox.")
    return text


def _save_reminders(training, form):
    hours = reminders.parse_hours_text(form.hours_before.data, "hours_before")
    return reminders.set_reminders(training, {"hours_before": hours}, actor=current_user)


@bp.route("/trainings/<int:training_id>/reminders", methods=["GET", "POST"])
@login_required
def reminder_settings(training_id: int):
    training = load_training(training_id)
    require(current_user, "notifications.reminders", training)
    form = RemindersForm()
    if not form.is_submitted():
        form.hours_before.data = ", ".join(str(h) for h in reminders.hours_of(training))
    done = submit(form, lambda: _save_reminders(training, form),
                  then=url_for("notifications.reminder_settings", training_id=training.id),
                  message=_("Reminders saved."), field_map={"reminders": "hours_before"})
    return done or (render_template("notifications/reminders.html", training=training,
                                    form=form, mail=delivery_configured()), form_status(form))


RECIPIENT_FIELDS = {"to.status": "status", "to.country": "country"}
ANNOUNCEMENT_FIELDS = {"subject.id": "subject_id", "subject.en": "subject_en",
                       "body.id": "body_id", "body.en": "body_en", "subject": "subject_id",
                       "body": "body_id", **RECIPIENT_FIELDS, "to": "status"}


def _send_announcement(training, form):
    return submit(form, lambda: announcements.announce(
        training, {"id": form.subject_id.data, "en": form.subject_en.data},
        {"id": form.body_id.data, "en": form.body_en.data}, form.recipients_filter(),
        actor=current_user),
        then=url_for("enrolment.outbox", training_id=training.id), message=_queued_message,
        field_map=ANNOUNCEMENT_FIELDS)


def _preview_recipients(training, form) -> list:
    """Who the filter reaches (the preview), or nobody with the filter's error on the form."""
    try:
        return announcements.recipients(training, form.recipients_filter())
    except DomainError as error:
        form.apply_error(error, RECIPIENT_FIELDS)
        return []


@bp.route("/trainings/<int:training_id>/announcements", methods=["GET", "POST"])
@login_required
def announce(training_id: int):
    training = load_training(training_id)
    require(current_user, "notifications.announce", training)
    form = AnnouncementForm(locale=current_language())
    done = _send_announcement(training, form) if form.send.data else None
    return done or (render_template(
        "notifications/announce.html", training=training, form=form,
        people=_preview_recipients(training, form), mail=delivery_configured()),
        form_status(form))
