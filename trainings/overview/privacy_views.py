"""Privacy pages: download my data, erase a person, a training's audit and retention.

Endpoints ``privacy.my_data``, ``privacy.my_data_download``, ``privacy.erase``,
``privacy.audit`` and ``privacy.retention``.
"""
from __future__ import annotations

import json

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..audit.services import entries, label
from ..policy import require
from ..scheduling.services import load_training
from ..web import form_status, send_download, submit
from . import privacy
from .privacy_forms import EraseForm, RetentionForm

bp = Blueprint("privacy", __name__)


@bp.route("/me/data")
@login_required
def my_data():
    return render_template("privacy/my_data.html",
                           sections=list(privacy.EXPORTS))


@bp.route("/me/data.json")
@login_required
def my_data_download():
    body = json.dumps(privacy.export_person(current_user), ensure_ascii=False, indent=2)
    response = send_download(body.encode("utf-8"), f"anyam-my-data-{current_user.id}.json",
                             "application/json")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/people/<int:person_id>/erase", methods=["GET", "POST"])
@login_required
def erase(person_id: int):
    person = privacy.load_person(person_id)
    require(current_user, "person.erase", person)
    form = EraseForm()
    done = submit(form, lambda: privacy.erase_person(person, actor=current_user,
                                                     reason=form.reason.data),
                  then=url_for("core.index"), message=_("The person's data was erased."))
    return done or (render_template("privacy/erase.html", person=person, form=form,
                                    enrolments=privacy.enrolments_of(person)), form_status(form))


def _page_number() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and int(raw) > 0 else 1


@bp.route("/trainings/<int:training_id>/audit")
@login_required
def audit(training_id: int):
    training = load_training(training_id)
    require(current_user, "training.audit", training)
    page = entries(training.id, page=_page_number())
    return render_template("privacy/audit.html", training=training, page=page, label=label,
                           zone=current_user.timezone)


@bp.route("/trainings/<int:training_id>/retention", methods=["GET", "POST"])
@login_required
def retention(training_id: int):
    training = load_training(training_id)
    require(current_user, "training.retention", training)
    form = RetentionForm(obj=training)
    done = submit(form, lambda: privacy.set_retention(training, form.retention_months.data,
                                                      actor=current_user),
                  then=url_for(".retention", training_id=training.id),
                  message=_("Retention setting saved."))
    return done or (render_template("privacy/retention.html", training=training, form=form,
                                    preview=privacy.retention_preview(training)),
                    form_status(form))
