"""Uploading a module as a ZIP: validated completely first; a bad ZIP changes nothing."""
import io
import shutil
import stat
import zipfile
from pathlib import Path

import pytest

from trainings.errors import ValidationError
from trainings.modules import services

MINI = Path(__file__).parent / "data" / "modules" / "mini"


def zip_of(folder: Path, prefix="mini", extra=(), skip=()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            relative = path.relative_to(folder).as_posix()
            if path.is_file() and relative not in skip:
                archive.write(path, f"{prefix}/{relative}" if prefix else relative)
        for name, data in extra:
            if isinstance(name, zipfile.ZipInfo):
                archive.writestr(name, data)
            else:
                archive.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture
def uploads(app, tmp_path):
    app.config["MODULES_DIR"] = str(tmp_path / "shipped")
    root = tmp_path / "uploads"
    app.config["MODULES_UPLOAD_DIR"] = str(root)
    return root


def snapshot(root: Path) -> dict:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()} if root.exists() else {}


def test_a_good_zip_is_installed_as_a_new_version_keeping_the_old_one(uploads):
    report = services.install_zip(io.BytesIO(zip_of(MINI)))
    assert report.ok and report.slug == "mini"
    assert (uploads / "mini" / "1" / "en" / "01-opening.md").is_file()
    changed = MINI.parent / "changed"
    try:
        shutil.copytree(MINI, changed)
        (changed / "module.toml").write_text(
            (MINI / "module.toml").read_text().replace('"0.1"', '"0.2"'), encoding="utf-8")
        services.install_zip(io.BytesIO(zip_of(changed)))
    finally:
        shutil.rmtree(changed)
    assert services.publishable("mini").meta["version"] == "0.2"
    assert services.publishable("mini", 1).meta["version"] == "0.1"  # the old version stays
    assert sorted(p.name for p in uploads.iterdir()) == ["mini"]  # no leftovers
    assert sorted(p.name for p in (uploads / "mini").iterdir()) == ["1", "2"]


def test_an_upload_overrides_a_shipped_module(app, uploads, tmp_path):
    shutil.copytree(MINI, tmp_path / "shipped" / "mini")
    assert services.publishable("mini").path == tmp_path / "shipped" / "mini"
    services.install_zip(io.BytesIO(zip_of(MINI)))
    assert services.publishable("mini").path == uploads / "mini" / "1"


def symlink_entry():
    info = zipfile.ZipInfo("mini/id/03-link.md")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


BAD = {
    "not a zip": lambda: b"this is plainly not a zip file",
    "truncated zip": lambda: zip_of(MINI)[:200],
    "two folders": lambda: zip_of(MINI, extra=[("other/module.toml", "x")]),
    "files at the top": lambda: zip_of(MINI, prefix=""),
    "bad slug": lambda: zip_of(MINI, prefix="Not A Slug"),
    "path traversal": lambda: zip_of(MINI, extra=[("mini/../../evil.md", "x")]),
    "absolute path": lambda: zip_of(MINI, extra=[("/etc/evil.md", "x")]),
    "symlink": lambda: zip_of(MINI, extra=[(symlink_entry(), "/etc/passwd")]),
    "too many files": lambda: zip_of(MINI, extra=[(f"mini/images/{i}.txt", "x")
                                                  for i in range(400)]),
    "zip bomb": lambda: zip_of(MINI, extra=[("mini/images/big.svg", "0" * (6 * 1024 * 1024))]),
    "broken module": lambda: zip_of(MINI, skip={"en/02-closing.md"}),
}


@pytest.mark.parametrize("kind", list(BAD))
def test_a_bad_zip_is_refused_and_changes_nothing(uploads, kind):
    services.install_zip(io.BytesIO(zip_of(MINI)))
    before = snapshot(uploads)
    with pytest.raises(ValidationError) as caught:
        services.install_zip(io.BytesIO(BAD[kind]()))
    assert caught.value.code in ("bad_module_zip", "module_invalid")
    assert str(caught.value.message)
    assert snapshot(uploads) == before
    assert sorted(p.name for p in uploads.iterdir()) == ["mini"]
    assert not (uploads.parent / "evil.md").exists()


def test_declared_sizes_that_lie_are_caught(app, uploads):
    app.config["MODULES_MAX_FILE_BYTES"] = 1000
    data = bytearray(zip_of(MINI, extra=[("mini/images/pad.svg", "0" * 5000)]))
    # Rewrite the declared size of pad.svg (local header and central directory) to 10.
    name = b"mini/images/pad.svg"
    for marker, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (start := data.find(marker, start)) != -1:
            name_at = start + (30 if marker == b"PK\x03\x04" else 46)
            if data[name_at:name_at + len(name)] == name:
                data[start + offset:start + offset + 4] = (10).to_bytes(4, "little")
            start += 4
    with pytest.raises(ValidationError):
        services.install_zip(io.BytesIO(bytes(data)))
    assert not (uploads / "mini").exists()


def test_upload_page_publishes_or_shows_the_problems(client, login, make, uploads):
    login(make.user("organiser"))
    bad = client.post("/modules/upload", data={
        "file": (io.BytesIO(BAD["broken module"]()), "mini.zip")},
        content_type="multipart/form-data")
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "id/02-penutup.md" in html and "nothing was changed" in html
    assert not (uploads / "mini").exists()
    good = client.post("/modules/upload", data={"file": (io.BytesIO(zip_of(MINI)), "mini.zip")},
                       content_type="multipart/form-data")
    assert good.status_code == 302 and good.headers["Location"].endswith("/modules/mini")
    assert (uploads / "mini" / "1" / "module.toml").is_file()


def test_participants_cannot_upload(client, login, make, uploads):
    login(make.user("participant"))
    response = client.post("/modules/upload", data={
        "file": (io.BytesIO(zip_of(MINI)), "mini.zip")}, content_type="multipart/form-data")
    assert response.status_code == 403
    assert not uploads.exists() or not (uploads / "mini").exists()


def test_api_upload(api, make, uploads):
    organiser = api(make.user("organiser"))
    bad = organiser.post("/api/v1/modules", data=BAD["path traversal"](),
                         content_type="application/zip")
    assert bad.status_code == 422 and bad.json["error"]["code"] == "bad_module_zip"
    broken = organiser.post("/api/v1/modules", data={
        "file": (io.BytesIO(BAD["broken module"]()), "mini.zip")}, content_type="multipart/form-data")
    assert broken.status_code == 422
    assert {"field": "id/02-penutup.md", "code": "unpaired_section"}.items() <= \
        broken.json["error"]["details"][0].items()
    assert not (uploads / "mini").exists()
    assert organiser.post("/api/v1/modules", json={}).status_code == 422
    created = organiser.post("/api/v1/modules", data=zip_of(MINI), content_type="application/zip")
    assert created.status_code == 201 and created.json["slug"] == "mini"
    participant = api(make.user("participant"))
    assert participant.post("/api/v1/modules", data=zip_of(MINI),
                            content_type="application/zip").status_code == 403
