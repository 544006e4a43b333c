"""Demo: a hybrid three-day regional gathering of 90 participants from 20 organisations,
with three thematic groups, a venue with accessibility information in both languages and
interpretation (Indonesian–English, BISINDO). Starts three weeks from the day it is
loaded, so My schedule shows it ahead. Names of the 60 added participants are fictional.
Idempotent: a second call changes nothing."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from ..enrolment.groups import services as groups
from ..enrolment.models import Enrolment
from ..extensions import db
from ..scheduling import services as scheduling
from ..scheduling.models import Training

TITLE_ID = "Temu Jaringan Regional 2027: Bertahan dan Bertumbuh Bersama"
TITLE_EN = "Regional Network Gathering 2027: Staying Well, Growing Together"
VENUE = {
    "name": "Balai Temu Nusantara",
    "address": "Jl. Cempaka Putih Raya 12, Jakarta Pusat 10510",
    "accessibility": {
        "id": "Pintu masuk tanpa tangga dan lift ke semua lantai; toilet aksesibel di setiap "
              "lantai; ruang tenang di lantai 2; materi cetak huruf besar tersedia.",
        "en": "Step-free entrance and lifts to every floor; accessible toilets on each floor; "
              "a quiet room on floor 2; large-print materials available."},
}
INTERPRETATION = ["id-en", "sign:BISINDO"]
THEMES = [("Kesejahteraan dan keselamatan", "Wellness and safety"),
          ("Relevansi strategis", "Strategic relevance"),
          ("Ketahanan kelembagaan", "Institutional resilience")]
DAYS = [
    # (morning: mode, title id, title en), (afternoon: mode, title id, title en)
    (("hybrid", "Pembukaan dan pleno: keadaan jaringan", "Opening plenary: the state of the network"),
     ("in_person", "Kerja kelompok tematik I", "Thematic group work I")),
    (("in_person", "World Café: belajar dari satu sama lain", "World Café: learning from each other"),
     ("in_person", "Kerja kelompok tematik II", "Thematic group work II")),
    (("in_person", "Kerja kelompok tematik III", "Thematic group work III"),
     ("hybrid", "Pleno penutup: rencana bersama", "Closing plenary: shared plans")),
]
ORGANISATIONS = [
    # organisation, country
    ("Kalyanamitra", "ID"), ("LBH APIK", "ID"), ("Koalisi Perempuan Indonesia", "ID"),
    ("Solidaritas Perempuan", "ID"), ("Yayasan Pulih", "ID"), ("PEKKA", "ID"),
    ("Rifka Annisa", "ID"), ("KAPAL Perempuan", "ID"), ("Sisters in Islam", "MY"),
    ("Women's Aid Organisation", "MY"), ("Tenaganita", "MY"), ("Empower Malaysia", "MY"),
    ("Shirkat Gah", "PK"), ("Aurat Foundation", "PK"), ("Blue Veins", "PK"),
    ("Women's Action Forum", "PK"), ("Fokupers", "TL"), ("Alola Foundation", "TL"),
    ("Gabriela", "PH"), ("Likhaan", "PH"),
]
FIRST = ["Ani", "Sari", "Wati", "Intan", "Lestari", "Mega", "Putri", "Rahma", "Yuni", "Tari",
         "Aminah", "Farida", "Nadia", "Zahra", "Laila", "Rosa", "Joana", "Maria", "Liza", "Grace"]
LAST = ["Wibowo", "Hasibuan", "Pratiwi", "Nasution", "Rahman", "Ismail", "Hussain", "Akhtar",
        "da Costa", "Soares", "Santos", "Reyes", "Lim", "Tan", "Kaur", "Noor", "Siregar",
        "Pangaribuan", "Manurung", "Situmorang"]
ZONES = {"ID": "Asia/Jakarta", "MY": "Asia/Kuala_Lumpur", "PK": "Asia/Karachi",
         "TL": "Asia/Dili", "PH": "Asia/Manila"}


def load_demo_gathering(course: Training) -> Training | None:
    """The gathering (``None`` when it exists already). The course's accepted participants
    come too, with 60 more from the member organisations: 90 in all."""
    if db.session.scalar(select(Training.id).where(Training.title_en == TITLE_EN)):
        return None
    organiser = next((s.user for s in course.staff if s.role == "organiser"), None)
    facilitators = [s.user for s in course.staff if s.role == "facilitator"]
    gathering = scheduling.create_training({
        "title": {"id": TITLE_ID, "en": TITLE_EN},
        "description": {
            "id": "Pertemuan tiga hari (hybrid) bagi 90 peserta dari 20 organisasi anggota: "
                  "kerja kelompok tematik dan World Café.",
            "en": "A three-day hybrid meeting for 90 participants from 20 member "
                  "organisations: thematic group work and World Café rounds."},
        "timezone": "Asia/Jakarta", "capacity": 90,
        "organisations": [o.name for o in course.organisations],
        "certificate_rule": {"min_sessions": 5},
    }, actor=organiser)
    first_day = (datetime.now(UTC) + timedelta(days=21)).date()
    emails = [u.email for u in facilitators]
    for offset, halves in enumerate(DAYS):
        day = first_day + timedelta(days=offset)
        for (mode, title_id, title_en), hour in zip(halves, ("09:00", "13:30"), strict=True):
            data = {"title": {"id": title_id, "en": title_en},
                    "starts_at": f"{day.isoformat()}T{hour}:00+07:00", "duration_minutes": 180,
                    "mode": mode, "venue": VENUE, "interpretation": INTERPRETATION,
                    "facilitators": emails}
            if mode == "hybrid":
                data["meeting_url"] = f"https://meet.example.org/temu-jaringan-{offset + 1}"
            scheduling.create_session(gathering, data, actor=organiser)
    _participants(course, gathering)
    for index, (name_id, name_en) in enumerate(THEMES):
        groups.create_group(gathering, {
            "name": {"id": name_id, "en": name_en}, "capacity": 30,
            "facilitators": [emails[index % len(emails)]] if emails else []}, actor=organiser)
    groups.assign(gathering, ["country", "organisation"], actor=organiser)
    db.session.flush()
    return gathering


def _participants(course: Training, gathering: Training) -> None:
    accepted = list(db.session.scalars(select(Enrolment).where(
        Enrolment.training_id == course.id, Enrolment.status == "accepted")
        .order_by(Enrolment.id)))
    for e in accepted:
        db.session.add(Enrolment(
            training_id=gathering.id, user_id=e.user_id, name=e.name, email=e.email,
            country_code=e.country_code, organisation=e.organisation, sector=e.sector,
            timezone=e.timezone, language=e.language, accessibility_needs=e.accessibility_needs,
            accessibility_consent=e.accessibility_consent, status="accepted"))
    for i in range(90 - len(accepted)):
        org, country = ORGANISATIONS[i % len(ORGANISATIONS)]
        name = f"{FIRST[i % len(FIRST)]} {LAST[(i * 7 + i // len(FIRST)) % len(LAST)]}"
        local = name.lower().replace(" ", ".").replace("'", "")
        db.session.add(Enrolment(
            training_id=gathering.id, name=name, email=f"{local}.{i + 1}@example.org",
            country_code=country, organisation=org, sector="activist",
            timezone=ZONES[country], language="id" if country == "ID" else "en",
            status="accepted"))
    db.session.flush()
