"""Sessions end for real: logout, password changes and resets, "log out on every other
device", the idle timeout and the lifetime of a login."""
import time

from trainings.extensions import db

from .factories import PASSWORD

STRONG = "plum orchard lantern seventy"


def _login(client, user, *, remember=False):
    data = {"email": user.email, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    response = client.post("/login", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


def _copy_cookie(source, target, name):
    cookie = source.get_cookie(name)
    assert cookie is not None, name
    target.set_cookie(name, cookie.value)


def _logged_in(client) -> bool:
    return client.get("/profile").status_code == 200


def test_a_remember_cookie_is_refused_after_logout(app, make):
    user = make.user()
    browser = app.test_client()
    _login(browser, user, remember=True)
    thief = app.test_client()
    _copy_cookie(browser, thief, "remember_token")
    assert _logged_in(thief)  # the cookie alone logs in, as "remember me" should
    browser.post("/logout")
    stolen = app.test_client()
    stolen.set_cookie("remember_token", thief.get_cookie("remember_token").value)
    assert not _logged_in(stolen)
    assert not _logged_in(thief)


def test_a_copied_session_cookie_is_refused_after_logout(app, make):
    user = make.user()
    browser = app.test_client()
    _login(browser, user)
    copy = app.test_client()
    _copy_cookie(browser, copy, "session")
    assert _logged_in(copy)
    browser.post("/logout")
    assert not _logged_in(copy)
    assert not _logged_in(browser)


def test_a_password_change_ends_every_other_session_and_keeps_this_one(app, make):
    user = make.user()
    laptop, phone = app.test_client(), app.test_client()
    _login(laptop, user, remember=True)
    _login(phone, user, remember=True)
    old_remember = phone.get_cookie("remember_token").value
    response = laptop.post("/profile", data={
        "action": "password", "password-current_password": PASSWORD,
        "password-new_password": STRONG, "password-confirm": STRONG})
    assert response.status_code == 302
    assert _logged_in(laptop)
    assert not _logged_in(phone)
    replay = app.test_client()
    replay.set_cookie("remember_token", old_remember)
    assert not _logged_in(replay)
    # the laptop's own remember cookie was renewed and still works
    fresh = app.test_client()
    _copy_cookie(laptop, fresh, "remember_token")
    assert _logged_in(fresh)


def test_log_out_on_every_other_device(app, make):
    user = make.user()
    laptop, phone = app.test_client(), app.test_client()
    _login(laptop, user)
    _login(phone, user)
    assert laptop.post("/profile/sessions/end").status_code == 302
    assert _logged_in(laptop)
    assert not _logged_in(phone)


def test_an_idle_session_ends_unless_kept(app, make):
    user = make.user()
    idle, kept = app.test_client(), app.test_client()
    _login(idle, user)
    _login(kept, user, remember=True)
    for client in (idle, kept):
        with client.session_transaction() as session:
            session["seen_at"] = time.time() - 121 * 60
    response = idle.get("/profile", follow_redirects=True)
    assert "Your login has ended. Please log in again." in response.get_data(as_text=True)
    assert not _logged_in(idle)
    assert _logged_in(kept)


def test_a_login_ends_after_the_session_lifetime(app, make):
    app.config["PERMANENT_SESSION_LIFETIME"] = 3600
    user = make.user()
    client = app.test_client()
    _login(client, user)
    assert _logged_in(client)
    with client.session_transaction() as session:
        session["login_at"] = time.time() - 3601
    assert not _logged_in(client)


def test_an_old_style_login_id_without_version_is_refused(app, make):
    user = make.user()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["login_at"] = session["seen_at"] = time.time()
    assert not _logged_in(client)
    db.session.expire_all()


def test_a_remember_cookie_keeps_the_person_logged_in_across_requests(app, make):
    user = make.user()
    browser = app.test_client()
    _login(browser, user, remember=True)
    reopened = app.test_client()  # the browser restarted: only the remember cookie is left
    _copy_cookie(browser, reopened, "remember_token")
    assert _logged_in(reopened)
    with reopened.session_transaction() as session:
        session["seen_at"] = time.time() - 121 * 60  # idle: a kept login does not time out
    assert _logged_in(reopened)
    assert _logged_in(reopened)
