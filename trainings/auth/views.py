"""Login (with the two-factor step), logout, forgotten passwords, the profile (settings,
password, sessions, two-factor login, API tokens)."""
from __future__ import annotations

import time

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
from flask_babel import refresh as refresh_locale
from flask_login import current_user, login_required, login_user, logout_user

from ..extensions import db, limiter
from ..web import action, attempt, form_status, submit
from . import clear_session_keeping_language, services
from .forms import (
    CodeForm,
    EmptyForm,
    ForgotPasswordForm,
    LoginForm,
    PasswordCheckForm,
    PasswordForm,
    ProfileForm,
    ResetPasswordForm,
    TokenScopeForm,
    TwoFactorConfirmForm,
)
from .models import User
from .services.login import LockedOut

bp = Blueprint("auth", __name__)

# Pages that show a secret (a reset link's token in the URL, a new API token, a TOTP key,
# recovery codes): kept by no cache and sent as no referrer.
SECRET_PAGE_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}

PENDING_LOGIN_SECONDS = 300  # time to enter the second factor after the password


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def start_session(user, *, remember: bool) -> None:
    """A new session at login (no fixation); the chosen language stays."""
    clear_session_keeping_language()
    login_user(user, remember=remember)  # auth.init_auth starts the login's clock


def keep_this_session(user) -> None:
    """After the account's session version moved (password change, log out elsewhere):
    this session and its remember cookie carry the new id, every other one is refused."""
    login_user(user, remember=bool(session.get("kept")))


def _finish_login(user, *, remember: bool, target: str | None):
    start_session(user, remember=remember)
    services.record_login(user)
    db.session.commit()
    refresh_locale()  # the greeting in the person's own language, as the next page
    flash(_("Welcome, %(name)s.", name=user.name), "success")
    return redirect(target or url_for("core.index"))


def locked_message() -> str:
    return _("Too many failed attempts: this account is locked for a few minutes. Try again "
             "later, or set a new password with “Forgot your password?”.")


def _check_password(form) -> User | None:
    """The password step: the user, or None with the reason on the password field."""
    try:
        user = services.authenticate(form.email.data, form.password.data)
    except LockedOut:
        user = None
        form.password.errors = [locked_message()]
    else:
        if user is None:
            form.password.errors = [_("The email or the password is wrong.")]
    db.session.commit()  # the failed-login count
    return user


