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
