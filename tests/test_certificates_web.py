"""Views and API: access, verification (public, rate-limited, no leaks), downloads, ZIP,
Open Badges, jobs."""
from __future__ import annotations

import copy
import io
import zipfile

from pypdf import PdfReader

from trainings.certificates import openbadges, services
from trainings.extensions import db

from .certificates_helpers import certified_training


def _issue(make, **kwargs):
    training, enrolments, organiser = certified_training(make, **kwargs)
    certificates = services.issue_all(training, actor=organiser, base="http://localhost")
    db.session.commit()
    return training, enrolments, organiser, certificates


def test_api_issue_list_and_job(app, make, api):
    training, _e, organiser = certified_training(make, names=["Siti Rahmawati", "Rabia Khan"])
    client = api(organiser)
    response = client.post(f"/api/v1/trainings/{training.id}/certificates")
    assert response.status_code == 200, response.json
    assert response.json["issued"] == 2
    job = client.get(f"/api/v1/jobs/{response.json['job']}")
    assert job.status_code == 200
    assert {k: job.json[k] for k in ("state", "done", "total")} == {"state": "done", "done": 2, "total": 2}
    again = client.post(f"/api/v1/trainings/{training.id}/certificates")
    assert again.json["issued"] == 0
    items = client.get(f"/api/v1/trainings/{training.id}/certificates").json["items"]
    assert sorted(i["name"] for i in items) == ["Rabia Khan", "Siti Rahmawati"]
    item = items[0]
    assert set(item) >= {"code", "enrolment", "name", "issued_at", "revoked_at", "verify_url"}
    assert item["revoked_at"] is None and item["verify_url"].endswith(f"/verify/{item['code']}")
    # Someone else's job is not visible.
    other = make.user("organiser")
    assert api(other).get(f"/api/v1/jobs/{response.json['job']}").status_code == 404


def test_api_access_the_participant_and_organisers_only(app, make, api):
    owner = make.user()
    training, _e, organiser = certified_training(make, names=[])
    enrolment = make.enrolment(training, user=owner)
    from .certificates_helpers import attend
    attend(enrolment, training.sessions)
    db.session.commit()
    certificate = services.issue_all(training, actor=organiser, base="http://localhost")[0]
    db.session.commit()
    url = f"/api/v1/certificates/{certificate.code}/pdf"
    for user in (owner, organiser):
        response = api(user).get(url)
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        assert owner.name in PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    stranger, facilitator = make.user(), make.user("facilitator")
    assert api(stranger).get(url).status_code == 404
    assert api(facilitator).get(url).status_code == 404
    assert api(stranger).post(f"/api/v1/trainings/{training.id}/certificates").status_code == 403
    assert api(owner).get(f"/api/v1/trainings/{training.id}/certificates").status_code == 403
    assert api(owner).post(f"/api/v1/certificates/{certificate.code}/revoke",
                           json={"reason": "x"}).status_code == 403
    assert api(owner).get(f"/api/v1/trainings/{training.id}/certificates.zip").status_code == 403
    assert app.test_client().get(url).status_code == 401


