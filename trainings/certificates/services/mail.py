"""The bilingual mail that tells a participant their certificate is ready."""
from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _

from ...outbox.services import queue_mail
from ..models import Certificate
from .urls import pdf_url, verify_url


def mail_certificate(certificate: Certificate, enrolment, base: str, *, flush: bool = True) -> None:
    """Queue the mail; ``flush=False`` leaves the insert to the caller's next flush (a batch)."""
    title = certificate.claims["training"]
    subject = f"Sertifikat / Certificate: {title['id']}"
    parts = []
    for lang in ("id", "en"):
        with force_locale(lang):
            parts.append(_(
                "Dear %(name)s,\n\nYour certificate for \"%(title)s\" is ready. Download it "
                "(after logging in) at:\n%(pdf)s\n\nAnyone can check it with the code %(code)s "
                "at:\n%(verify)s\n", name=certificate.name, title=title[lang],
                pdf=pdf_url(certificate.code, base), code=certificate.code,
                verify=verify_url(certificate.code, base)))
    queue_mail(enrolment.email, subject, "\n-----\n\n".join(parts), to_name=certificate.name,
               training=certificate.training, kind="certificate",
               attachment_ref=f"certificate:{certificate.code}", flush=flush)
