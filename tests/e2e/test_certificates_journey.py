"""The organiser issues every certificate with a progress bar; anyone verifies one; axe passes."""
from sqlalchemy import select

from trainings.attendance.models import AttendanceRecord
from trainings.certificates import services
from trainings.certificates.demo import load_demo_certificates
from trainings.certificates.models import Certificate
from trainings.demo import DEMO_PASSWORD, load_demo
from trainings.enrolment.models import Enrolment
from trainings.extensions import db

from .conftest import axe_violations, log_in


def test_organiser_issues_all_then_the_public_verifies(live_server, page):
    live_server.config["JOBS_MODE"] = "thread"  # the real background path, polled by the page
    training, _ = load_demo()
    load_demo_certificates(training)
    enrolments = list(db.session.scalars(select(Enrolment).where(Enrolment.training_id == training.id)))
    for enrolment in enrolments[:6]:  # at least six people attended every session
        for session in training.sessions:
            record = db.session.scalar(select(AttendanceRecord).where(
                AttendanceRecord.session_id == session.id,
                AttendanceRecord.enrolment_id == enrolment.id))
            if record is None:
                db.session.add(AttendanceRecord(session_id=session.id, enrolment_id=enrolment.id,
                                                status="present"))
            else:
                record.status = "present"
    db.session.commit()
    expected = len(services.missing_eligible(training))
    assert expected >= 6
    base = live_server.live_url

    log_in(page, base, "organiser@example.org", DEMO_PASSWORD)
    page.goto(f"{base}/trainings/{training.id}/certificates")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Sertifikat")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Terbitkan semua sertifikat").click()
    page.wait_for_url("**/jobs/**")
    assert page.locator("progress").count() == 1
    assert axe_violations(page) == []
    # The script polls the job and reloads the page when it is done.
    page.get_by_text(f"Selesai: {expected} sertifikat diterbitkan.").wait_for(timeout=90000)
    assert page.get_by_role("link", name="Unduh semua (ZIP)").is_visible()

    db.session.expire_all()
    certificate = db.session.scalars(select(Certificate)).first()
    context = page.context
    context.clear_cookies()
    page.goto(base + "/verify")
    assert axe_violations(page) == []
    page.get_by_label("Verification code").fill(certificate.code.lower().replace("-", ""))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(f"**/verify/{certificate.code}")
    assert page.get_by_role("heading", level=1).inner_text() == f"Certificate {certificate.code}"
    assert page.get_by_text(certificate.name).first.is_visible()
    assert page.get_by_text("Valid: this certificate was issued as shown below.").is_visible()
    assert axe_violations(page) == []


def test_a_participant_confirms_the_name_and_a_mistyped_code_helps(live_server, page):
    """Keyboard only, at 320 px: the name page, then the helpful page for a mistyped code."""
    from trainings.demo import DEMO_PARTICIPANT
    training, _ = load_demo()
    load_demo_certificates(training)
    db.session.commit()
    base = live_server.live_url
    page.set_viewport_size({"width": 320, "height": 800})
    log_in(page, base, DEMO_PARTICIPANT, DEMO_PASSWORD)
    page.goto(f"{base}/trainings/{training.id}/certificate-name")
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    field = page.get_by_label("Your name as it will be printed")
    field.focus()
    field.fill("عائشہ صدیقی")
    page.keyboard.press("Enter")
    page.get_by_text("Thank you: your name will be printed as you confirmed it.").wait_for()
    assert page.get_by_text("عائشہ صدیقی").first.is_visible()
    assert axe_violations(page) == []

    page.context.clear_cookies()
    response = page.goto(base + "/verify/7KQ3-MX9D-2HTP-B4RX")
    assert response.status == 404
    assert page.get_by_role("heading", level=1).inner_text().startswith("No certificate has this code")
    assert page.get_by_label("Verification code").input_value() == "7KQ3-MX9D-2HTP-B4RX"
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
