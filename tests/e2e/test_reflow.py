"""WCAG 1.4.10 Reflow: at 320 CSS pixels no page scrolls sideways. Every HTML page the
url_map offers is visited by a visitor, a participant, a facilitator and an organiser
over demo-like data (a training with sessions, participants, attendance, a certificate);
wide data tables may scroll inside their own labelled container, the page may not."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests import factories
from trainings.attendance.models import AttendanceRecord
from trainings.enrolment.models import Enrolment
from trainings.extensions import db

from .conftest import log_in

WIDTH = 320
SKIP_ENDPOINTS = {"static", "core.healthz", "core.favicon", "overview.my_calendar"}
FILE_ANSWERS = re.compile(r"\.(pdf|zip|csv|xlsx|ics|json)$")


@pytest.fixture
def world(live_server):
    organiser = factories.user("organiser", name="Organiser Orla")
    facilitator = factories.user("facilitator", name="Fasilitator Fitri")
    participant = factories.user("participant", name="Peserta Putri")
    training = factories.training(
        organiser=organiser, facilitators=[facilitator], sessions=6, capacity=30,
        quotas={"ID": 10, "MY": 8, "PK": 7}, certificate_rule={"min_sessions": 1},
        title_en="Feminist leadership for community organisers in South and Southeast Asia",
        title_id="Kepemimpinan feminis bagi pengorganisir komunitas di Asia Selatan dan Tenggara")
    training.applications_open = True
    # six sessions held in 2023 and one still to come: the application page takes applications
    factories.session(training, starts_at=factories.in_days(7), title_en="Closing session",
                      commit=False)
    for s in training.sessions:
        s.facilitators.append(facilitator)
    names = ["Nur Aisyah binti Abdullah Rahman", "Çağla Demir-Özdemir", "زینب بی بی",
             "Ṣāima Qureshi", "Tan Mei Ling", "Siti Nurhalizah Wulandari"]
    people = [factories.enrolment(training, name=n, country=c, commit=False,
                                  organisation="Yayasan Perempuan Mandiri Sejahtera Nusantara")
              for n, c in zip(names, ["MY", "MY", "PK", "PK", "MY", "ID"], strict=True)]
    mine = factories.enrolment(training, user=participant, country="ID", commit=False)
    factories.enrolment(training, name="Waiting Wati", status="waitlisted", commit=False)
    db.session.commit()
    for person in [*people, mine]:
        for s in training.sessions[:4]:
            db.session.add(AttendanceRecord(session_id=s.id, enrolment_id=person.id,
                                            status="present", note="Kamera mati, suara jelas"))
    db.session.commit()
    from trainings.certificates import services as certificates
    issued = certificates.issue_all(training, actor=organiser, base=live_server.live_url)
    db.session.commit()
    return {"organiser": organiser, "facilitator": facilitator, "participant": participant,
            "training": training, "session": training.sessions[0], "enrolment": people[0],
            "code": issued[0].code if issued else None, "mine": mine}


def page_urls(app, world) -> list[str]:
    values = {"training_id": world["training"].id, "session_id": world["session"].id,
              "enrolment_id": world["enrolment"].id, "code": world["code"],
              "slug": "kepemimpinan-perempuan"}
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in SKIP_ENDPOINTS:
            continue
        if rule.rule.startswith(("/api/", "/static/")) or FILE_ANSWERS.search(rule.rule):
            continue
        if any(arg not in values or values[arg] is None for arg in rule.arguments):
            continue  # tokens, job ids, files: pages reached only through a link
        url = rule.rule
        for arg in rule.arguments:
            url = re.sub(r"<(?:\w+(?:\([^)]*\))?:)?" + arg + ">", str(values[arg]), url)
        urls.append(url)
    return sorted(set(urls))


def overflowing(page, base: str, urls: list[str]) -> dict[str, int]:
    wide = {}
    for url in urls:
        response = page.goto(base + url)
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            continue
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > WIDTH:
            wide[url] = (width, page.evaluate(CULPRITS, WIDTH))
    return wide


# the innermost elements sticking out on the right: named in the failure message
CULPRITS = """width => Array.from(document.querySelectorAll('body *'))
  .filter(e => e.getBoundingClientRect().right > width + 0.5
               && !Array.from(e.children).some(c => c.getBoundingClientRect().right > width + 0.5))
  .slice(0, 4)
  .map(e => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ').join('.') : '')
            + ' ' + Math.round(e.getBoundingClientRect().right) + ' ' + (e.textContent || '').trim().slice(0, 30))"""


@pytest.mark.parametrize("who", ["visitor", "participant", "facilitator", "organiser"])
def test_no_page_scrolls_sideways_at_320_px(live_server, browser, world, who):
    urls = page_urls(live_server, world)
    assert len(urls) >= 25  # the url_map was read, not a hand-made list
    context = browser.new_context(locale="en-GB", timezone_id="Asia/Jakarta",
                                  viewport={"width": WIDTH, "height": 640})
    page = context.new_page()
    try:
        if who != "visitor":
            log_in(page, live_server.live_url, world[who].email, factories.PASSWORD)
        else:  # the home page lists the open training: it sends the browser's zone once and
            page.goto(live_server.live_url + "/")  # reloads; let that happen before measuring
            page.wait_for_load_state("networkidle")
        wide = overflowing(page, live_server.live_url, urls)
        assert wide == {}
    finally:
        context.close()
    assert db.session.scalar(select(db.func.count()).select_from(Enrolment)) == 8
