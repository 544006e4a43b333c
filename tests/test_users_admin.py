"""Account administration: admins list, create, change roles and deactivate accounts."""
import pytest

from trainings.auth import users
from trainings.auth.models import User
from trainings.errors import Conflict, Forbidden
from trainings.extensions import db


def test_admin_creates_and_changes_accounts(make, login, client):
    admin = make.user("admin", name="Ada Admin")
    login(admin)
    page = client.get("/admin/users")
    assert page.status_code == 200 and "Ada Admin" in page.get_data(as_text=True)
    created = client.post("/admin/users", data={"name": "Fitri", "email": "Fitri@Example.org",
                                                "role": "facilitator", "language": "id",
                                                "timezone": "Asia/Jakarta"})
    assert created.status_code == 302
    fitri = db.session.scalar(db.select(User).where(User.email == "fitri@example.org"))
    assert fitri.role == "facilitator" and fitri.password_hash in (None, "")
    duplicate = client.post("/admin/users", data={"name": "Again", "email": "fitri@example.org",
                                                  "role": "participant", "language": "en",
                                                  "timezone": "Asia/Jakarta"})
    assert duplicate.status_code == 422 and "already exists" in duplicate.get_data(as_text=True)
    saved = client.post(f"/admin/users/{fitri.id}", data={"role": "organiser"})  # not active
    assert saved.status_code == 302
    db.session.expire_all()
    assert fitri.role == "organiser" and not fitri.is_active_account


def test_only_admins_and_never_the_last_admin(make, login, client):
    admin = make.user("admin")
    login(make.user("organiser"))
    assert client.get("/admin/users").status_code == 403
    with pytest.raises(Forbidden):
        users.list_users(actor=make.user("organiser"))
    with pytest.raises(Conflict):
        users.update_user(admin, actor=admin, role="organiser", is_active=True)
