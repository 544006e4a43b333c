"""Pages for administrators: the accounts of this Anyam (``/admin/users``)."""
from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import BooleanField, EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from ..forms import LANGUAGE_CHOICES, BaseForm, TimezoneField
from ..web import form_status, submit
from . import users
from .models import ROLES

bp = Blueprint("users", __name__)

ROLE_LABELS = {"admin": _l("Administrator"), "organiser": _l("Organiser"),
               "facilitator": _l("Facilitator"), "participant": _l("Participant")}


class UserForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    role = SelectField(_l("Role"), choices=[(r, ROLE_LABELS[r]) for r in ROLES], default="participant")
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES, default="id")
    timezone = TimezoneField(_l("Time zone"), default="Asia/Jakarta")


class AccountForm(BaseForm):
    role = SelectField(_l("Role"), choices=[(r, ROLE_LABELS[r]) for r in ROLES])
    is_active = BooleanField(_l("The account is active (the person can log in)"))


def _add_user(form):
    return users.add_user(actor=current_user, email=form.email.data, name=form.name.data,
                          role=form.role.data, language=form.language.data,
                          timezone=form.timezone.data)


def _created(user) -> str:
    return _("The account of %(name)s is created. They set their password "
             "with “Forgot your password?” on the login page.", name=user.name)


@bp.route("/admin/users", methods=["GET", "POST"])
@login_required
def index():
    form = UserForm()
    search, role = request.args.get("q", "").strip()[:200], request.args.get("role") or None
    people = users.list_users(actor=current_user, search=search,
                              role=role if role in ROLES else None)
    done = submit(form, lambda: _add_user(form), then=url_for(".index"), message=_created)
    return done or (render_template("users/index.html", form=form,
                                    people=people[:users.PAGE_SIZE * 10], search=search,
                                    role=role, role_labels=ROLE_LABELS), form_status(form))


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@login_required
def edit(user_id: int):
    person = users.get_user(user_id, actor=current_user)
    form = AccountForm(obj=person, is_active=person.is_active_account)
    done = submit(form, lambda: users.update_user(person, actor=current_user, role=form.role.data,
                                                  is_active=form.is_active.data),
                  then=url_for(".index"), message=_("The account is saved."))
    return done or (render_template("users/edit.html", form=form, person=person,
                                    role_labels=ROLE_LABELS), form_status(form))
