"""The web layer's few shared helpers: the view pattern, downloads and absolute URLs.

A view loads its objects, asks the policy, then hands the state change to :func:`submit`
(a form) or :func:`action` (a button with only a CSRF token). Both run the service, commit
once on success, roll back and show the service's :class:`DomainError` on failure (next
to its field, or as a flash), so every view reads the same and none commits half-way::

    form = SettingsForm()
    done = submit(form, lambda: services.update(training, form.data, actor=current_user),
                  then=url_for("area.edit", training_id=training.id), message=_("Saved."))
    return done or (render_template("area/edit.html", form=form), form_status(form))

Links that leave the request (mail, PDFs, calendar feeds) come from :func:`absolute_url`.
"""
from __future__ import annotations

import hashlib
import io
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, BinaryIO

from flask import (
    current_app,
    flash,
    g,
    has_request_context,
    redirect,
    request,
    send_file,
    session,
    url_for,
)
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature, TimestampSigner, URLSafeTimedSerializer
from itsdangerous.encoding import want_bytes
from jinja2 import nodes
from jinja2.ext import Extension

from .errors import DomainError
from .extensions import db
from .forms import EmptyForm
from .language import current_language

__all__ = ["EmptyForm", "KeptSerializerSessionInterface", "LayoutFragments", "absolute_url",
           "action", "attempt", "base_url", "csrf_token", "form_status", "id_url",
           "send_download", "static_url", "submit"]


def attempt(operation: Callable[[], Any], *, form=None,
            field_map: Mapping[str, str] | None = None) -> tuple[bool, Any]:
    """Run one service call as a unit of work: ``(True, result)`` after a commit, or
    ``(False, error)`` after a rollback, the error placed on ``form`` (or flashed)."""
    try:
        result = operation()
    except DomainError as error:
        db.session.rollback()
        if form is not None:
            form.apply_error(error, field_map)
        else:
            flash(str(error.message), "error")
        return False, error
    db.session.commit()
    return True, result


def _target(then, result) -> str:
    return then(result) if callable(then) else then


def _message(message, result):
    return message(result) if callable(message) else message


def submit(form, operation: Callable[[], Any], *, then, message=None,
           field_map: Mapping[str, str] | None = None, validate: bool = True):
    """When ``form`` is submitted and valid, run ``operation``; on success commit, flash
    ``message`` and answer a redirect to ``then`` (a URL, or a callable of the result).
    Otherwise ``None``: the caller re-renders ``form`` with :func:`form_status`."""
    if validate and not form.validate_on_submit():
        return None
    ok, result = attempt(operation, form=form, field_map=field_map)
    if not ok:
        return None
    text = _message(message, result)
    if text:
        flash(str(text), "success")
    return redirect(_target(then, result))


def action(operation: Callable[[], Any], *, then, message=None, form=None):
    """A state-changing button: check its CSRF token, run ``operation``, commit and flash
    ``message``, or roll back and flash the error; redirect to ``then`` either way."""
    form = form or EmptyForm()
    if form.validate_on_submit():
        ok, result = attempt(operation)
        if ok:
            text = _message(message, result)
            if text:
                flash(str(text), "success")
            return redirect(_target(then, result))
    return redirect(_target(then, None))


def form_status(*forms) -> int:
    """422 when a submitted form carries errors (so tests and tools see the failure), else 200."""
    for form in forms:
        if form is not None and (form.errors or getattr(form, "form_errors", None)):
            return 422
    return 200


def send_download(content: bytes | str | Path | BinaryIO, filename: str, mimetype: str, *,
                  inline: bool = False, max_age: int | None = None):
    """The one way to answer a file: bytes, a path or a binary file object (sent in blocks,
    closed after), with a safe Content-Disposition."""
    body = io.BytesIO(content) if isinstance(content, bytes) else content
    response = send_file(body, mimetype=mimetype, as_attachment=not inline,
                         download_name=filename, max_age=max_age, conditional=True)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def base_url() -> str:
    """The installation's public base URL: ``PUBLIC_BASE_URL``, else the current request's
    host (Flask refused the request with 400 unless that host is in ``TRUSTED_HOSTS``, see
    ``create_app``), else ``http://localhost`` (outside a request: set PUBLIC_BASE_URL)."""
    base = current_app.config["PUBLIC_BASE_URL"]
    if base:
        return str(base).rstrip("/")
    if has_request_context():
        return request.host_url.rstrip("/")
    return "http://localhost"


