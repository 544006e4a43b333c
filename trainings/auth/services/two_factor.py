"""Two-factor login with a time-based one-time password (TOTP, RFC 6238) for staff.

Set-up: a new secret (kept by the caller until confirmed), shown as a QR code; the first
valid code confirms it and gives ten one-time recovery codes (digests stored). A code is
accepted once: the time step it belongs to is remembered. The secret is stored encrypted
(Fernet, with a key derived from SECRET_KEY), so a copy of the database alone does not
give the codes.
"""
from __future__ import annotations

import base64
import secrets
import time
from typing import TYPE_CHECKING

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, select

from ...db import utcnow
from ...errors import ValidationError
from ...extensions import db
from ..models import RecoveryCode, User
from .tokens import digest

if TYPE_CHECKING:
    from cryptography.fernet import Fernet

ISSUER = "Anyam"
RECOVERY_CODES = 10
STEP = 30  # seconds of one TOTP time step


def _fernet() -> Fernet:
    from cryptography.fernet import Fernet  # imported on first use (start-up memory)
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
               info=b"anyam totp secret").derive(str(current_app.config["SECRET_KEY"]).encode())
    return Fernet(base64.urlsafe_b64encode(key))


def _seal(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def seal_secret(secret: str) -> str:
    """The secret encrypted, for keeping it between the set-up steps (in the session)."""
    return _seal(secret)


def open_secret(sealed: str | None) -> str | None:
    from cryptography.fernet import InvalidToken
    try:
        return _fernet().decrypt(sealed.encode()).decode() if sealed else None
    except InvalidToken:
        return None


def stored_secret(user: User) -> str | None:
    """The account's TOTP secret in clear; None without one, or when SECRET_KEY changed
    since it was set up (then only a recovery code or ``users reset-2fa`` helps)."""
    return open_secret(user.totp_secret)


def new_totp_secret() -> str:
    import pyotp
    return pyotp.random_base32()


def provisioning_qr(user: User, secret: str) -> str:
    """The otpauth:// URI as a QR code, an SVG data URI (the CSP allows img-src data:)."""
    import pyotp
    import segno
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    svg = segno.make(uri, error="m").svg_inline(scale=5, title=_("QR code for your authenticator app"))
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _matching_step(secret: str, code: str, after: int | None) -> int | None:
    """The time step (now, or one before or after) whose code this is, if not used yet."""
    code = "".join((code or "").split())
    if not code.isdigit() or len(code) != 6:
        return None
    import pyotp
    totp, now = pyotp.TOTP(secret), int(time.time()) // STEP
    for step in (now - 1, now, now + 1):
        if (after is None or step > after) and secrets.compare_digest(totp.at(step * STEP), code):
            return step
    return None


def _normal_recovery(code: str) -> str:
    return "".join((code or "").split()).replace("-", "").lower()


def confirm_two_factor(user: User, secret: str, code: str | None, *, actor=None) -> list[str]:
    """Turn two-factor login on with ``secret`` after a valid ``code`` from the app.
    Returns the recovery codes (plain, shown once)."""
    if not secret or (step := _matching_step(secret, code or "", None)) is None:
        raise ValidationError(_("The code is wrong or too old. Enter the code your app shows now."),
                              field="code", code="invalid_code")
    user.totp_secret, user.totp_last_step = _seal(secret), step
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [secrets.token_hex(5) for _n in range(RECOVERY_CODES)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=digest(_normal_recovery(c)))
                       for c in codes)
    db.session.flush()
    return [f"{c[:5]}-{c[5:]}" for c in codes]


def disable_two_factor(user: User, *, password: str | None, actor=None) -> None:
    """Turn two-factor login off, after the account's password."""
    if not user.check_password(password or ""):
        raise ValidationError(_("The password is wrong."), field="password")
    user.totp_secret, user.totp_last_step = None, None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.flush()


def reset_two_factor(user: User, *, actor=None) -> None:
    """Turn two-factor login off without the password (an administrator's CLI, for a person
    who lost both the phone and the recovery codes)."""
    # Audit (issue 12 part B): a staff change of someone else's account; record it here.
    user.totp_secret, user.totp_last_step = None, None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.flush()


def verify_second_factor(user: User, code: str | None) -> bool:
    """A current app code (each accepted once) or an unused recovery code (used up)."""
    if not user.totp_secret:
        return False
    secret = stored_secret(user)
    step = _matching_step(secret, code or "", user.totp_last_step) if secret else None
    if step is not None:
        user.totp_last_step = step
        db.session.flush()
        return True
    recovery = db.session.scalar(select(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None),
        RecoveryCode.code_hash == digest(_normal_recovery(code or ""))))
    if recovery is None:
        return False
    recovery.used_at = utcnow()
    db.session.flush()
    return True
