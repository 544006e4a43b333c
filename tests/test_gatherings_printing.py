"""Badges and sign-in sheets (PDF gateway), the gathering pages, check-in pages, My schedule."""
import io

from pypdf import PdfReader
from sqlalchemy import func, select

from trainings.attendance.models import AttendanceChange, AttendanceRecord
from trainings.enrolment.groups import services as groups
from trainings.extensions import db


def _text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(p.extract_text() for p in reader.pages).replace("\n", " ")


def _gathering(make, people=10):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser, sessions=2)
    session = training.sessions[0]
    session.mode, session.venue_name = "in_person", "Wisma Hijau"
    # emails without digits: the check-in search matches name and email, and the
    # factories' numbered emails (user101@...) would match "01" depending on test order
    enrolments = [make.enrolment(training, name=f"Peserta {i:02d}", organisation="INFID",
                                 email=f"peserta.{chr(97 + i % 26)}{chr(97 + i // 26)}@example.org",
                                 country="MY" if i % 2 else "ID", commit=False)
                  for i in range(people)]
    db.session.commit()
    return organiser, training, session, enrolments


def test_badges_pdf_has_every_accepted_person_with_a_qr(make, login, client):
    organiser, training, session, enrolments = _gathering(make, people=10)
    make.enrolment(training, name="Menunggu Saja", status="waitlisted")
    make.enrolment(training, name="سعدیہ خان", country="PK")
    login(organiser)
    response = client.get(f"/trainings/{training.id}/badges.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 2  # 11 badges, 8 per A4 page
    text = _text(response.data)
    assert "Peserta 00" in text and "Peserta 09" in text and "Menunggu" not in text
    assert "INFID" in text and "Malaysia" in text
    # each badge carries the person's check-in code (QR, and printed under it)
    for enrolment in enrolments:
        assert enrolment.checkin_code in text.replace(" ", "")
    from trainings.printing.services import badges_context
    first = badges_context(training)["pages"][0][0]
    assert first["qr"].startswith("data:image/png")


def test_sign_in_sheet_pdf_has_names_and_a_signature_column(make, api):
    organiser, training, session, enrolments = _gathering(make, people=3)
    response = api(organiser).get(f"/sessions/{session.id}/sign-in-sheet.pdf")
    assert response.status_code == 200
    text = _text(response.data)
    assert "Daftar hadir" in text and "Sign-in sheet" in text
    assert "Tanda tangan" in text and "Signature" in text
    assert "Peserta 00" in text and "Wisma Hijau" in text


def test_printed_material_is_for_organisers(make, api, client):
    organiser, training, session, enrolments = _gathering(make, people=1)
    facilitator = make.user("facilitator")
    session.facilitators.append(facilitator)
    db.session.commit()
    assert api(facilitator).get(f"/trainings/{training.id}/badges.pdf").status_code == 403
    assert client.get(f"/sessions/{session.id}/sign-in-sheet.pdf",
                      headers={"Authorization": "Bearer nonsense"}).status_code == 401
    assert client.get(f"/trainings/{training.id}/badges.pdf").status_code in (302, 401)


def test_checkin_page_search_and_check_in_by_name(make, login, client):
    organiser, training, session, enrolments = _gathering(make, people=3)
    facilitator = make.user("facilitator")
    session.facilitators.append(facilitator)
    db.session.commit()
    login(facilitator)
    page = client.get(f"/sessions/{session.id}/checkin?q=peserta 01").get_data(as_text=True)
    assert "Peserta 01" in page and "Peserta 02" not in page
    assert "vendor/jsqr/jsQR.js" in page and "<script>" not in page
    target = enrolments[1]
    for _ in range(2):
        response = client.post(f"/sessions/{session.id}/checkin?q=peserta",
                               data={"enrolment": str(target.id)},
                               follow_redirects=True)
        assert response.status_code == 200
    assert "had already checked in" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(AttendanceChange.id))) == 1


def test_checkin_json_for_the_camera_page(make, login, client):
    organiser, training, session, enrolments = _gathering(make, people=2)
    login(organiser)
    page = client.get(f"/sessions/{session.id}/checkin").get_data(as_text=True)
    assert 'data-url="/sessions/' in page
    headers = {}
    url = f"/sessions/{session.id}/checkin.json"
    ok = client.post(url, json={"code": enrolments[0].checkin_code}, headers=headers)
    assert ok.status_code == 200 and ok.get_json()["status"] == "present"
    other = make.enrolment(make.training())
    bad = client.post(url, json={"code": other.checkin_code}, headers=headers)
    assert bad.status_code == 404 and bad.get_json()["error"]["message"]
    assert db.session.scalar(select(func.count(AttendanceRecord.id))) == 1


def test_signed_sheet_recorded_as_present(make, login, client):
    organiser, training, session, enrolments = _gathering(make, people=3)
    login(organiser)
    page = client.get(f"/sessions/{session.id}/sign-in-sheet").get_data(as_text=True)
    assert f'value="{enrolments[1].id}"' in page
    response = client.post(f"/sessions/{session.id}/sign-in-sheet",
                           data={"signed": [str(enrolments[0].id), str(enrolments[2].id)]})
    assert response.status_code == 302
    rows = db.session.execute(select(AttendanceChange.enrolment_id, AttendanceChange.source)).all()
    assert sorted(rows) == sorted([(enrolments[0].id, "sheet"), (enrolments[2].id, "sheet")])


def test_gathering_page_groups_join_and_my_schedule(make, login, client):
    organiser, training, session, enrolments = _gathering(make, people=2)
    group = groups.create_group(training, {"name": {"id": "Relevansi strategis",
                                                    "en": "Strategic relevance"},
                                           "capacity": 2}, actor=organiser)
    db.session.commit()
    person = make.user(language="en")
    own = make.enrolment(training, user=person)
    login(person)
    page = client.get(f"/trainings/{training.id}/gathering").get_data(as_text=True)
    assert "Strategic relevance" in page and "Peserta 00" not in page  # no member lists
    assert client.post(f"/groups/{group.id}/join", data={}).status_code == 302
    schedule = client.get("/me/schedule").get_data(as_text=True)
    assert own.checkin_code in schedule and "data:image/svg+xml" in schedule
    assert "Strategic relevance" in schedule


def test_organiser_creates_groups_and_assigns_on_the_page(make, login, client):
    organiser, training, session, enrolments = _gathering(make, people=4)
    login(organiser)
    page = client.get(f"/trainings/{training.id}/gathering").get_data(as_text=True)
    assert "Add a group" in page and "badges.pdf" in page
    bad = client.post(f"/trainings/{training.id}/groups",
                      data={"name_en": "Too small", "capacity": "0"})
    assert bad.status_code == 422
    for name in ("A", "B"):
        client.post(f"/trainings/{training.id}/groups",
                    data={"name_en": name, "capacity": "2"})
    response = client.post(f"/trainings/{training.id}/groups/assign",
                           data={"by_country": "y"}, follow_redirects=True)
    assert "4 participants are placed in groups." in response.get_data(as_text=True)
    assert "Peserta 03" in response.get_data(as_text=True)
