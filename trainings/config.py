"""Configuration defaults. Overridden by ``instance/config.py``, then ``ANYAM_*`` variables."""
from __future__ import annotations

from datetime import timedelta

# The areas that own a message catalog (``trainings/translations/<area>``).
TRANSLATION_AREAS = ("core", "scheduling", "enrolment", "attendance", "certificates", "modules")


class DefaultConfig:
    SECRET_KEY = None
    SQLALCHEMY_DATABASE_URI = None  # None: a SQLite file in the instance folder
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SQLALCHEMY_TRACK_MODIFICATIONS = False

    # Cookies and sessions
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False  # set True (ANYAM_SESSION_COOKIE_SECURE=true) behind https
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(days=14)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    WTF_CSRF_TIME_LIMIT = None  # token valid for the session's lifetime

    # Languages
    LANGUAGES = ("id", "en")
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    BABEL_TRANSLATION_DIRECTORIES = ";".join(f"translations/{a}" for a in TRANSLATION_AREAS)

    # Uploads and imports
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024

    # Rate limits (the verification page and login), shared by every worker: the database
    # (trainings/ratelimit.py) by default, Redis with ANYAM_RATELIMIT_STORAGE_URI=redis://...
    RATELIMIT_STORAGE_URI = "anyam-db://"
    RATELIMIT_HEADERS_ENABLED = True

    # Mail: an outbox table always; SMTP when MAIL_SERVER is set
    MAIL_SERVER = None
    MAIL_PORT = 587
    MAIL_USE_TLS = True
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_DEFAULT_SENDER = "Anyam <no-reply@anyam.local>"

    # Background jobs: in-process unless a Celery broker is configured
    CELERY_BROKER_URL = None

    # Public base URL for links in PDFs, mails and calendar feeds (None: from the request)
    PUBLIC_BASE_URL = None
