"""The participant's own enrolment and the invitation to set a password."""
from __future__ import annotations

from flask import (
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import refresh as refresh_locale
from flask_login import current_user, login_required, login_user

from ...errors import NotFound
from ...extensions import limiter
from ...policy import require
from ...web import (
    EmptyForm,
    action,
    form_status,
    submit,
)
from .. import services
from ..forms import (
    InvitationForm,
)
from .base import bp, load_training

# --------------------------------------------------------------------------- participants

@bp.route("/trainings/<int:training_id>/my-enrolment", methods=["GET", "POST"])
@login_required
def my_enrolment(training_id: int):
    training = load_training(training_id)
    enrolment = _own_enrolment(training)
    require(current_user, "enrolment.view", enrolment)
    if request.method == "POST":
        return action(lambda: services.withdraw_own(enrolment, actor=current_user),
                      then=url_for("enrolment.my_enrolment", training_id=training.id),
                      message=_("Your enrolment is withdrawn. Thank you for letting us know."))
    return render_template("enrolment/mine.html", training=training, enrolment=enrolment,
                           form=EmptyForm())


def _own_enrolment(training):
    """The signed-in person's enrolment in ``training``; 404 when there is none."""
    enrolment = services.own_enrolment(training, current_user)
    if enrolment is None:
        raise NotFound()
    return enrolment


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def invitation(token: str):
    found = services.invitation_for_token(token)
    if found is None:
        return render_template("enrolment/invitation_invalid.html"), 404
    _adopt_language(found.user)
    form = InvitationForm()
    done = submit(form, lambda: _log_in(services.accept_invitation(token, form.password.data)),
                  then=url_for("core.index"),
                  message=lambda user: _("Your password is set. Welcome, %(name)s.", name=user.name))
    return done or _invitation_page(form, found.user)


def _adopt_language(user) -> None:
    """Without a chosen language, the page speaks the one the person chose when applying."""
    if session.get("lang") not in ("id", "en") and user.language in ("id", "en"):
        session["lang"] = user.language
        refresh_locale()


def _invitation_page(form, user):
    """The set-password page; the link's token stays out of referrers and caches."""
    return (render_template("enrolment/invitation.html", form=form, user=user),
            form_status(form), {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"})


def _log_in(user):
    """A fresh session (keeping the chosen language) for the person who set a password."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    login_user(user)
    return user

