"""Names people confirm before issuing, reminders, the preview PDF, the signature warning,
bulk revocation (services without HTTP; views for wiring and permissions)."""
from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from trainings.certificates import services
from trainings.certificates.models import Certificate
from trainings.errors import Conflict, ValidationError
from trainings.extensions import db
from trainings.outbox.models import OutboxMessage

from .certificates_helpers import attend, certified_training

BASE = "http://localhost"


def _with_user(make, training, name="Mira Khan"):
    person = make.user("participant", name=name)
    enrolment = make.enrolment(training, user=person, name=name)
    attend(enrolment, training.sessions)
    db.session.commit()
    return person, enrolment


def test_a_confirmed_name_in_any_script_is_printed_and_frozen_at_issuing(app, make):
    training, _e, organiser = certified_training(make, names=[])
    person, enrolment = _with_user(make, training)
    assert services.name_state(enrolment)["confirmed"] is False
    services.confirm_name(enrolment, "  ميرا   خان ", actor=person)
    db.session.commit()
    state = services.name_state(enrolment)
    assert state["name"] == "ميرا خان" and state["confirmed"] and state["editable"]
    (certificate,) = services.issue_all(training, actor=organiser, base=BASE)
    assert certificate.name == "ميرا خان" and certificate.claims["name"] == "ميرا خان"
    db.session.commit()
    with pytest.raises(Conflict):
        services.confirm_name(enrolment, "Mira Khan", actor=person)
    assert services.name_state(enrolment)["editable"] is False


@pytest.mark.parametrize("bad", ["", "   ", "x" * 201, "Mira\u0000Khan", None, 42])
def test_a_bad_name_is_refused_and_writes_nothing(app, make, bad):
    training, _e, _o = certified_training(make, names=[])
    person, enrolment = _with_user(make, training)
    with pytest.raises(ValidationError) as error:
        services.confirm_name(enrolment, bad, actor=person)
    assert error.value.field == "name"
    db.session.rollback()
    assert services.name_state(enrolment)["confirmed"] is False


def test_organisers_see_who_has_not_confirmed_and_remind_them(app, make, client, login):
    training, (plain,), organiser = certified_training(make, names=["Rabia Khan"])
    person, enrolment = _with_user(make, training)
    services.confirm_name(enrolment, "Mira Khan", actor=person)
    db.session.commit()
    assert [e.id for e in services.unconfirmed(training)] == [plain.id]
    login(organiser)
    page = client.get(f"/trainings/{training.id}/certificates").get_data(as_text=True)
    assert "1 participant without a certificate has not confirmed" in page
    assert "Not confirmed" in page and "Confirmed" in page
    response = client.post(f"/trainings/{training.id}/certificates/remind-names")
    assert response.status_code == 302
    mails = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "certificate_name")).all()
    assert [m.to_email for m in mails] == [plain.email]
    assert f"/trainings/{training.id}/certificate-name" in mails[0].body


def test_the_participant_page_confirms_and_others_cannot_reach_it(app, make, client, login):
    training, _e, organiser = certified_training(make, names=[])
    person, enrolment = _with_user(make, training)
    url = f"/trainings/{training.id}/certificate-name"
    stranger = make.user("participant")
    login(stranger)
    assert client.get(url).status_code == 404
    client.post("/logout")
    login(person)
    page = client.get(url)
    assert page.status_code == 200 and "Not confirmed yet." in page.get_data(as_text=True)
    assert 'dir="auto"' in page.get_data(as_text=True)
    bad = client.post(url, data={"cn-name": ""})
    assert bad.status_code == 422
    done = client.post(url, data={"cn-name": "Mīra Khān"})
    assert done.status_code == 302
    assert services.name_state(enrolment)["name"] == "Mīra Khān"


