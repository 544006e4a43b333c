"""Public verification of a certificate and the Open Badges issuer profile."""
from __future__ import annotations

from flask import (
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from ...db import read_only
from ...extensions import limiter
from ...language import current_language
from ...pagecache import kept_page
from ...web import base_url, fragments
from .. import openbadges, services
from ..forms import (
    VerifyForm,
)
from ..labels import both_languages, labels_html, status_text  # translated once per process
from .base import bp, verify_limit

# Public verification ---------------------------------------------------------------------------

LABELS = {
    "name": _l("Name"), "training": _l("Training"), "dates": _l("Training dates"),
    "sessions": _l("Sessions attended"), "issuers": _l("Issued by"),
    "signatories": _l("Signed by"), "statement": _l("Statement"), "issued_at": _l("Certificate issued on"),
    "code": _l("Verification code"), "status": _l("Status"),
}


UNKNOWN_HELP = {
    "title": _l("No certificate has this code"),
    "typed": _l("You typed:"),
    "how": _l("A verification code has 16 letters and digits in four groups of four, for "
              "example 7KQ3-MX9D-2HTP-B4RW. It has no I, L, O or U (they read as 1 and 0). "
              "Upper or lower case, spaces and hyphens do not matter."),
    "shape_ok": _l("The code has the right shape, but no certificate has it: check each "
                   "symbol against the certificate, or ask the person who showed it to you."),
    "shape_bad": _l("This is not the shape of a verification code: check that you copied all "
                    "16 symbols."),
    "again": _l("Type the code again"),
}


def render_unknown(typed: str, form=None):
    """A helpful page for a code that matches no certificate (404), in both languages."""
    form = form or VerifyForm(data={"code": typed[:64]})
    if not form.code.errors:
        form.code.errors = [_("No certificate has this code. Check it and type it again.")]
    return render_template("certificates/verify_unknown.html", form=form, typed=typed[:100],
                           help=both_languages(UNKNOWN_HELP),
                           shape_ok=services.codes_shape_ok(typed)), 404


@bp.route("/verify")
@read_only
@limiter.limit(verify_limit)
def verify_form():
    form = VerifyForm(request.args)
    if request.args.get("code") is not None and form.validate():
        certificate = services.get_by_code(form.code.data)
        if certificate is not None:
            return redirect(url_for(".verify", code=certificate.code))
        return render_unknown(form.code.data, form)
    return render_template("certificates/verify_form.html", form=form)


@bp.route("/verify/<code>")
@read_only
@limiter.limit(verify_limit)
@kept_page
def verify(code: str):
    certificate = services.get_by_code(code)
    if certificate is None:
        return render_unknown(code)
    if certificate.code != code:
        return redirect(url_for(".verify", code=certificate.code))
    return _verify_page(certificate)


def _verify_page(certificate):
    info = services.verification(certificate, base_url())
    holder = (current_user.is_authenticated and certificate.enrolment.user_id == current_user.id)
    return render_template("certificates/verify.html", info=info,
                           body=_verify_body(certificate, info, holder))


def _verify_body(certificate, info: dict, holder: bool) -> Markup:
    """The page's content (``certificates/_verify_body.html``), rendered or kept: the same
    for every viewer who reads the same certificate in the same language with the same
    links. Kept under everything it shows: what the public may know of the certificate
    (``info``, whose dates the page formats, in its order), the language, the holder's
    LinkedIn link, the credential's link and the URL root (never stale, bounded:
    ``web.fragments``)."""
    lang = current_language()
    linkedin = services.linkedin_url(info) if holder and info["valid"] else None
    credential_url = url_for(".credential", code=certificate.code) if info["valid"] else None
    key = (repr(info), lang, linkedin, credential_url, request.script_root, request.host)
    kept = fragments("verify_body")
    html = kept.get(key)
    if html is None:
        html = render_template(
            "certificates/_verify_body.html", info=info, certificate=certificate,
            labels=labels_html(LABELS, lang), status_text=status_text(info),
            linkedin=linkedin, credential_url=credential_url)
        kept.put(key, html)
    return Markup(html)  # noqa: S704 - our autoescaped template's output, not user text


@bp.route(openbadges.ISSUER_PATH)
def issuer():
    response = jsonify(openbadges.issuer_profile(base_url()))
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.app_context_processor
def _certificate_helpers():
    def certificate_for_enrolment(enrolment):
        """The current certificate of an enrolment. The first call of a request loads those
        of all the same person's enrolments at once (My schedule lists many trainings)."""
        if enrolment is None or not getattr(enrolment, "id", None):
            return None
        if enrolment.user_id is None:
            return services.current_certificate(enrolment)
        cache = g.setdefault("_certificates_by_user", {})
        if enrolment.user_id not in cache:
            cache[enrolment.user_id] = services.current_certificates_of_user(enrolment.user_id)
        return cache[enrolment.user_id].get(enrolment.id)
    return {"certificate_for_enrolment": certificate_for_enrolment}

