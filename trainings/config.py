"""Configuration defaults. Overridden by ``instance/config.py``, then ``ANYAM_*`` variables."""
from __future__ import annotations

from datetime import timedelta

# The areas that own a message catalog (``trainings/translations/<area>``).
TRANSLATION_AREAS = ("core", "organisations", "scheduling", "programmes", "enrolment", "attendance",
                     "evaluation", "certificates", "printing", "modules", "overview", "api")


class DefaultConfig:
    """Every setting the code reads, declared once (``tests/test_settings.py`` checks it)."""

    SECRET_KEY = None  # required: instance/config.py or ANYAM_SECRET_KEY (start-up refuses None)

    # Database
    SQLALCHEMY_DATABASE_URI = None  # None: a SQLite file in the instance folder
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}  # passed to create_engine (pool sizes on PostgreSQL)
    SQLALCHEMY_TRACK_MODIFICATIONS = False  # Flask-SQLAlchemy's event system, unused

    # Cookies and sessions
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False  # set True (ANYAM_SESSION_COOKIE_SECURE=true) behind https
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False  # set True with SESSION_COOKIE_SECURE (automatic for https)
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
    JOBS_MODE = None  # "inline" | "thread" | "celery"; None: celery with a broker, else thread
    JOBS_STALE_AFTER = 900  # seconds without progress after which a running job is abandoned

    # Passwords: werkzeug's method string (the tests use a cheap "pbkdf2:sha256:1")
    PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 - a method name, not a password

    # Enrolment
    ENROLMENT_IMPORT_MAX_ROWS = 5000  # rows accepted in one CSV/XLSX import
    INVITATION_DAYS = 14  # days an account invitation (set-your-password link) stays valid

    # Certificates
    CERTIFICATE_ISSUER_NAME = None  # Open Badges issuer name; None: "Anyam"
    CERTIFICATE_VERIFY_RATE_LIMIT = "30/minute"  # per client, public verification page and API
    CERTIFICATES_PDF_WORKERS = 2  # processes rendering a batch of certificate PDFs
    CERTIFICATES_PRERENDER = True  # render every PDF when a batch is issued (else on download)

    # Modules
    MODULES_DIR = None  # shipped module sources; None: modules/ in the project
    MODULES_UPLOAD_DIR = None  # uploaded modules; None: <instance>/modules
    MODULES_CACHE_DIR = None  # built PDFs; None: <instance>/cache/modules
    MODULES_MAX_FILES = 300  # files in one uploaded module ZIP
    MODULES_MAX_FILE_BYTES = 10 * 1024 * 1024  # one file, uncompressed
    MODULES_MAX_TOTAL_BYTES = 40 * 1024 * 1024  # the whole ZIP, uncompressed

    # PDFs: extra folders the restricted URL fetcher may read, {"name": "/path"}
    PDF_ASSET_ROOTS: dict = {}

    # Public base URL for links in PDFs, mails and calendar feeds (None: from the request)
    PUBLIC_BASE_URL = None

    # Programme dashboards: seconds a process keeps computed figures (None: 60, and 0 under
    # tests; 0: always computed)
    DASHBOARD_CACHE_SECONDS = None
