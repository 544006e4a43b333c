from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..errors import DomainError
from ..extensions import db, limiter
from . import services
from .forms import EmptyForm, LoginForm, PasswordForm, ProfileForm, TokenForm

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors = [_("The email or the password is wrong.")]
        else:
            target = form.next.data if services.is_safe_next(form.next.data) else None
            lang = session.get("lang")
            session.clear()  # a new session at login: no fixation
            if lang:
                session["lang"] = lang
            login_user(user, remember=form.remember.data)
            db.session.commit()
            flash(_("Welcome, %(name)s.", name=user.name), "success")
            return redirect(target or url_for("core.index"))
    status = 422 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout():
    form = EmptyForm()
    if form.validate_on_submit():
        logout_user()
        session.clear()
        flash(_("You are logged out."), "info")
    return redirect(url_for("core.index"))


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user, prefix="profile")
    password_form = PasswordForm(prefix="password")
    token_form = TokenForm(prefix="token")
    status = 200
    if request.method == "POST" and request.form.get("action") == "profile":
        if form.validate():
            current_user.name = form.name.data.strip()
            current_user.language = form.language.data
            current_user.timezone = form.timezone.data
            session["lang"] = form.language.data
            db.session.commit()
            flash(_("Your profile is saved."), "success")
            return redirect(url_for("auth.profile"))
        status = 422
    elif request.method == "POST" and request.form.get("action") == "password":
        if password_form.validate():
            if current_user.password_hash and not current_user.check_password(
                    password_form.current_password.data or ""):
                password_form.current_password.errors = [_("The current password is wrong.")]
                status = 422
            else:
                try:
                    services.set_password(current_user, password_form.new_password.data)
                except DomainError as error:
                    password_form.apply_error(error)
                    status = 422
                else:
                    db.session.commit()
                    flash(_("Your password is changed."), "success")
                    return redirect(url_for("auth.profile"))
        else:
            status = 422
    return render_template("auth/profile.html", form=form, password_form=password_form,
                           token_form=token_form, revoke_form=EmptyForm(), new_token=None,
                           tokens=[t for t in current_user.tokens if t.revoked_at is None]), status


@bp.route("/profile/tokens", methods=["POST"])
@login_required
def create_token():
    token_form = TokenForm(prefix="token")
    if not token_form.validate():
        flash(_("The token could not be created."), "error")
        return redirect(url_for("auth.profile"))
    token = services.issue_token(current_user, token_form.name.data or "")
    db.session.commit()
    return render_template("auth/profile.html", form=ProfileForm(obj=current_user, prefix="profile"),
                           password_form=PasswordForm(prefix="password"), token_form=TokenForm(prefix="token"),
                           revoke_form=EmptyForm(), new_token=token,
                           tokens=[t for t in current_user.tokens if t.revoked_at is None])


@bp.route("/profile/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id: int):
    form = EmptyForm()
    if form.validate_on_submit():
        services.revoke_token(current_user, token_id)
        db.session.commit()
        flash(_("The token is revoked."), "success")
    return redirect(url_for("auth.profile"))
