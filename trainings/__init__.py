"""Anyam: a training programme and cohort manager for civil-society networks."""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, request

from .config import DefaultConfig

ROOT = Path(__file__).resolve().parent.parent
#: Added to every response that does not set them itself.
SECURITY_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Content-Security-Policy",
     "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
     "frame-ancestors 'none'; form-action 'self'"),
)
INSECURE_KEYS = {None, "", "dev", "change-me", "secret"}


class AnyamFlask(Flask):
    """Flask, answering ``ensure_sync`` from a dictionary: Flask asks it for every hook,
    view and teardown of every request (~20 a page), and each answer inspected the function
    (``inspect.iscoroutinefunction``). Only plain functions are kept (their answer is the
    function itself); the keys are the app's registered callables, a fixed set."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._sync_functions: dict = {}

    def ensure_sync(self, func):
        kept = self._sync_functions
        try:
            if func in kept:
                return func
        except TypeError:  # unhashable: asked as Flask asks
            return super().ensure_sync(func)
        answer = super().ensure_sync(func)
        if answer is func and len(kept) < 4096:
            kept[func] = True
        return answer


def create_app(test_config: dict | None = None) -> Flask:
    """Application factory: defaults, then instance/config.py, then ANYAM_* variables."""
    app = AnyamFlask(
        __name__,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        instance_path=(test_config or {}).get("INSTANCE_PATH")
        or os.environ.get("ANYAM_INSTANCE_PATH") or str(ROOT / "instance"),
    )
    app.config.from_object(DefaultConfig)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("ANYAM")
    else:
        app.config.from_mapping(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + str(
            Path(app.instance_path) / "anyam.sqlite")
    _check_secret_key(app)
    _trusted_hosts(app)
    if int(app.config["PROXY_HOPS"]):
        from werkzeug.middleware.proxy_fix import ProxyFix
        hops = int(app.config["PROXY_HOPS"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    if str(app.config.get("PUBLIC_BASE_URL") or "").startswith("https://"):
        # Served over https: cookies travel only over https.
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True

    from .web import KeptSerializerSessionInterface
    app.session_interface = KeptSerializerSessionInterface()  # the same signed cookie

    from . import db as _db  # noqa: F401  (registers the SQLite pragmas)
    from . import (
        models,  # noqa: F401  (every table, for Alembic and relationships)
        rules,  # noqa: F401  (every area's policy rules)
    )
    from .errors import register_error_handlers
    from .extensions import babel, csrf, db, limiter, login_manager, mail, migrate
    from .i18n import init_i18n

    db.init_app(app)
    # read-only views' requests (db.read_only): before any other hook that may read. A pooled
    # connection the server closed is replaced at checkout (db._replace_closed_connection).
    _db.init_read_only(app, db)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True,
                     compare_type=True)
    csrf.init_app(app)
    limiter.init_app(app)
    mail.init_app(app)
    init_i18n(app, babel)
    from .web import LayoutFragments, csrf_token, id_url, static_url
    app.jinja_env.globals["layout_csrf_token"] = csrf_token  # Flask-WTF's token, kept signer
    app.jinja_env.globals["id_url"] = id_url  # url_for of a per-row link, built once
    app.jinja_env.globals["static_url"] = static_url  # the same for the layout's files
    app.jinja_env.add_extension(LayoutFragments)  # {% fragment %}: layout parts rendered once

    from .auth import init_auth
    init_auth(app, login_manager)
    from .api import bp as api_bp
    from .api import docs_bp as api_docs_bp
    from .attendance.views import bp as attendance_bp
    from .auth.user_views import bp as users_bp
    from .auth.views import bp as auth_bp
    from .certificates.views import bp as certificates_bp
    from .core import bp as core_bp
    from .enrolment import scheduling_hooks  # noqa: F401 - receivers of scheduling's signals
    from .enrolment.views import bp as enrolment_bp
    from .evaluation.views import bp as evaluation_bp
    from .modules import scheduling_hooks as _module_hooks  # noqa: F401 - the modules a session uses
    from .modules.views import bp as modules_bp
    from .notifications.views import bp as notifications_bp
    from .organisations.views import bp as organisations_bp
    from .outbox import accounts as _account_mail  # noqa: F401  (the reset-link mail)
    from .overview.privacy_views import bp as privacy_bp
    from .overview.views import bp as overview_bp
    from .printing.views import bp as printing_bp
    from .programmes import hooks as _programme_hooks  # noqa: F401 - answers scheduling's signals
    from .scheduling.views import bp as scheduling_bp

    for blueprint in (core_bp, auth_bp, scheduling_bp, enrolment_bp, attendance_bp,
                      certificates_bp, modules_bp, organisations_bp, overview_bp,
                      evaluation_bp, users_bp, notifications_bp, privacy_bp, printing_bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    app.register_blueprint(api_docs_bp)  # /api/docs: the OpenAPI document for people
    csrf.exempt(api_bp)  # token-authenticated, never cookie-authenticated

    register_error_handlers(app)

    from .cli import register_cli
    register_cli(app)

    @app.after_request
    def _security_headers(response):
        headers = response.headers
        present = {name.lower() for name in headers.keys()}  # one pass, not one per header
        for name, value in SECURITY_HEADERS:
            if name.lower() not in present:
                headers.add(name, value)
        if "strict-transport-security" not in present and (
                request.is_secure or str(app.config["PUBLIC_BASE_URL"] or "").startswith("https://")):
            headers.add("Strict-Transport-Security", f"max-age={int(app.config['HSTS_MAX_AGE'])}")
        return response

    from .logs import mask_secrets_in_access_logs
    mask_secrets_in_access_logs()

    return app


LOCAL_HOSTS = ["localhost", "127.0.0.1", "::1", "[::1]"]


def _trusted_hosts(app: Flask) -> None:
    """Flask answers 400 to a ``Host`` header outside ``TRUSTED_HOSTS``. Links leaving a
    request use ``PUBLIC_BASE_URL``; without it they use the request's host, so then only
    the listed hosts (by default this machine's own names) are served at all."""
    hosts = app.config["TRUSTED_HOSTS"]
    if isinstance(hosts, str):
        hosts = [h.strip() for h in hosts.split(",") if h.strip()]
    if not hosts and not app.config["PUBLIC_BASE_URL"]:
        hosts = LOCAL_HOSTS
    app.config["TRUSTED_HOSTS"] = list(hosts) if hosts else None


def _check_secret_key(app: Flask) -> None:
    if app.testing or app.debug:
        if not app.config.get("SECRET_KEY"):
            app.config["SECRET_KEY"] = "insecure-development-key"  # noqa: S105 - debug and tests only
        return
    if app.config.get("SECRET_KEY") in INSECURE_KEYS or len(str(app.config["SECRET_KEY"])) < 16:
        raise RuntimeError(
            "Anyam refuses to start without a real SECRET_KEY. Run `make run` once (it writes "
            "one into instance/config.py) or set ANYAM_SECRET_KEY.")
