"""Accounts, login, API tokens."""
from flask_babel import lazy_gettext as _l

from ..extensions import db
from .models import User


def init_auth(app, login_manager) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(user_id: str):
        try:
            user = db.session.get(User, int(user_id))
        except (TypeError, ValueError):
            return None
        # a disabled (or erased) account's open sessions end at once
        return user if user is not None and user.is_active else None