def _await_second_factor(user, *, remember: bool, target: str | None):
    clear_session_keeping_language()
    session["pending_login"] = {"user": user.id, "version": user.session_version,
                                "remember": remember, "next": target, "at": time.time()}
    return redirect(url_for("auth.login_code"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    user = _check_password(form) if form.validate_on_submit() else None
    if user is None:
        return render_template("auth/login.html", form=form), form_status(form)
    target = form.next.data if services.is_safe_next(form.next.data) else None
    if user.has_two_factor:
        return _await_second_factor(user, remember=bool(form.remember.data), target=target)
    return _finish_login(user, remember=form.remember.data, target=target)


def _pending_user() -> User | None:
    pending = session.get("pending_login") or {}
    if not pending or time.time() - pending.get("at", 0) > PENDING_LOGIN_SECONDS:
        return None
    user = db.session.get(User, pending.get("user"))
    if user is None or not user.is_active or user.session_version != pending.get("version"):
        return None
    return user


def _restart_login(message: str, category: str):
    session.pop("pending_login", None)
    flash(message, category)
    return redirect(url_for("auth.login"))


def _second_factor(user, form):
    """A submitted code: the login finished, back to the login when locked, or None with
    the error on the code field."""
    if services.is_locked(user):
        db.session.commit()
        return _restart_login(locked_message(), "error")
    if services.verify_second_factor(user, form.code.data):
        pending = session.pop("pending_login")
        return _finish_login(user, remember=pending["remember"], target=pending["next"])
    services.record_failed_login(user)
    db.session.commit()
    form.code.errors = [_("The code is wrong or was used already.")]
    return None


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login_code():
    """The second step of a two-factor login."""
    user = _pending_user()
    if user is None:
        return _restart_login(_("Please log in again."), "info")
    form = CodeForm()
    done = _second_factor(user, form) if form.validate_on_submit() else None
    return done or (render_template("auth/login_code.html", form=form), form_status(form))


@bp.route("/logout", methods=["POST"])
def logout():
    if EmptyForm().validate_on_submit():
        if current_user.is_authenticated:
            services.end_all_sessions(current_user, actor=current_user)
            db.session.commit()
        logout_user()
        session.clear()
        flash(_("You are logged out."), "info")
    return redirect(url_for("core.index"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def forgot_password():
    """Always the same answer, whether the address is known or not."""
    form = ForgotPasswordForm()
    sent = False
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        db.session.commit()
        sent = True
    return render_template("auth/forgot.html", form=form, sent=sent), form_status(form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def reset_password(token: str):
    if services.reset_for_token(token) is None:
        return render_template("auth/reset_invalid.html"), 404, SECRET_PAGE_HEADERS
    form = ResetPasswordForm()
    done = submit(form, lambda: services.reset_password(token, form.new_password.data),
                  then=url_for("auth.login"),
                  message=_("Your new password is set. Log in with it."),
                  field_map={"password": "new_password"})
    return done or (render_template("auth/reset.html", form=form), form_status(form),
                    SECRET_PAGE_HEADERS)


def render_profile(form=None, password_form=None, *, new_token=None, status=200):
    return render_template(
        "auth/profile.html", form=form or ProfileForm(obj=current_user, prefix="profile"),
        password_form=password_form or PasswordForm(prefix="password"),
        token_form=TokenScopeForm(prefix="token"), revoke_form=EmptyForm(), new_token=new_token,
        tokens=[t for t in current_user.tokens if t.revoked_at is None]), status, (
        SECRET_PAGE_HEADERS if new_token else {})


def save_profile(form) -> None:
    services.update_profile(current_user, name=form.name.data, language=form.language.data,
                            timezone=form.timezone.data, actor=current_user)
    session["lang"] = form.language.data


def change_password(form) -> None:
    services.change_password(current_user, current=form.current_password.data,
                             new=form.new_password.data, actor=current_user)
    keep_this_session(current_user)


def _save_chosen(chosen, form, password_form):
    if chosen == "profile":
        return submit(form, lambda: save_profile(form), then=url_for("auth.profile"),
                      message=_("Your profile is saved."))
    if chosen == "password":
        return submit(password_form, lambda: change_password(password_form),
                      then=url_for("auth.profile"),
                      message=_("Your password is changed. Every other session is logged out."),
                      field_map={"password": "new_password"})
    return None


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user, prefix="profile")
    password_form = PasswordForm(prefix="password")
    chosen = request.form.get("action") if request.method == "POST" else None
    done = _save_chosen(chosen, form, password_form)
    return done or render_profile(form, password_form, status=form_status(form, password_form))


def _end_other_sessions() -> None:
    services.end_all_sessions(current_user, actor=current_user)
    keep_this_session(current_user)


@bp.route("/profile/sessions/end", methods=["POST"])
@login_required
def end_other_sessions():
    return action(_end_other_sessions, then=url_for("auth.profile"),
                  message=_("You are logged out on every other device."))


@bp.route("/profile/tokens", methods=["POST"])
@login_required
def create_token():
    token_form = TokenScopeForm(prefix="token")
    if not token_form.validate():
        flash(_("The token could not be created."), "error")
        return redirect(url_for("auth.profile"))
    ok, token = attempt(lambda: services.issue_token(
        current_user, token_form.name.data or "", scope=token_form.scope.data,
        expires_days=token_form.expires_days.data, actor=current_user))
    return render_profile(new_token=token) if ok else redirect(url_for("auth.profile"))


@bp.route("/profile/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id: int):
    services.own_token(current_user, token_id)  # someone else's token: 404
    return action(lambda: services.revoke_token(current_user, token_id, actor=current_user),
                  then=url_for("auth.profile"), message=_("The token is revoked."))


def _render_two_factor(*, check_form=None, confirm_form=None, qr=None, secret=None,
                       codes=None, status=200):
    return render_template(
        "auth/two_factor.html", check_form=check_form or PasswordCheckForm(prefix="check"),
        confirm_form=confirm_form or TwoFactorConfirmForm(prefix="confirm"), qr=qr,
        secret=secret, codes=codes,
        required=current_app.config["REQUIRE_2FA_FOR_ADMINS"] and current_user.is_admin), status, \
        SECRET_PAGE_HEADERS


def _disable_two_factor(check_form):
    return submit(check_form, lambda: services.disable_two_factor(
        current_user, password=check_form.password.data, actor=current_user),
        then=url_for("auth.profile"), message=_("Two-factor login is off."), validate=False)


def _start_two_factor(check_form):
    if not current_user.check_password(check_form.password.data or ""):
        check_form.password.errors = [_("The password is wrong.")]
        return None
    secret = services.new_totp_secret()
    session["totp_pending"] = services.seal_secret(secret)  # the cookie is only signed
    return _render_two_factor(qr=services.provisioning_qr(current_user, secret), secret=secret)


def _confirm_two_factor():
    """The code from the app for the pending secret: the recovery codes, or the QR again
    with the error (None when no secret is pending)."""
    confirm_form = TwoFactorConfirmForm(prefix="confirm")
    secret = services.open_secret(session.get("totp_pending"))
    if secret and confirm_form.validate_on_submit():
        ok, codes = attempt(lambda: services.confirm_two_factor(
            current_user, secret, confirm_form.code.data, actor=current_user),
            form=confirm_form)
        if ok:
            session.pop("totp_pending", None)
            return _render_two_factor(codes=codes)
    if secret:
        return _render_two_factor(confirm_form=confirm_form, secret=secret, status=422,
                                  qr=services.provisioning_qr(current_user, secret))
    return None


_TWO_FACTOR_STEPS = {"start": _start_two_factor, "disable": _disable_two_factor}


@bp.route("/profile/two-factor", methods=["GET", "POST"])
@login_required
def two_factor():
    """Set up (password, then a code from the app) or turn off two-factor login (staff)."""
    if not current_user.is_staff:
        return redirect(url_for("auth.profile"))
    chosen = request.form.get("action") if request.method == "POST" else None
    check_form = PasswordCheckForm(prefix="check")
    done = None
    if chosen in _TWO_FACTOR_STEPS and check_form.validate_on_submit():
        done = _TWO_FACTOR_STEPS[chosen](check_form)
    elif chosen == "confirm":
        done = _confirm_two_factor()
    return done or _render_two_factor(check_form=check_form, status=form_status(check_form))