def test_web_download_access(app, make, client, login):
    owner = make.user()
    training, _e, organiser = certified_training(make, names=[])
    enrolment = make.enrolment(training, user=owner)
    from .certificates_helpers import attend
    attend(enrolment, training.sessions)
    db.session.commit()
    certificate = services.issue_all(training, actor=organiser, base="http://localhost")[0]
    db.session.commit()
    login(make.user())
    assert client.get(f"/certificates/{certificate.code}.pdf").status_code == 404
    assert client.get(f"/trainings/{training.id}/certificates").status_code == 403
    client.post("/logout")
    login(owner)
    response = client.get(f"/certificates/{certificate.code}.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert client.get(f"/certificates/{certificate.code}/credential.json").status_code == 200


def test_verify_api_and_page_show_claims_and_status(app, make, api, client):
    training, _e, organiser, (certificate,) = _issue(make, names=["Siti Rahmawati"])
    response = client.get(f"/api/v1/verify/{certificate.code.lower().replace('-', '')}")
    assert response.status_code == 200
    body = response.json
    assert body["valid"] is True and body["name"] == "Siti Rahmawati"
    assert body["training"] == {"id": training.title_id, "en": training.title_en}
    assert body["issued_at"].endswith("Z") and body["revoked_at"] is None
    page = client.get(f"/verify/{certificate.code}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for text in ("Siti Rahmawati", training.title_id, training.title_en, "Komnas Perempuan",
                 "INFID", "Desember 2023", "December 2023", "Valid"):
        assert text in html, text
    # Typed in lower case without hyphens: redirected to the canonical page.
    typed = client.get("/verify?code=" + certificate.code.lower().replace("-", " "))
    assert typed.status_code == 302 and typed.headers["Location"].endswith(f"/verify/{certificate.code}")

    api(organiser).post(f"/api/v1/certificates/{certificate.code}/revoke", json={"reason": "Fraud"})
    assert client.get(f"/api/v1/verify/{certificate.code}").json["valid"] is False
    html = client.get(f"/verify/{certificate.code}").get_data(as_text=True)
    assert "Revoked" in html and "Fraud" in html


def test_replaced_certificate_points_to_the_new_code(app, make, client, login):
    training, _e, organiser, (old,) = _issue(make, names=["Siti Rahmawti"])
    login(organiser)
    response = client.post(f"/certificates/{old.code}/reissue",
                           data={"reissue-name": "Siti Rahmawati", "reissue-reason": "Misspelt"})
    assert response.status_code == 302
    db.session.expire_all()
    new = services.current_certificate(old.enrolment)
    html = client.get(f"/verify/{old.code}").get_data(as_text=True)
    assert "Replaced" in html and new.code in html
    body = client.get(f"/api/v1/verify/{old.code}").json
    assert body["valid"] is False and body["replaced_by"] == new.code


def test_unknown_codes_are_plain_404s(app, client):
    for code in ("ABCD-EFGH-JKMN-PQRS", "not-a-code", "' OR 1=1 --"):
        api = client.get(f"/api/v1/verify/{code}")
        assert api.status_code == 404
        assert set(api.json["error"]) == {"code", "message", "details"}
        assert client.get(f"/verify/{code}").status_code == 404
    assert client.get("/verify?code=ABCD-EFGH-JKMN-PQRS").status_code == 404
    assert client.get("/verify").status_code == 200


def test_verification_is_rate_limited(app_factory):
    app = app_factory(RATELIMIT_ENABLED=True, CERTIFICATE_VERIFY_RATE_LIMIT="5/minute")
    client = app.test_client()
    statuses = [client.get("/api/v1/verify/ABCD-EFGH-JKMN-PQRS").status_code for _ in range(7)]
    assert statuses[:5] == [404] * 5 and statuses[5:] == [429, 429]
    assert client.get("/verify/ABCD-EFGH-JKMN-PQRS").status_code in (404, 429)


def test_default_rate_limit_is_30_a_minute(app_factory):
    app = app_factory(RATELIMIT_ENABLED=True)
    client = app.test_client()
    statuses = [client.get("/verify/ABCD-EFGH-JKMN-PQRS").status_code for _ in range(31)]
    assert statuses.count(404) == 30 and statuses[-1] == 429


def test_zip_holds_every_valid_certificate_stored(app, make, api):
    training, _e, organiser, certificates = _issue(make, names=["A One", "B Two", "C Three"])
    services.revoke(certificates[2], actor=organiser, reason="mistake")
    db.session.commit()
    response = api(organiser).get(f"/api/v1/trainings/{training.id}/certificates.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    infos = archive.infolist()
    assert len(infos) == 2
    assert all(i.compress_type == zipfile.ZIP_STORED for i in infos)
    names = " ".join(i.filename for i in infos)
    assert certificates[0].code in names and certificates[1].code in names
    for info in infos:
        assert archive.read(info).startswith(b"%PDF")


def test_merged_pdf_for_printing(app, make, client, login):
    training, _e, organiser, certificates = _issue(make, names=["A One", "B Two"])
    login(organiser)
    response = client.get(f"/trainings/{training.id}/certificates.pdf")
    assert response.status_code == 200
    assert len(PdfReader(io.BytesIO(response.data)).pages) == 2


def test_open_badges_credential_verifies_with_the_published_key(app, make, api, client):
    training, (enrolment,), organiser, (certificate,) = _issue(make, names=["Siti Rahmawati"])
    credential = api(organiser).get(f"/api/v1/certificates/{certificate.code}/credential").json
    assert credential["@context"] == openbadges.CONTEXTS
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["proof"][0]["cryptosuite"] == "eddsa-jcs-2022"
    assert credential["credentialSubject"]["identifier"][0]["identityHash"] == "Siti Rahmawati"
    issuer = client.get(openbadges.ISSUER_PATH)
    assert issuer.status_code == 200
    method = issuer.json["verificationMethod"][0]
    assert credential["proof"][0]["verificationMethod"] == method["id"]
    assert method["type"] == "Multikey" and method["id"] in issuer.json["assertionMethod"]
    key = method["publicKeyMultibase"]
    assert openbadges.verify(credential, key)
    altered = copy.deepcopy(credential)
    altered["credentialSubject"]["identifier"][0]["identityHash"] = "Someone Else"
    assert not openbadges.verify(altered, key)
    other_proof = copy.deepcopy(credential)
    other_proof["proof"][0]["created"] = "2030-01-01T00:00:00Z"
    assert not openbadges.verify(other_proof, key)
    import os
    import stat
    assert stat.S_IMODE(os.stat(openbadges.key_path()).st_mode) == 0o600


def test_manage_page_issue_all_with_progress_and_settings(app, make, client, login):
    training, _e, organiser = certified_training(make, names=["Siti Rahmawati", "Rabia Khan"])
    login(organiser)
    page = client.get(f"/trainings/{training.id}/certificates")
    assert page.status_code == 200 and "Issue all certificates" in page.get_data(as_text=True)
    response = client.post(f"/trainings/{training.id}/certificates/issue-all")
    assert response.status_code == 302 and "/jobs/" in response.headers["Location"]
    job_page = client.get(response.headers["Location"])
    assert "<progress" in job_page.get_data(as_text=True)
    status = client.get(response.headers["Location"] + ".json").json
    assert status["state"] == "done" and status["done"] == 2
    html = client.get(f"/trainings/{training.id}/certificates").get_data(as_text=True)
    assert html.count("Valid") >= 2
    # Settings: statement and a signatory with a bad image (422, nothing written).
    bad = client.post(f"/trainings/{training.id}/certificates/signatories",
                      data={"signatory-name": "Dewi", "signatory-signature": (io.BytesIO(b"GIF89a"), "s.gif")},
                      content_type="multipart/form-data")
    assert bad.status_code == 422 and "PNG, JPEG or SVG" in bad.get_data(as_text=True)
    assert services.signatories_of(training) == []
    ok = client.post(f"/trainings/{training.id}/certificates/statement",
                     data={"statement-statement_id": "Telah lulus.", "statement-statement_en": "Passed."})
    assert ok.status_code == 302
    db.session.expire_all()
    assert training.certificate_statement_en == "Passed."


def test_participant_partial_shows_downloads(app, make, client, login):
    owner = make.user()
    training, _e, organiser = certified_training(make, names=[])
    enrolment = make.enrolment(training, user=owner)
    from .certificates_helpers import attend
    attend(enrolment, training.sessions)
    db.session.commit()
    from flask import render_template_string
    with app.test_request_context():
        empty = render_template_string('{% include "certificates/_my_certificate.html" %}',
                                       training=training, enrolment=enrolment)
        assert "certificate" not in empty.lower()
    certificate = services.issue_all(training, actor=organiser, base="http://localhost")[0]
    db.session.commit()
    from flask import g
    g.pop("_certificates_by_user", None)  # a new request in production starts afresh
    with app.test_request_context():
        html = render_template_string('{% include "certificates/_my_certificate.html" %}',
                                      training=training, enrolment=enrolment)
    assert f"/certificates/{certificate.code}.pdf" in html
    assert f"/certificates/{certificate.code}/credential.json" in html


def test_api_answers_202_while_the_job_runs_elsewhere(app, make, api, monkeypatch):
    from trainings import jobs
    training, _e, organiser = certified_training(make, names=["Siti Rahmawati"])
    monkeypatch.setattr(jobs, "dispatch", lambda job: None)  # a worker elsewhere will run it
    client = api(organiser)
    response = client.post(f"/api/v1/trainings/{training.id}/certificates")
    assert response.status_code == 202
    job_id = response.json["job"]
    assert client.get(f"/api/v1/jobs/{job_id}").json["state"] == "queued"
    jobs.run(job_id)  # what the worker does
    status = client.get(f"/api/v1/jobs/{job_id}").json
    assert (status["state"], status["done"], status["total"]) == ("done", 1, 1)
    assert status["result"] == {"issued": 1}


def test_web_issue_one_by_decision_and_revoke(app, make, client, login):
    training, (enrolment,), organiser = certified_training(make, names=["Rabia Khan"], attended=1)
    login(organiser)
    url = f"/trainings/{training.id}/certificates/issue"
    missing = client.post(url, data={"issue-enrolment_id": enrolment.id, "issue-reason": ""})
    assert missing.status_code == 422 and "Please give a reason." in missing.get_data(as_text=True)
    assert services.current_certificate(enrolment) is None
    done = client.post(url, data={"issue-enrolment_id": enrolment.id,
                                  "issue-reason": "Followed the recordings"})
    assert done.status_code == 302
    certificate = services.current_certificate(enrolment)
    assert certificate.issue_reason == "Followed the recordings"
    revoked = client.post(f"/certificates/{certificate.code}/revoke",
                          data={"revoke-reason": "Recordings were not watched"})
    assert revoked.status_code == 302
    db.session.expire_all()
    assert certificate.status == "revoked"
    html = client.get(f"/trainings/{training.id}/certificates").get_data(as_text=True)
    assert "Recordings were not watched" in html


def test_hostile_names_are_escaped_on_pages(app, make, client, login):
    training, _e, organiser = certified_training(make, names=['<script>alert(1)</script>'])
    certificate = services.issue_all(training, actor=organiser, base="http://localhost")[0]
    db.session.commit()
    html = client.get(f"/verify/{certificate.code}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_web_downloads_are_private_files_and_the_credential_verifies(app, make, client, login):
    training, _e, organiser, (certificate,) = _issue(make, names=["Siti Rahmawati"])
    login(organiser)
    archive = client.get(f"/trainings/{training.id}/certificates.zip")
    assert archive.status_code == 200 and archive.mimetype == "application/zip"
    assert "attachment" in archive.headers["Content-Disposition"]
    assert f"certificates-{training.id}.zip" in archive.headers["Content-Disposition"]
    assert "private" in archive.headers["Cache-Control"]
    names = zipfile.ZipFile(io.BytesIO(archive.data)).namelist()
    assert names == [services.pdf_filename(certificate)]
    badge = client.get(f"/certificates/{certificate.code}/credential.json")
    assert badge.status_code == 200 and badge.mimetype == "application/vc+ld+json"
    assert f"open-badge-{certificate.code}.json" in badge.headers["Content-Disposition"]
    key = openbadges.issuer_profile("http://localhost")["verificationMethod"][0]["publicKeyMultibase"]
    assert openbadges.verify(badge.json, key)


def test_web_logo_upload_checks_the_organisation_and_the_image(app, make, client, login):
    training, _e, organiser = certified_training(make, names=[])
    login(organiser)
    organisation = training.organisations[0]
    url = f"/trainings/{training.id}/certificates/logo"
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'
    stranger = client.post(url, data={"logo-organisation_id": "999999",
                                      "logo-logo": (io.BytesIO(svg), "l.svg")})
    assert stranger.status_code == 404
    bad = client.post(url, data={"logo-organisation_id": str(organisation.id),
                                 "logo-logo": (io.BytesIO(b"GIF89a..."), "l.gif")})
    assert bad.status_code == 422 and "PNG, JPEG or SVG" in bad.get_data(as_text=True)
    good = client.post(url, data={"logo-organisation_id": str(organisation.id),
                                  "logo-logo": (io.BytesIO(svg), "l.svg")})
    assert good.status_code == 302
    assert services.training_claims(training)["organisations"][0]["logo"] is not None


def test_the_verify_page_is_shared_by_viewers_who_read_the_same(app, make, client):
    from trainings.scheduling.page import fragments
    _training, _e, _organiser, (first, second) = _issue(make, names=["Siti Rahmawati", "Rabia Khan"])
    kept = fragments("verify_body")
    page = client.get(f"/verify/{first.code}").get_data(as_text=True)
    count = len(kept)
    other = app.test_client().get(f"/verify/{first.code}").get_data(as_text=True)
    assert other == page and len(kept) == count  # a second visitor: the same content, kept
    assert first.name in page and second.name not in page
    theirs = client.get(f"/verify/{second.code}").get_data(as_text=True)
    assert second.name in theirs and first.name not in theirs and len(kept) == count + 1
    indonesian = client.get(f"/verify/{first.code}", headers={"Accept-Language": "id"})
    assert "Kode verifikasi" in indonesian.get_data(as_text=True) and len(kept) == count + 2
    mounted = client.get(f"/verify/{first.code}", environ_overrides={"SCRIPT_NAME": "/anyam"})
    assert f'href="/anyam/certificates/{first.code}/credential.json"' in mounted.get_data(as_text=True)
