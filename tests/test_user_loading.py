"""The logged-in user is read from the database on every request (auth/loading.py): a plain
row turned into a persistent ``User`` when the session is empty (every real request), the
ORM statement otherwise. Both give the same object, and sessions still end at once."""
from sqlalchemy import inspect, update

from trainings.auth import user_for_login_id
from trainings.auth.loading import load_user
from trainings.auth.models import User
from trainings.extensions import db


def _fresh() -> None:
    """An empty session, as at the start of a request in production."""
    db.session.remove()


def test_the_plain_row_gives_the_same_user_as_the_orm(make):
    user = make.user("organiser", language="id", timezone="Europe/Berlin")
    user.last_login_at = user.created_at
    user.totp_secret = "secret"
    db.session.commit()
    user_id = user.id
    _fresh()
    expected = db.session.execute(db.select(User).where(User.id == user_id)).scalar_one()
    wanted = {prop.key: getattr(expected, prop.key) for prop in inspect(User).column_attrs}
    _fresh()
    loaded = load_user(user_id)
    assert {prop.key: getattr(loaded, prop.key) for prop in inspect(User).column_attrs} == wanted
    assert loaded.created_at.tzinfo is not None and loaded.last_login_at == wanted["last_login_at"]


def test_the_loaded_user_is_persistent_and_behaves_like_an_orm_object(make, count_queries):
    user_id = make.user(name="Before").id
    _fresh()
    loaded = load_user(user_id)
    state = inspect(loaded)
    assert state.persistent and not state.expired_attributes and loaded not in db.session.dirty
    with count_queries() as counter:
        assert db.session.get(User, user_id) is loaded  # in the identity map: no SQL
    assert counter.count == 0
    assert loaded.tokens == []  # a lazy relationship still loads
    loaded.name = "After"
    assert loaded in db.session.dirty
    db.session.commit()
    _fresh()
    assert db.session.get(User, user_id).name == "After"


def test_an_unknown_id_is_none_on_both_paths(make):
    _fresh()
    assert load_user(987654) is None
    make.user()  # the session now holds objects: the ORM statement answers
    assert load_user(987654) is None


def test_a_user_already_in_the_session_is_returned_as_it_is(make):
    user = make.user()
    user.name = "Not yet flushed"
    assert load_user(user.id) is user
    assert user.name == "Not yet flushed"


def test_sessions_end_at_once_with_the_plain_row(app, make):
    user = make.user()
    user_id, login_id = user.id, user.get_id()
    _fresh()
    assert user_for_login_id(login_id).id == user_id
    db.session.execute(update(User).where(User.id == user_id).values(session_version=User.session_version + 1))
    db.session.commit()
    _fresh()
    assert user_for_login_id(login_id) is None  # logged out everywhere / password changed
    login_id = f"{user_id}:{db.session.get(User, user_id).session_version}"
    db.session.execute(update(User).where(User.id == user_id).values(is_active_account=False))
    db.session.commit()
    _fresh()
    assert user_for_login_id(login_id) is None  # a disabled account


def test_a_role_change_shows_on_the_next_request(app, make, login):
    user = make.user("participant")
    user_id = user.id
    client = login(user)
    _fresh()
    assert client.get("/admin/users").status_code == 403
    db.session.execute(update(User).where(User.id == user_id).values(role="admin"))
    db.session.commit()
    _fresh()
    assert client.get("/admin/users").status_code == 200
