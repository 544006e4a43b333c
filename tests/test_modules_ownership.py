"""Modules belong to the organisers who uploaded them (and admins); versions are kept;
a session keeps the version it was prepared with until an owner moves it."""
import io
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from trainings.audit.models import AuditEntry
from trainings.errors import Forbidden
from trainings.extensions import db
from trainings.modules import ownership, services
from trainings.scheduling import services as scheduling

from . import test_modules_upload
from .test_modules_upload import MINI, snapshot, zip_of

uploads = test_modules_upload.uploads  # the same fixture: shipped and upload folders per test


def changed_zip(tmp_path: Path, label: str) -> bytes:
    folder = tmp_path / f"mini-{label}"
    shutil.copytree(MINI, folder)
    (folder / "module.toml").write_text(
        (MINI / "module.toml").read_text().replace('"0.1"', f'"{label}"'), encoding="utf-8")
    return zip_of(folder)


def test_a_strangers_upload_is_refused_with_the_content_unchanged(make, uploads, api, tmp_path):
    owner, stranger = make.user("organiser"), make.user("organiser")
    services.install_zip(io.BytesIO(zip_of(MINI)), actor=owner)
    db.session.commit()
    before = snapshot(uploads)
    with pytest.raises(Forbidden):
        services.install_zip(io.BytesIO(changed_zip(tmp_path, "6.6")), actor=stranger)
    db.session.rollback()
    response = api(stranger).post("/api/v1/modules", data=changed_zip(tmp_path, "6.7"),
                                  content_type="application/zip")
    assert response.status_code == 403
    assert snapshot(uploads) == before
    assert services.publishable("mini").meta["version"] == "0.1"
    assert [v.version for v in ownership.versions("mini")] == [1]
    # the owner and an admin may add versions
    services.install_zip(io.BytesIO(changed_zip(tmp_path, "0.2")), actor=owner)
    services.install_zip(io.BytesIO(changed_zip(tmp_path, "0.3")), actor=make.user("admin"))
    db.session.commit()
    assert [v.label for v in ownership.versions("mini")] == ["0.3", "0.2", "0.1"]


def test_a_shipped_module_belongs_to_admins(make, uploads, tmp_path, client, login):
    shutil.copytree(MINI, tmp_path / "shipped" / "mini")
    organiser = make.user("organiser")
    with pytest.raises(Forbidden):
        services.install_zip(io.BytesIO(changed_zip(tmp_path, "9.9")), actor=organiser)
    db.session.rollback()
    login(organiser)
    page = client.post("/modules/upload", data={"file": (io.BytesIO(zip_of(MINI)), "mini.zip")},
                       content_type="multipart/form-data")
    assert page.status_code == 403
    assert not uploads.exists() or not (uploads / "mini").exists()
    assert services.publishable("mini").path == tmp_path / "shipped" / "mini"
    # a new slug may be created by any organiser
    other = tmp_path / "fresh"
    shutil.copytree(MINI, other)
    services.install_zip(io.BytesIO(zip_of(other, prefix="fresh")), actor=organiser)
    db.session.commit()
    assert ownership.target("fresh").owner_ids == {organiser.id}


def test_a_session_keeps_its_version_until_an_owner_moves_it(make, uploads, tmp_path, client,
                                                             login):
    owner = make.user("organiser")
    services.install_zip(io.BytesIO(zip_of(MINI)), actor=owner)
    db.session.commit()
    training = make.training(organiser=owner, sessions=1)
    session = training.sessions[0]
    scheduling.update_session(session, {"module": "mini"}, actor=owner)
    db.session.commit()
    assert session.module_version == 1
    services.install_zip(io.BytesIO(changed_zip(tmp_path, "0.2")), actor=owner)
    db.session.commit()
    db.session.refresh(session)
    assert session.module_version == 1  # still the version it was prepared with
    page = client.get(f"/modules/mini?version={session.module_version}")
    assert page.status_code == 200 and "0.1" in page.get_data(as_text=True)
    assert client.get("/modules/mini?version=7").status_code == 404
    assert client.get("/api/v1/modules/mini/pdf?lang=en&version=7").status_code == 404
    assert client.get("/api/v1/modules/mini/pdf?lang=en&version=x").status_code == 422
    stranger = make.user("organiser")
    login(stranger)
    refused = client.post(f"/modules/mini/sessions/{session.id}/version", data={"version": "2"})
    assert refused.status_code == 403
    client.get("/logout")
    login(owner)
    moved = client.post(f"/modules/mini/sessions/{session.id}/version", data={"version": "2"})
    assert moved.status_code == 302
    db.session.refresh(session)
    assert session.module_version == 2
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "module.moved"))
    assert entry.details == {"module": "mini", "from": 1, "to": 2}
    bad = client.post(f"/modules/mini/sessions/{session.id}/version", data={"version": "9"})
    assert bad.status_code == 302
    db.session.refresh(session)
    assert session.module_version == 2
