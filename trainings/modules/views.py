"""Module pages: the list, one module in both languages, its PDF editions, upload."""
from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user, login_required

from ..errors import Forbidden
from ..i18n import current_language
from ..policy import can, require
from ..scheduling.services import load_session
from ..web import EmptyForm, action, attempt, form_status, send_download
from . import ownership, services
from .forms import UploadForm
from .sources import EDITIONS, IMAGE_SUFFIXES, LANGUAGES, find_module_dir, image_problem

bp = Blueprint("modules", __name__)


def _first_language() -> str:
    """The reader's language first: ?lang=, else the user's setting / UI language."""
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        return asked
    if current_user.is_authenticated and current_user.language in LANGUAGES:
        return current_user.language
    return current_language() if current_language() in LANGUAGES else "en"


@bp.route("/modules")
def index():
    modules, broken = services.list_modules()
    may_upload = can(current_user, "module.upload")
    return render_template("modules/index.html", modules=[services.summary(m) for m in modules],
                           broken=broken if may_upload else [], may_upload=may_upload,
                           first=_first_language(), editions=EDITIONS)


def _version() -> int | None:
    """``?version=N``: an uploaded version of the module (404 for anything else)."""
    raw = request.args.get("version")
    if raw in (None, ""):
        return None
    if not raw.isdigit():
        abort(404)
    return int(raw)


@bp.route("/modules/<slug>")
def detail(slug):
    version = _version()
    module = services.publishable(slug, version)
    return render_template("modules/detail.html", **_detail_context(slug, module, version))


def _detail_context(slug: str, module, version: int | None) -> dict:
    first = _first_language()
    sections = services.sections_html(
        module, lambda src: url_for("modules.asset", slug=slug, filename=src, version=version),
        shift=1)
    owner = can(current_user, "module.own", ownership.target(slug))
    sessions = [s for s in ownership.sessions_using(slug) if can(current_user, "session.view", s)]
    return dict(module=services.summary(module), sections=sections, first=first,
                second="en" if first == "id" else "id", session_map=module.session_map(),
                editions=EDITIONS, version=version, versions=ownership.versions(slug),
                sessions=sessions, may_move=owner, move_form=EmptyForm())


@bp.route("/modules/<slug>/sessions/<int:session_id>/version", methods=["POST"])
@login_required
def move_session(slug, session_id):
    """An owner moves a session to another uploaded version of the module."""
    require(current_user, "module.own", ownership.target(slug))
    session = load_session(session_id)
    if session.module_slug != slug:
        abort(404)
    return action(lambda: ownership.move_session(session, request.form.get("version"),
                                                 actor=current_user),
                  then=url_for(".detail", slug=slug) + "#sessions-heading",
                  message=gettext("The session now uses the chosen version of the module."))


@bp.route("/modules/<slug>/<lang>.pdf")
def pdf(slug, lang):
    if lang not in EDITIONS:
        abort(404)
    edition = services.edition_pdf(slug, lang, _version())
    return send_download(edition.path, edition.filename, "application/pdf", inline=True,
                         max_age=300)


@bp.route("/modules/<slug>/files/<path:filename>")
def asset(slug, filename):
    """Images of a module for its web page (only image files inside the module folder)."""
    folder = find_module_dir(slug, _version())
    if folder is None or image_problem(filename, folder) or \
            not any(filename.lower().endswith(s) for s in IMAGE_SUFFIXES):
        abort(404)
    response = send_from_directory(folder, filename, max_age=3600)
    # An uploaded SVG opened on its own must not run anything.
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    return response


@bp.route("/modules/upload", methods=["GET", "POST"])
@login_required
def upload():
    require(current_user, "module.upload")
    form = UploadForm()
    done, error = _install(form) if form.validate_on_submit() else (None, None)
    return done or (render_template("modules/upload.html", form=form, error=error),
                    form_status(form))


def _install(form):
    """``(redirect to the module, None)``, or ``(None, the error)`` after the rollback."""
    ok, result = attempt(lambda: services.install_zip(form.file.data.stream,
                                                      actor=current_user), form=form)
    if ok:
        flash(gettext("The module %(slug)s was uploaded and published.", slug=result.slug),
              "success")
        return redirect(url_for("modules.detail", slug=result.slug)), None
    if isinstance(result, Forbidden):  # a module that belongs to others: 403
        raise result
    return None, result
