"""Accounts, login, API tokens.

The login id that the session and the "remember me" cookie carry is
``"<user id>:<session version>"`` (``User.get_id``); the user loader refuses an id whose
version is not the account's current one, so raising the version (logout, password change
or reset, "log out everywhere") ends every session and remember cookie of the account.
"""
from __future__ import annotations

import time

from flask import abort, flash, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user, user_loaded_from_cookie, user_logged_in

from ..extensions import db
from .loading import load_user
from .models import User
from .services import api_token_for

# Endpoints an admin without two-factor login may still reach when it is required.
TWO_FACTOR_SETUP_ENDPOINTS = frozenset({"auth.two_factor", "auth.logout", "static",
                                        "core.set_language"})
SEEN_EVERY = 60  # seconds: the idle clock in the session is refreshed at most this often


def accepts_token(view):
    """Mark a read-only download (a CSV/XLSX export, a calendar feed) as answering to
    ``Authorization: Bearer <API token>`` as well as to a session. Only GET and HEAD."""
    view.accepts_token = True
    return view


def clear_session_keeping_language() -> None:
    """A new, empty session (no fixation); the visitor's chosen language stays."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def user_for_login_id(login_id: str | None) -> User | None:
    user_id, sep, version = (login_id or "").partition(":")
    try:
        user = load_user(int(user_id)) if sep else None  # one SELECT (auth/loading.py)
    except (TypeError, ValueError):
        return None
    if user is None or str(user.session_version) != version:
        return None
    # a disabled (or erased) account's open sessions end at once
    return user if user.is_active else None


def init_auth(app, login_manager) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(user_for_login_id)

    @login_manager.request_loader
    def _load_from_bearer(req):
        view = app.view_functions.get(req.endpoint or "")
        if req.method not in ("GET", "HEAD") or not getattr(view, "accepts_token", False):
            return None
        scheme, _sp, token = req.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or req.environ.get("anyam.bearer_refused"):
            return None
        api_token = api_token_for(token.strip())
        if api_token is None:  # unknown, revoked or expired: 401, not a login page
            req.environ["anyam.bearer_refused"] = True  # the error page asks again
            abort(401)
        db.session.commit()  # records last_used_at
        return api_token.user

    @user_logged_in.connect_via(app, weak=False)
    def _logged_in(sender, user, **extra):
        """Every login_user() (login form, invitation link, re-login after a password
        change): the login's clock starts, unless this session's login is going on."""
        if "login_at" not in session:
            session["login_at"] = session["seen_at"] = time.time()
        session["kept"] = session.get("_remember") == "set" or bool(session.get("kept"))

    @user_loaded_from_cookie.connect_via(app, weak=False)
    def _restored_from_cookie(sender, user, **extra):
        session["login_at"] = session["seen_at"] = time.time()
        session["kept"] = True

    @app.before_request
    def _session_limits():
        """A login lasts PERMANENT_SESSION_LIFETIME at most, and ends after
        SESSION_IDLE_MINUTES without a request unless the person asked to be kept logged in."""
        state = session._get_current_object()  # one proxy look-up, not one per key
        if "_user_id" not in state:
            return None
        now = time.time()
        started, seen, kept = state.get("login_at"), state.get("seen_at"), state.get("kept")
        idle = int(app.config["SESSION_IDLE_MINUTES"]) * 60
        too_old = started is None or now - started > app.permanent_session_lifetime.total_seconds()
        if kept:
            too_old = False  # the remember cookie's own duration applies
        too_idle = bool(idle) and not kept and (seen is None or now - seen > idle)
        if too_old or too_idle:
            logout_user()
            clear_session_keeping_language()
            flash(_l("Your login has ended. Please log in again."), "info")
            return None
        if seen is None or now - seen > SEEN_EVERY:
            state["seen_at"] = now
        return None

    @app.before_request
    def _admins_set_up_two_factor():
        if not app.config["REQUIRE_2FA_FOR_ADMINS"] or request.blueprint == "api":
            return None
        if request.endpoint in TWO_FACTOR_SETUP_ENDPOINTS:
            return None
        if current_user.is_authenticated and current_user.is_admin \
                and not current_user.has_two_factor:
            return redirect(url_for("auth.two_factor"))
        return None