def test_the_preview_pdf_issues_nothing(app, make, client, login):
    training, _e, organiser = certified_training(make, names=["Siti Rahmawati"])
    login(organiser)
    response = client.get(f"/trainings/{training.id}/certificates/preview.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    assert "Participant" in text or "Peserta" in text
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 0
    participant = make.user("participant")
    client.post("/logout")
    login(participant)
    assert client.get(f"/trainings/{training.id}/certificates/preview.pdf").status_code in (403, 404)


def test_issuing_warns_when_a_signatory_has_no_signature_image(app, make, client, login):
    training, _e, organiser = certified_training(make, names=["Siti Rahmawati"])
    services.add_signatory(training, actor=organiser, name="Dr. Ayu Lestari")
    db.session.commit()
    assert services.signatories_without_signature(training) == ["Dr. Ayu Lestari"]
    login(organiser)
    page = client.get(f"/trainings/{training.id}/certificates").get_data(as_text=True)
    assert "no signature image" in page and "Dr. Ayu Lestari" in page
    response = client.post(f"/trainings/{training.id}/certificates/issue-all",
                           follow_redirects=True)
    assert "no signature image" in response.get_data(as_text=True)


def test_bulk_revoke_is_all_or_nothing_and_sets_every_bit(app, make):
    training, _e, organiser = certified_training(make, names=["A One", "B Two", "C Three"])
    certificates = services.issue_all(training, actor=organiser, base=BASE)
    for certificate in certificates:
        services.credential(certificate, BASE)
    db.session.commit()
    codes = [c.code for c in certificates[:2]]
    with pytest.raises(ValidationError) as error:
        services.revoke_many(training, codes + ["0000-0000-0000-0000"], actor=organiser,
                             reason="Wrong course")
    assert error.value.details[0]["codes"] == ["0000-0000-0000-0000"]
    db.session.rollback()
    assert all(c.is_valid for c in certificates)
    assert services.revoke_many(training, codes, actor=organiser, reason="Wrong course") == 2
    db.session.commit()
    assert [services.verification(c, BASE)["status"] for c in certificates] == [
        "revoked", "revoked", "valid"]
    assert all(services.verification(c, BASE)["status_list"]["revoked"]
               for c in certificates[:2])
    with pytest.raises(ValidationError):
        services.revoke_many(training, codes, actor=organiser, reason="Again")
    with pytest.raises(ValidationError):
        services.revoke_many(training, [certificates[2].code], actor=organiser, reason="")


def test_reissue_links_old_and_new_and_revokes_the_old_credential(app, make):
    training, _e, organiser = certified_training(make, names=["Siti Rahmawti"])
    (old,) = services.issue_all(training, actor=organiser, base=BASE)
    services.credential(old, BASE)
    db.session.commit()
    new = services.reissue(old, actor=organiser, base=BASE, reason="Typo in the name",
                           name="Siti Rahmawati")
    db.session.commit()
    old_info, new_info = services.verification(old, BASE), services.verification(new, BASE)
    assert old_info["status"] == "replaced" and old_info["replaced_by"] == new.code
    assert old_info["status_list"]["revoked"] is True
    assert new_info["replaces"] == old.code and new_info["status"] == "valid"


def test_the_verify_page_reads_the_list_and_offers_the_credential_to_the_holder(
        app, make, client, login):
    training, _e, organiser = certified_training(make, names=[])
    person, enrolment = _with_user(make, training)
    (certificate,) = services.issue_all(training, actor=organiser, base=BASE)
    services.credential(certificate, BASE)
    db.session.commit()
    url = f"/verify/{certificate.code}"
    public = client.get(url).get_data(as_text=True)
    assert f"/certificates/{certificate.code}/credential.json" in public
    assert "linkedin.com" not in public  # only the holder is offered the LinkedIn link
    assert "/credentials/status/" in public
    assert "Certificate issued on" in public and "the training ended on" in public
    login(person)
    mine = client.get(url).get_data(as_text=True)
    assert "https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME" in mine
    assert f"certId={certificate.code}" in mine
    # The bit alone decides what the page says: set it behind the service's back.
    from trainings.certificates.services import status
    status.set_revoked(certificate)
    db.session.commit()
    assert services.verification(certificate, BASE)["status"] == "revoked"
    assert "Revoked" in client.get(url).get_data(as_text=True)


@pytest.mark.parametrize("typed", ["7KQ3-MX9D-2HTP-B4RW", "not-a-code"])
def test_a_mistyped_code_gets_a_helpful_page_in_both_languages(app, client, typed):
    response = client.get(f"/verify/{typed}")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert typed in html and 'name="code"' in html and f'value="{typed}"' in html
    assert "16 letters and digits" in html and 'lang="id"' in html
    assert ("right shape" in html) == (typed == "7KQ3-MX9D-2HTP-B4RW")
    api = client.get(f"/api/v1/verify/{typed}")
    assert api.status_code == 404 and api.json["error"]["code"] == "not_found"


def test_api_certificate_name_for_the_participant_only(app, make, api):
    training, _e, organiser = certified_training(make, names=[])
    person, enrolment = _with_user(make, training)
    url = f"/api/v1/me/enrolments/{enrolment.id}/certificate-name"
    mine = api(person)
    answer = mine.get(url)
    assert answer.status_code == 200
    assert answer.json == {"enrolment": enrolment.id, "name": "Mira Khan", "confirmed": False,
                           "confirmed_at": None, "editable": True}
    listed = api(organiser).get(f"/api/v1/trainings/{training.id}/certificates").json
    assert listed["unconfirmed_names"] == [{"enrolment": enrolment.id, "name": "Mira Khan"}]
    assert mine.put(url, json={"name": ""}).status_code == 422
    assert mine.put(url, json={"name": ["x"]}).status_code == 422
    done = mine.put(url, json={"name": "मीरा ख़ान"})
    assert done.status_code == 200 and done.json["confirmed"] and done.json["name"] == "मीरा ख़ान"
    assert api(organiser).get(url).status_code == 404  # the participant's own, not the organiser's
    assert api(organiser).get(f"/api/v1/trainings/{training.id}/certificates").json[
        "unconfirmed_names"] == []
    services.issue_all(training, actor=organiser, base=BASE)
    db.session.commit()
    late = mine.put(url, json={"name": "Mira"})
    assert late.status_code == 409 and late.json["error"]["code"] == "already_issued"


def test_api_bulk_revoke_and_preview(app, make, api):
    training, _e, organiser = certified_training(make, names=["A One", "B Two"])
    certificates = services.issue_all(training, actor=organiser, base=BASE)
    db.session.commit()
    client = api(organiser)
    url = f"/api/v1/trainings/{training.id}/certificates/revoke"
    assert client.post(url, json={"codes": "nope", "reason": "x"}).status_code == 422
    missing = client.post(url, json={"codes": [certificates[0].code]})
    assert missing.status_code == 422
    done = client.post(url, json={"codes": [c.code for c in certificates],
                                  "reason": "Held twice by mistake"})
    assert done.status_code == 200 and done.json == {"revoked": 2}
    participant = make.user("participant")
    assert api(participant).post(url, json={"codes": [], "reason": "x"}).status_code in (403, 404)
    preview = client.get(f"/api/v1/trainings/{training.id}/certificates/preview.pdf")
    assert preview.status_code == 200 and preview.data.startswith(b"%PDF")
    assert api(participant).get(
        f"/api/v1/trainings/{training.id}/certificates/preview.pdf").status_code in (403, 404)


def test_web_bulk_revoke_with_ticked_codes_and_one_reason(app, make, client, login):
    training, _e, organiser = certified_training(make, names=["A One", "B Two", "C Three"])
    certificates = services.issue_all(training, actor=organiser, base=BASE)
    db.session.commit()
    url = f"/trainings/{training.id}/certificates/revoke"
    participant = make.user("participant")
    login(participant)
    assert client.post(url, data={"bulk-codes": [certificates[0].code],
                                  "bulk-reason": "x"}).status_code in (403, 404)
    assert client.post(f"/trainings/{training.id}/certificates/remind-names").status_code in (
        403, 404)
    client.post("/logout")
    login(organiser)
    page = client.get(f"/trainings/{training.id}/certificates").get_data(as_text=True)
    assert 'form="bulk-revoke"' in page and 'id="bulk-revoke"' in page
    done = client.post(url, data={"bulk-codes": [c.code for c in certificates[:2]],
                                  "bulk-reason": "Recorded twice"}, follow_redirects=True)
    assert "2 certificates revoked." in done.get_data(as_text=True)
    db.session.expire_all()
    assert [c.status for c in certificates] == ["revoked", "revoked", "valid"]
    assert {c.revoke_reason for c in certificates[:2]} == {"Recorded twice"}
    nothing = client.post(url, data={"bulk-reason": "x"})
    assert nothing.status_code == 422
    assert "Give the codes of the certificates to revoke." in nothing.get_data(as_text=True)
    no_reason = client.post(url, data={"bulk-codes": [certificates[2].code]})
    assert no_reason.status_code == 422 and 'id="bulk-reason-error"' in no_reason.get_data(
        as_text=True)
    db.session.expire_all()
    assert certificates[2].status == "valid"


def test_a_signature_image_is_added_later_and_checked_like_logos(app, make, client, login):
    training, _e, organiser = certified_training(make, names=["Siti Rahmawati"])
    signatory = services.add_signatory(training, actor=organiser, name="Dr. Ayu Lestari")
    db.session.commit()
    login(organiser)
    url = f"/trainings/{training.id}/certificates/signatories/{signatory.id}/signature"
    field = f"sig{signatory.id}-signature"
    hostile = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    bad = client.post(url, data={field: (io.BytesIO(hostile), "s.svg")})
    assert bad.status_code == 422
    assert "This SVG cannot be used" in bad.get_data(as_text=True)
    assert services.signatories_without_signature(training) == ["Dr. Ayu Lestari"]
    svg = (b'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="10">'
           b'<path d="M0 5 L40 5" stroke="#000"/></svg>')
    good = client.post(url, data={field: (io.BytesIO(svg), "s.svg")})
    assert good.status_code == 302
    assert services.signatories_without_signature(training) == []
    other, _x, _o = certified_training(make, names=[])
    assert client.post(f"/trainings/{other.id}/certificates/signatories/{signatory.id}/signature",
                       data={field: (io.BytesIO(svg), "s.svg")}).status_code in (403, 404)
