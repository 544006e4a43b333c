"""What every request pays, kept where it cannot go stale: ``AnyamFlask.ensure_sync`` answers
a plain function from a dictionary (the app's own callables), never an async one, and the
security headers are added unless a view set its own."""
from __future__ import annotations

import pytest

from trainings import SECURITY_HEADERS, AnyamFlask


def test_ensure_sync_keeps_plain_functions_only(app):
    assert isinstance(app, AnyamFlask)

    def plain():
        return "plain"

    async def coroutine():
        return "async"

    assert app.ensure_sync(plain) is plain and plain in app._sync_functions
    assert app.ensure_sync(plain) is plain  # from the dictionary
    try:
        import asgiref  # noqa: F401 - Flask's "async" extra
    except ImportError:
        with pytest.raises(RuntimeError):  # Flask's own answer without it
            app.ensure_sync(coroutine)
    else:
        wrapped = app.ensure_sync(coroutine)
        assert wrapped is not coroutine and wrapped() == "async"
    assert coroutine not in app._sync_functions


def test_security_headers_added_once_and_a_views_own_kept(app, client):
    response = client.get("/healthz")
    for name, value in SECURITY_HEADERS:
        assert response.headers.getlist(name) == [value]
    assert "Strict-Transport-Security" not in response.headers  # plain http, no https base URL

    with app.test_request_context("/"):  # a view's own policy (module pages: a sandbox) stays
        from flask import Response
        own = Response("x", headers={"content-security-policy": "sandbox"})
        for hook in app.after_request_funcs[None]:
            own = hook(own)
        assert own.headers.getlist("Content-Security-Policy") == ["sandbox"]
        assert own.headers["X-Frame-Options"] == "DENY"


def _small_app(**limiter_options):
    from flask import Blueprint, Flask

    from trainings.extensions import AnyamLimiter
    app = Flask(__name__)
    app.config["RATELIMIT_STORAGE_URI"] = "memory://"
    limiter = AnyamLimiter(key_func=lambda: "one-client", app=None, **limiter_options)
    bp = Blueprint("limited", __name__)
    bp.add_url_rule("/in-blueprint", "inside", lambda: "ok")
    app.add_url_rule("/plain", "plain", lambda: "ok")
    return app, limiter, bp


def test_limiter_skips_its_check_only_with_nothing_to_check():
    app, limiter, bp = _small_app(default_limits=[])
    app.register_blueprint(bp)
    limiter.init_app(app)
    client = app.test_client()
    assert limiter._nothing_before_requests()
    assert [client.get("/plain").status_code for _ in range(3)] == [200, 200, 200]

    app, limiter, bp = _small_app(default_limits=["2/minute"])  # a default limit: checked
    app.register_blueprint(bp)
    limiter.init_app(app)
    client = app.test_client()
    assert not limiter._nothing_before_requests()
    assert [client.get("/plain").status_code for _ in range(3)] == [200, 200, 429]

    app, limiter, bp = _small_app(default_limits=[])  # a blueprint's limit: checked
    limiter.limit("1/minute")(bp)
    app.register_blueprint(bp)
    limiter.init_app(app)
    client = app.test_client()
    assert [client.get("/in-blueprint").status_code for _ in range(2)] == [200, 429]
    assert [client.get("/plain").status_code for _ in range(2)] == [200, 200]


def test_template_strings_without_values_read_as_jinja_formats_them(app):
    with app.test_request_context("/"):
        page = app.jinja_env.from_string(
            '{{ _("Log out") }}|{{ _("100%% sure") }}|{{ _("%(n)s%% done", n=5) }}|'
            '{{ _("Hello <%(who)s>", who="<b>") }}').render()
    assert page == "Log out|100% sure|5% done|Hello <&lt;b&gt;>"
