"""Configuration defaults. Overridden by ``instance/config.py``, then ``ANYAM_*`` variables."""
from __future__ import annotations

from datetime import timedelta

# The areas that own a message catalog (``trainings/translations/<area>``).
TRANSLATION_AREAS = ("core", "organisations", "scheduling", "programmes", "enrolment", "attendance",
                     "evaluation", "certificates", "printing", "modules", "overview", "api",
                     "notifications", "audit")


class DefaultConfig:
    """Every setting the code reads, declared once (``tests/test_settings.py`` checks it)."""

    SECRET_KEY = None  # required: instance/config.py or ANYAM_SECRET_KEY (start-up refuses None)
    # Former keys still accepted for session cookies after a key change (Flask's own setting;
    # cookies are signed with SECRET_KEY): a list, e.g. ANYAM_SECRET_KEY_FALLBACKS='["old"]'.
    SECRET_KEY_FALLBACKS = None

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
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)  # a login ends this long after it began
    SESSION_IDLE_MINUTES = 120  # a session not kept is ended after this idle time; 0: never
    WTF_CSRF_TIME_LIMIT = None  # token valid for the session's lifetime
    WTF_CSRF_FIELD_NAME = "csrf_token"  # Flask-WTF's form field and session key of the token

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

    # Mail: an outbox table always; the worker delivers it over SMTP (Flask-Mailman) when
    # MAIL_SERVER is set. Without it no page claims that mail was sent.
    MAIL_SERVER = None
    MAIL_BACKEND = "smtp"  # Flask-Mailman's backend (its default under TESTING is "locmem")
    MAIL_PORT = 587
    MAIL_USE_TLS = True  # STARTTLS
    MAIL_USE_SSL = False  # SMTPS (port 465); not together with MAIL_USE_TLS
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_TIMEOUT = 30  # seconds for one SMTP conversation
    MAIL_DEFAULT_SENDER = "Anyam <no-reply@anyam.local>"
    MAIL_MAX_ATTEMPTS = 6  # tries before a message is "failed" (a 5xx refusal fails at once)
    MAIL_RETRY_BASE = 60  # seconds before the first retry; doubled after each failure
    MAIL_BATCH = 100  # messages one delivery round sends

    # Background work: web requests only queue; `flask --app wsgi worker` (or Celery on a
    # broker) runs jobs, mail delivery, reminders and follow-ups.
    CELERY_BROKER_URL = None  # e.g. redis://127.0.0.1:6379/0 (ANYAM_CELERY_BROKER_URL)
    CELERY_QUEUE = "anyam"  # the queue of this installation's tasks (several may share Redis)
    JOBS_MODE = None  # "worker" | "celery" | "inline" | "thread" (development only); None:
    #                   celery with a broker, inline under TESTING, else worker
    JOBS_HEARTBEAT = 10  # seconds between a running job's heartbeats
    JOBS_STALE_AFTER = 60  # seconds without a heartbeat after which a job is "stalled"
    JOBS_SQLITE_CACHE_KIB = 256  # SQLite page cache per connection while a job runs (a job
    #                   reads rows about once; the OS caches the file); None: SQLite's 2 MiB
    WORKER_POLL = 1.0  # seconds the worker sleeps when there is nothing to do
    WORKER_TICK = 30  # seconds between Celery beat's rounds of periodic tasks

    # Accounts (docs/accounts.md)
    LOGIN_LOCKOUT_THRESHOLD = 10  # failed logins in a row that lock an account
    LOGIN_LOCKOUT_MINUTES = 15  # how long the lockout lasts (a reset link still works)
    # "redis://host:6379/0": failed-login counts and lockouts kept in Redis (needs the redis
    # package, extra "jobs"); None: in the database (users.failed_logins, users.locked_until)
    LOGIN_LOCKOUT_REDIS_URL = None
    LOGIN_RATE_LIMIT = "20/minute"  # per client address, login and forgotten-password forms
    PASSWORD_RESET_MINUTES = 60  # a forgotten-password link is valid this long
    REQUIRE_2FA_FOR_ADMINS = False  # admins must set up two-factor login before anything else
    API_TOKEN_DAYS = 90  # default validity of a new API token (0: until revoked)
    PROXY_HOPS = 0  # reverse proxies in front (X-Forwarded-For/-Proto/-Host trusted); 0: none
    HSTS_MAX_AGE = 31536000  # Strict-Transport-Security max-age when served over https
    DB_RETRY_AFTER = 30  # seconds in the Retry-After of a 503 while the database is away

    # Passwords: werkzeug's method string (the tests use a cheap "pbkdf2:sha256:1")
    PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 - a method name, not a password

    # Enrolment
    ENROLMENT_IMPORT_MAX_ROWS = 5000  # rows accepted in one CSV/XLSX import
    INVITATION_DAYS = 14  # days an account invitation (set-your-password link) stays valid

    # Attendance: days an applied meeting-report import can be undone; then it is deleted (its
    # rows name attendees) unless unmatched rows still wait for someone to resolve them
    ATTENDANCE_IMPORT_UNDO_DAYS = 14

    # Training pages: the sessions tables, the facts and the sub-navigation; the certificate
    # verification pages' content; My schedule's content (per person): kept for the viewers
    # who see the same one (trainings/scheduling/page.py), per process and kind up to this
    # many characters; 0: none kept
    TRAINING_PAGE_FRAGMENTS_CHARS = 4_000_000
    # Whole pages (the training page, My schedule, verification) kept per viewer until the
    # data changes or their next moment, at most this many seconds (trainings/pagecache.py),
    # per process up to this many characters; 0: none kept
    PAGE_CACHE_SECONDS = 60
    PAGE_CACHE_CHARS = 8_000_000

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

    # Links in mails, PDFs and calendar feeds: PUBLIC_BASE_URL (e.g. https://anyam.example.org);
    # without it the request's host, which must be one of TRUSTED_HOSTS (others: 400).
    PUBLIC_BASE_URL = None
    TRUSTED_HOSTS = None  # list, or "a.org,b.org"; None: localhost only unless PUBLIC_BASE_URL

