"""Extension objects, created unbound and bound in ``create_app`` with ``init_app``."""
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mailman import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from .db import AnyamSession

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# AnyamSession: the read-only requests' engine (trainings/db.py, ``read_only``)
db = SQLAlchemy(model_class=Base, session_options={"class_": AnyamSession})
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
# Storage comes from RATELIMIT_STORAGE_URI: the database (anyam-db://, trainings/ratelimit.py)
# by default, redis:// when configured; shared by every worker either way.
class AnyamLimiter(Limiter):
    """Flask-Limiter, its check before every request skipped when it has nothing to check.

    That check applies application, default, blueprint and meta limits (routes' own limits
    are checked by their decorator); Anyam sets none, so it only resolved empty lists
    (~150 calls a request, every page). Any such limit, or an in-memory fallback, configured
    or added later makes it run again; an unknown Flask-Limiter layout too."""

    def _check_request_limit(self, callable_name=None, in_middleware=True):
        if in_middleware and self._nothing_before_requests():
            return None
        return super()._check_request_limit(callable_name=callable_name,
                                            in_middleware=in_middleware)

    def _nothing_before_requests(self) -> bool:
        try:
            manager = self.limit_manager
            return not (manager._application_limits or manager._default_limits
                        or manager._blueprint_limits or self._meta_limits
                        or self._in_memory_fallback_enabled)
        except AttributeError:
            return False


limiter = AnyamLimiter(key_func=get_remote_address, default_limits=[])
# SMTP delivery of the outbox (MAIL_* settings); used by the worker only.
mail = Mail()
