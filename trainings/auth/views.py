"""Login, logout, the profile (settings, password, API tokens)."""
from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import refresh as refresh_locale
from flask_login import current_user, login_required, login_user, logout_user

from ..extensions import db, limiter
from ..web import action, attempt, form_status, submit
from . import services
from .forms import EmptyForm, LoginForm, PasswordForm, ProfileForm, TokenForm

bp = Blueprint("auth", __name__)


def start_session(user, *, remember: bool) -> None:
    """A new session at login (no fixation); the chosen language stays."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    login_user(user, remember=remember)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            target = form.next.data if services.is_safe_next(form.next.data) else None
            start_session(user, remember=form.remember.data)
            db.session.commit()
            refresh_locale()  # the greeting in the person's own language, as the next page
            flash(_("Welcome, %(name)s.", name=user.name), "success")
            return redirect(target or url_for("core.index"))
        form.password.errors = [_("The email or the password is wrong.")]
    return render_template("auth/login.html", form=form), form_status(form)


@bp.route("/logout", methods=["POST"])
def logout():
    if EmptyForm().validate_on_submit():
        logout_user()
        session.clear()
        flash(_("You are logged out."), "info")
    return redirect(url_for("core.index"))


def render_profile(form=None, password_form=None, *, new_token=None, status=200):
    return render_template(
        "auth/profile.html", form=form or ProfileForm(obj=current_user, prefix="profile"),
        password_form=password_form or PasswordForm(prefix="password"),
        token_form=TokenForm(prefix="token"), revoke_form=EmptyForm(), new_token=new_token,
        tokens=[t for t in current_user.tokens if t.revoked_at is None]), status


def save_profile(form) -> None:
    services.update_profile(current_user, name=form.name.data, language=form.language.data,
                            timezone=form.timezone.data, actor=current_user)
    session["lang"] = form.language.data


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user, prefix="profile")
    password_form = PasswordForm(prefix="password")
    chosen, done = request.form.get("action") if request.method == "POST" else None, None
    if chosen == "profile":
        done = submit(form, lambda: save_profile(form), then=url_for("auth.profile"),
                      message=_("Your profile is saved."))
    elif chosen == "password":
        done = submit(password_form, lambda: services.change_password(
            current_user, current=password_form.current_password.data,
            new=password_form.new_password.data, actor=current_user),
            then=url_for("auth.profile"), message=_("Your password is changed."),
            field_map={"password": "new_password"})
    return done or render_profile(form, password_form, status=form_status(form, password_form))


@bp.route("/profile/tokens", methods=["POST"])
@login_required
def create_token():
    token_form = TokenForm(prefix="token")
    if not token_form.validate():
        flash(_("The token could not be created."), "error")
        return redirect(url_for("auth.profile"))
    ok, token = attempt(lambda: services.issue_token(current_user, token_form.name.data or ""))
    return render_profile(new_token=token) if ok else redirect(url_for("auth.profile"))


@bp.route("/profile/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id: int):
    services.own_token(current_user, token_id)  # someone else's token: 404
    return action(lambda: services.revoke_token(current_user, token_id),
                  then=url_for("auth.profile"), message=_("The token is revoked."))
