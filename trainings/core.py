"""Home page, language switcher, health check, navigation."""
from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
    url_for,
)
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import text

from .auth.services import is_safe_next
from .auth.services import set_language as save_language
from .db import read_only
from .extensions import db
from .forms import EmptyForm
from .language import current_language
from .policy import RULES, can
from .timezones import is_valid_timezone
from .web import action, fragments, id_url

bp = Blueprint("core", __name__)

# (endpoint, label, who sees it). An entry shows once its endpoint exists.
NAV = [
    ("overview.attention", _l("Needs attention"), {"organiser", "admin"}),
    ("users.index", _l("Accounts"), {"admin"}),
    ("overview.my_schedule", _l("My schedule"), {"participant", "facilitator", "organiser", "admin"}),
    ("overview.my_sessions", _l("My sessions"), {"facilitator", "organiser", "admin"}),
    ("scheduling.index", _l("Trainings"), {"participant", "facilitator", "organiser", "admin"}),
    ("overview.my_history", _l("My trainings"), {"participant"}),
    ("overview.programmes_index", _l("Programmes"), {"organiser", "admin"}),
    ("overview.people_search", _l("People"), {"facilitator", "organiser", "admin"}),
    ("organisations.index", _l("Organisations"), {"organiser", "admin"}),
    ("organisations.hubs", _l("Hubs"), {"anonymous", "participant", "facilitator", "organiser", "admin"}),
    ("modules.index", _l("Modules"), {"anonymous", "participant", "facilitator", "organiser", "admin"}),
    ("certificates.verify_form", _l("Verify a certificate"), {"anonymous"}),
]


# Pages of one training: (endpoint taking training_id, label, policy action). Shown in the
# training's sub-navigation when the endpoint exists and the viewer may do the action.
TRAINING_NAV = [
    ("scheduling.detail", _l("Overview"), "training.view"),
    ("scheduling.edit", _l("Settings"), "training.edit"),
    ("scheduling.sessions", _l("Sessions"), "session.create"),
    ("enrolment.participants", _l("Participants"), "enrolment.list"),
    ("enrolment.my_enrolment", _l("My enrolment"), "enrolment.own_in_training"),
    ("enrolment.outbox", _l("Outbox"), "enrolment.manage"),
    ("notifications.reminder_settings", _l("Reminders"), "notifications.reminders"),
    ("notifications.announce", _l("Announcements"), "notifications.announce"),
    ("attendance.matrix", _l("Attendance"), "attendance.view_matrix"),
    ("printing.gathering", _l("Gathering"), "group.list"),
    ("certificates.manage", _l("Certificates"), "certificate.list"),
    ("evaluation.surveys", _l("Evaluation"), "survey.manage"),
    ("evaluation.my_surveys", _l("Surveys and action plan"), "action_plan.write_own"),
    ("certificates.my_name", _l("Name on certificate"), "certificate.own_name"),
    ("privacy.audit", _l("Audit"), "training.audit"),
    ("privacy.retention", _l("Retention"), "training.retention"),
]


def _labels(lang: str) -> dict:
    """The navigation's labels translated into ``lang``, once per app and process (a lazy
    label reached Flask-Babel's domain through three ``g`` proxies each time it was shown:
    ~5-20 per page). The catalogues do not change while the process runs."""
    kept = current_app.extensions.setdefault("anyam.nav_labels", {})
    labels = kept.get(lang)
    if labels is None:
        labels = kept[lang] = {id(label): str(label) for _e, label, _w in NAV + TRAINING_NAV}
    return labels


def _nav_url(endpoint: str, training_id: int | None = None) -> str:
    """The navigation's URLs, built once per process and (script root, host) (``web.id_url``)."""
    return id_url(endpoint) if training_id is None else id_url(endpoint, training_id=training_id)


