"""Accounts services by topic: accounts and profiles, passwords, login and sessions, API tokens,
two-factor login. Every public name is re-exported here."""
from .accounts import (  # noqa: F401
    create_user,
    get_user_by_email,
    is_safe_next,
    normalise_email,
    set_language,
    update_profile,
)
from .login import (  # noqa: F401
    authenticate,
    end_all_sessions,
    is_locked,
    record_failed_login,
    record_login,
)
from .passwords import (  # noqa: F401
    MIN_PASSWORD_LENGTH,
    change_password,
    check_strength,
    request_password_reset,
    reset_for_token,
    reset_password,
    set_password,
)
from .tokens import (  # noqa: F401
    READ_ONLY_TOKEN,
    TOKEN_PREFIX,
    TOKEN_TOUCH_EVERY,
    TWO_FACTOR_REQUIRED,
    allows,
    api_token_for,
    calendar_feed_token,
    digest,
    issue_calendar_token,
    issue_token,
    own_token,
    revoke_calendar_token,
    revoke_token,
    user_for_calendar_token,
    user_for_token,
)
from .two_factor import (  # noqa: F401
    confirm_two_factor,
    disable_two_factor,
    new_totp_secret,
    open_secret,
    provisioning_qr,
    reset_two_factor,
    seal_secret,
    verify_second_factor,
)