def absolute_url(endpoint: str, **values) -> str:
    """An absolute URL for ``endpoint``, inside or outside a request (mail, jobs, CLI)."""
    if not current_app.config["PUBLIC_BASE_URL"] and has_request_context():
        return url_for(endpoint, _external=True, **values)
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return base_url() + path


# url_for for the links a page repeats per row (a training per schedule entry, a session per
# row of the training page), the navigation and the base layout: built once per app and per
# (script root, host), an endpoint taking one integer id split around a placeholder id and
# joined with the row's id. The app registers no URL defaults or value preprocessors, so
# url_for's answer depends on nothing else (tests/test_nav_urls.py, tests/test_row_urls.py).
_PLACEHOLDER = 987654321987


#: Bounded: the key holds the request's host, which a client chooses when TRUSTED_HOSTS is
#: empty (PUBLIC_BASE_URL set); past this many entries the cache starts again.
URL_CACHE_ENTRIES = 2048


def _site() -> tuple[dict, str, str]:
    """The URL cache and the request's (script root, host), found once per request: a page
    asks for ~10-40 links, each of which looked up ``current_app`` and ``request`` (three
    proxy look-ups) and computed ``request.host`` again."""
    req = request._get_current_object()
    site = req.__dict__.get("_anyam_site")
    if site is None:
        cache = current_app.extensions.setdefault("anyam.urls", {})
        if len(cache) > URL_CACHE_ENTRIES:
            cache.clear()
        site = req.__dict__["_anyam_site"] = (cache, req.script_root, req.host)
    return site


def id_url(endpoint: str, **value: int) -> str:
    """``url_for(endpoint)`` or ``url_for(endpoint, name=id)`` for one integer id, from a cache."""
    if len(value) > 1 or endpoint.startswith("."):
        raise ValueError("id_url takes a full endpoint name and at most one id")
    (name, ident), = value.items() if value else ((None, None),)
    if not has_request_context():  # mail, jobs: url_for's own rules (SERVER_NAME)
        return url_for(endpoint, **({name: int(ident)} if name else {}))
    cache, root, host = _site()
    key = (endpoint, name, root, host)
    parts = cache.get(key)
    if parts is None:
        if name is None:
            parts = (url_for(endpoint), "")
        else:
            head, _sep, tail = url_for(endpoint, **{name: _PLACEHOLDER}).partition(str(_PLACEHOLDER))
            parts = (head, tail)
        cache[key] = parts
    return parts[0] if name is None else f"{parts[0]}{int(ident)}{parts[1]}"


def static_url(filename: str) -> str:
    """``url_for("static", filename=...)`` from the same cache: the base layout links the
    same three files on every page."""
    if not has_request_context():
        return url_for("static", filename=filename)
    cache, root, host = _site()
    key = ("static", filename, root, host)
    url = cache.get(key)
    if url is None:
        url = cache[key] = url_for("static", filename=filename)
    return url


# Fragments of a layout rendered once ------------------------------------------------------

#: Bounded like the URL cache (the key holds the request's host); then it starts again.
FRAGMENT_CACHE_ENTRIES = 1024