def _training_pages(training) -> list[tuple[str, object]]:
    """(endpoint, label) of the pages of the training the viewer may open. Most of them
    share one rule (e.g. ``organises``), which is asked once: a rule answers from the viewer
    and the training alone, so the same rule gives the same answer for each of its actions."""
    pages, decided = [], {}
    views, actor = current_app.view_functions, current_user._get_current_object()
    for endpoint, label, needed in TRAINING_NAV:
        if endpoint not in views:
            continue
        rule = RULES[needed]
        if rule not in decided:
            decided[rule] = can(actor, needed, training)
        if decided[rule]:
            pages.append((endpoint, label))
    return pages


def training_nav(training, pages: list | None = None) -> list[dict]:
    here, labels = request.endpoint, _labels(current_language())
    return [{"url": _nav_url(endpoint, training.id), "label": labels[id(label)],
             "current": here == endpoint}
            for endpoint, label in (_training_pages(training) if pages is None else pages)]


def training_subnav(training) -> Markup:
    """The training's sub-navigation (``_training_subnav.html``), rendered once per
    training, language, page, pages the viewer may open and URL root, and shared by every
    viewer and page showing the same (``web.fragments``: whatever it shows is in
    its key, so it is never stale)."""
    pages = _training_pages(training)
    key = (training.id, current_language(), request.endpoint, tuple(e for e, _l in pages),
           request.script_root, request.host)
    kept = fragments("training_nav")
    html = kept.get(key)
    if html is None:
        html = render_template("_training_subnav.html", items=training_nav(training, pages))
        kept.put(key, html)
    return Markup(html)  # noqa: S704 - our autoescaped template's output, not user text


def nav_items() -> list[dict]:
    role = current_user.role if current_user.is_authenticated else "anonymous"
    items = []
    views, here, labels = current_app.view_functions, request.endpoint, _labels(current_language())
    for endpoint, label, roles in NAV:
        if role in roles and endpoint in views:
            items.append({"url": _nav_url(endpoint), "label": labels[id(label)],
                          "endpoint": endpoint, "current": here == endpoint})
    return items


def has_endpoint(name: str) -> bool:
    return name in current_app.view_functions


def viewer_can(action: str, obj=None) -> bool:
    """``can(...)`` in templates: the policy asked for the current user."""
    return can(current_user, action, obj)


@bp.record_once
def _navigation(state):
    """Template globals (they read the request when called), set once per app instead of a
    context processor building them for every template rendered."""
    state.app.jinja_env.globals.update(
        {"nav_items": nav_items, "training_nav": training_nav, "training_subnav": training_subnav,
         "has_endpoint": has_endpoint, "can": viewer_can})


@bp.route("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for("scheduling.index"))
    from .i18n import current_language, viewer_timezone
    from .overview.catalogue import catalogue
    zone = viewer_timezone()
    return render_template("core/index.html", catalogue=catalogue(zone, current_language()),
                           zone=zone)


@bp.route("/language", methods=["POST"])
def set_language():
    lang, target = request.form.get("lang", ""), request.form.get("next", "")
    return action(lambda: choose_language(lang),
                  then=target if is_safe_next(target) else url_for("core.index"))


def choose_language(lang: str) -> None:
    """The interface language of this browser, and of the account when logged in."""
    if lang not in current_app.config["LANGUAGES"]:
        return
    session["lang"] = lang
    if current_user.is_authenticated:
        save_language(current_user, lang, actor=current_user)


@bp.route("/timezone", methods=["POST"])
def set_timezone():
    """The browser's zone for visitors without an account (sent by static/js/anyam.js)."""
    form = EmptyForm()
    zone = request.form.get("tz", "")
    if form.validate_on_submit() and is_valid_timezone(zone):
        session["tz"] = zone
        return ("", 204)
    return ("", 400)


@bp.route("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico whatever the page says: the SVG icon, cached a day."""
    return send_from_directory(current_app.static_folder, "favicon.svg",
                               mimetype="image/svg+xml", max_age=86400)


@bp.route("/healthz")
@read_only
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        current_app.logger.exception("health check failed")
        db.session.rollback()
        return jsonify({"status": "unavailable"}), 503
    return jsonify({"status": "ok"})