class LayoutFragments(Extension):
    """``{% fragment "name", key, ... %}...{% endfragment %}``: the block's HTML rendered once
    per template, block, given keys, request language, script root and host, and reused.

    For the parts of the base layout that every page repeats and that depend on nothing
    else: the links to its files, the skip link, the navigation (given the viewer's role and
    the page's endpoint), the language selector's labels, the footer. Whatever the block
    shows must come from those keys (a per-request value, such as a CSRF token, a name or
    the current path, stays outside the block), so a kept fragment is the one the block
    would render now (tests/test_layout_fragments.py). The catalogues and templates do not
    change while the process runs; with template auto-reload (debug) and outside a request
    the block is rendered every time."""

    tags = {"fragment"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        keys = [nodes.Const(parser.name), nodes.Const(lineno), parser.parse_expression()]
        while parser.stream.skip_if("comma"):
            keys.append(parser.parse_expression())
        body = parser.parse_statements(("name:endfragment",), drop_needle=True)
        return nodes.CallBlock(self.call_method("_fragment", [nodes.Tuple(keys, "load")]),
                               [], [], body).set_lineno(lineno)

    def _fragment(self, keys: tuple, caller):
        if self.environment.auto_reload or not has_request_context():
            return caller()
        _urls, root, host = _site()
        cache = current_app.extensions.setdefault("anyam.fragments", {})
        key = (*keys, current_language(), root, host)
        html = cache.get(key)
        if html is None:
            html = caller()
            if len(cache) >= FRAGMENT_CACHE_ENTRIES:
                cache.clear()
            cache[key] = html
        return html


# The session cookie -------------------------------------------------------------------------

class _KeptKeySigner(TimestampSigner):
    """itsdangerous derives the signing key from the secret (one HMAC) on every sign and
    every check; the derived key depends only on the secret, the salt and the methods, so it
    is kept (a handful of entries: the key and its fallbacks)."""

    _derived: dict = {}

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        secret = want_bytes(self.secret_keys[-1] if secret_key is None else secret_key)
        key = (secret, self.salt, self.key_derivation, self.digest_method)
        derived = self._derived.get(key)
        if derived is None:
            derived = super().derive_key(secret)
            if len(self._derived) < 32:
                self._derived[key] = derived
        return derived


#: Opened session cookies kept (bounded: cookies come from every client; then it starts again)
OPENED_COOKIES = 1024
_PLAIN_VALUES = (str, int, float, bool, type(None))


class KeptSerializerSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, unchanged in what it stores and checks; its serializer
    is built once per secret key and fallbacks instead of twice per request (building one
    serializes an empty dict to test the serializer), and it keeps derived keys.

    A browser sends the same cookie with every request until the session changes. Opening it
    (base64, zlib, the HMAC check, JSON and Flask's tags) is done once per cookie: the exact
    cookie string, checked by the same serializer (so the same secret keys), is answered from
    what it held, its age checked against ``PERMANENT_SESSION_LIFETIME`` on every request as
    itsdangerous does. Only sessions of plain values (strings, numbers, booleans) are kept,
    and each request gets its own dictionary of them, so nothing a request changes reaches
    another (a session holding flashes or lists is opened every time)."""

    def open_session(self, app, request):
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        opened = self.__dict__.setdefault("_opened", {})
        kept = opened.get(cookie)
        if kept is not None and kept[0] is serializer:
            age = int(time.time()) - kept[1]  # itsdangerous's rule: whole seconds, not negative
            if 0 <= age <= max_age:
                return self.session_class(kept[2])
        try:
            data, signed_at = serializer.loads(cookie, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        if isinstance(data, dict) and all(type(v) in _PLAIN_VALUES for v in data.values()):
            if len(opened) >= OPENED_COOKIES:
                opened.clear()
            opened[cookie] = (serializer, int(signed_at.timestamp()), data)
        return self.session_class(data)

    def get_signing_serializer(self, app):
        if not app.secret_key:
            return None
        keys = (*(app.config["SECRET_KEY_FALLBACKS"] or ()), app.secret_key)  # current last
        kept = self.__dict__.get("_kept")
        if kept is None or kept[0] != keys:
            serializer = URLSafeTimedSerializer(
                list(keys), salt=self.salt, serializer=self.serializer, signer=_KeptKeySigner,
                signer_kwargs={"key_derivation": self.key_derivation,
                               "digest_method": self.digest_method})
            kept = self._kept = (keys, serializer)
        return kept[1]


# The CSRF token ----------------------------------------------------------------------------

#: secret key -> Flask-WTF's serializer, its signer and the encoded raw tokens (a handful)
_CSRF_SERIALIZERS: dict = {}


def csrf_token() -> str:
    """Flask-WTF's ``generate_csrf()``, the same token: the session's raw token (made once per
    session) signed with a timestamp under ``SECRET_KEY`` and salt ``wtf-csrf-token``, kept on
    ``g`` for the rest of the request, so forms and every other ``csrf_token()`` of the page
    give the same one, and checked by Flask-WTF as before. Its serializer and signer are kept
    per secret key with the derived key (Flask-WTF builds them for every request), and the
    raw token's encoding (JSON, zlib, base64) per raw token; the timestamp and the signature
    are made per request as before. With a separate
    ``WTF_CSRF_SECRET_KEY`` configured, Flask-WTF's own function answers."""
    from flask_wtf.csrf import generate_csrf
    app = current_app._get_current_object()
    field, namespace = app.config["WTF_CSRF_FIELD_NAME"], g._get_current_object()
    token = namespace.get(field) if field else None
    if token is not None:
        return token
    secret = app.secret_key
    # WTF_CSRF_SECRET_KEY is Flask-WTF's optional setting (not in DefaultConfig: declared as
    # None, Flask-WTF refuses to sign); when an installation sets it, Flask-WTF signs
    if not field or not secret or "WTF_CSRF_SECRET_KEY" in app.config:
        return generate_csrf()
    kept = _CSRF_SERIALIZERS.get(secret)
    if kept is None:
        serializer = URLSafeTimedSerializer(secret, salt="wtf-csrf-token", signer=_KeptKeySigner)
        kept = (serializer, serializer.make_signer(serializer.salt), {})
        if len(_CSRF_SERIALIZERS) < 8:
            _CSRF_SERIALIZERS[secret] = kept
    serializer, signer, payloads = kept
    if field not in session:
        session[field] = hashlib.sha1(os.urandom(64)).hexdigest()  # noqa: S324 - Flask-WTF's
    raw = session[field]
    payload = payloads.get(raw) if isinstance(raw, str) else None
    if payload is None:
        try:
            payload = serializer.dump_payload(raw)  # JSON, compressed if shorter, base64
        except TypeError:  # as Flask-WTF: an unserialisable value is replaced
            raw = session[field] = hashlib.sha1(os.urandom(64)).hexdigest()  # noqa: S324
            payload = serializer.dump_payload(raw)
        if len(payloads) >= 1024:  # one per session's raw token: bounded
            payloads.clear()
        payloads[raw] = payload
    token = signer.sign(payload).decode("utf-8")  # what serializer.dumps(raw) answers
    setattr(namespace, field, token)
    return token


# Fragments kept under a key made of everything they show -------------------------------

class Tables:
    """Rendered tables by key, least recently used dropped first beyond ``limit`` characters
    (the tables' and a rough measure of their keys'); thread-safe."""

    def __init__(self, limit: int):
        self.limit, self.size = limit, 0
        self._kept: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key) -> str | None:
        with self._lock:
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
                return found[0]
        return None

    def put(self, key, html, size: int | None = None, *, replace: bool = False) -> None:
        """Keep ``html`` (text, or any value whose ``size`` in characters is given); a value
        already kept under ``key`` stays, unless ``replace``."""
        cost = (len(html) if size is None else size) + len(repr(key))
        with self._lock:
            if replace and key in self._kept:
                self.size -= self._kept.pop(key)[1]
            if key in self._kept or cost > self.limit:
                return
            self._kept[key] = (html, cost)
            self.size += cost
            while self.size > self.limit:
                _key, (_html, dropped) = self._kept.popitem(last=False)
                self.size -= dropped

    def __len__(self) -> int:
        return len(self._kept)


def fragments(kind: str, chars: int | None = None) -> Tables:
    """This app's kept fragments of one kind ("sessions_table", "training_nav",
    "training_facts"; "pages" for trainings/pagecache.py), up to ``chars`` characters
    (``TRAINING_PAGE_FRAGMENTS_CHARS`` unless given) when first made."""
    name = f"anyam.fragments.{kind}"
    kept = current_app.extensions.get(name)
    if kept is None:
        limit = current_app.config["TRAINING_PAGE_FRAGMENTS_CHARS"] if chars is None else chars
        kept = current_app.extensions.setdefault(name, Tables(limit))
    return kept
