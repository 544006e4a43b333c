"""The demo course: the reference case Anyam is built for.

"Kepemimpinan Perempuan dalam Pemenuhan Hak Asasi Manusia dan Demokrasi yang Berkeadilan",
co-organised by Komnas Perempuan and INFID: 7 online sessions in December 2023, 30
participants (10 each from Indonesia, Malaysia and Pakistan). Names and organisations of
participants are fictional. Loading twice changes nothing.
"""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from .auth.models import User
from .auth.services import get_user_by_email
from .enrolment.models import Enrolment
from .extensions import db
from .scheduling.models import (
    Organisation,
    Training,
    TrainingCountryQuota,
    TrainingOrganisation,
    TrainingSession,
    TrainingStaff,
)

DEMO_PASSWORD = "anyam-demo-2023"  # noqa: S105 - demo accounts only
TITLE_ID = "Kepemimpinan Perempuan dalam Pemenuhan Hak Asasi Manusia dan Demokrasi yang Berkeadilan"
TITLE_EN = "Women's Leadership in Fulfilling Human Rights and Just Democracy"

STAFF = [
    # email, name, role, language, timezone
    ("admin@example.org", "Admin Anyam", "admin", "en", "Asia/Jakarta"),
    ("organiser@example.org", "Dewi Kartikasari", "organiser", "id", "Asia/Jakarta"),
    ("fasilitator@example.org", "Ratna Widyaningsih", "facilitator", "id", "Asia/Jakarta"),
    ("facilitator@example.org", "Farah Iqbal", "facilitator", "en", "Asia/Karachi"),
]

SESSIONS = [
    # day in December 2023, title (id), title (en), description (id), description (en)
    (5, "Dasar-dasar Hak Asasi Manusia", "Foundations of Human Rights",
     "Prinsip universal HAM, instrumen internasional, dan mekanisme nasional.",
     "Universal human-rights principles, international instruments and national mechanisms."),
    (7, "Perspektif Gender dan Interseksionalitas", "Gender Perspective and Intersectionality",
     "Membaca ketidakadilan gender dan bagaimana ia bertaut dengan kelas, agama, dan disabilitas.",
     "Reading gender injustice and how it intersects with class, religion and disability."),
    (12, "Demokrasi yang Berkeadilan", "Just Democracy",
     "Partisipasi perempuan dalam demokrasi dan ruang sipil yang menyempit.",
     "Women's participation in democracy and the shrinking civic space."),
    (14, "Kepemimpinan Perempuan", "Women's Leadership",
     "Gaya kepemimpinan transformatif, kepemimpinan kolektif, dan perawatan diri.",
     "Transformative and collective leadership styles, and care for oneself."),
    (19, "Inklusi Sosial dan Anti-Ableisme", "Social Inclusion and Anti-Ableism",
     "Merancang gerakan yang dapat diakses dan inklusif bagi penyandang disabilitas.",
     "Designing movements that are accessible and inclusive of people with disabilities."),
    (21, "Strategi Advokasi", "Advocacy Strategies",
     "Pemetaan aktor, pesan kunci, dan advokasi kebijakan lintas negara.",
     "Stakeholder mapping, key messages and cross-border policy advocacy."),
    (28, "Perencanaan Aksi", "Action Planning",
     "Menyusun rencana aksi pribadi dan bersama untuk enam bulan ke depan.",
     "Drafting personal and shared action plans for the next six months."),
]

PARTICIPANTS = [
    # name, email local part, country, organisation, sector, timezone, language, accessibility needs
    ("Siti Rahmawati", "siti.rahmawati", "ID", "Kalyanamitra", "activist", "Asia/Jakarta", "id", None),
    ("Ni Luh Putu Ayu Lestari", "ayu.lestari", "ID", "Universitas Udayana", "academic", "Asia/Makassar", "id", None),
    ("Maria Fransiska Lamba", "maria.lamba", "ID", "Yayasan Perempuan Papua", "activist", "Asia/Jayapura", "id", "Live captions"),
    ("Nurul Hidayah", "nurul.hidayah", "ID", "UIN Sunan Kalijaga", "academic", "Asia/Jakarta", "id", None),
    ("Rini Handayani", "rini.handayani", "ID", "LBH APIK Jakarta", "activist", "Asia/Jakarta", "id", None),
    ("Wulan Sari Dewi", "wulan.dewi", "ID", "Universitas Gadjah Mada", "academic", "Asia/Jakarta", "en", None),
    ("Andi Fatimah Azzahra", "andi.azzahra", "ID", "Solidaritas Perempuan Anging Mammiri", "activist", "Asia/Makassar", "id", "Sign language interpreting (BISINDO)"),
    ("Yuliana Siregar", "yuliana.siregar", "ID", "Perempuan AMAN", "activist", "Asia/Jakarta", "id", None),
    ("Dian Kusumawardani", "dian.kusuma", "ID", "Universitas Indonesia", "academic", "Asia/Jakarta", "id", None),
    ("Cut Nyak Meutia Zahra", "meutia.zahra", "ID", "Flower Aceh", "activist", "Asia/Jakarta", "id", "Audio-only participation"),
    ("Nur Aisyah binti Abdullah", "nur.aisyah", "MY", "Sisters in Islam", "activist", "Asia/Kuala_Lumpur", "en", None),
    ("Tan Mei Ling", "tan.meiling", "MY", "Universiti Malaya", "academic", "Asia/Kuala_Lumpur", "en", None),
    ("Kavitha Ramasamy", "kavitha.ramasamy", "MY", "Women's Aid Organisation", "activist", "Asia/Kuala_Lumpur", "en", "Live captions"),
    ("Siti Zubaidah Ismail", "zubaidah.ismail", "MY", "Universiti Kebangsaan Malaysia", "academic", "Asia/Kuala_Lumpur", "id", None),
    ("Dayang Nurfaizah", "dayang.nurfaizah", "MY", "Sarawak Women for Women Society", "activist", "Asia/Kuching", "en", None),
    ("Lim Siew Hoon", "lim.siewhoon", "MY", "Universiti Sains Malaysia", "academic", "Asia/Kuala_Lumpur", "en", None),
    ("Priya Devi Subramaniam", "priya.subramaniam", "MY", "Tenaganita", "activist", "Asia/Kuala_Lumpur", "en", None),
    ("Fatimah Az-Zahra Hassan", "fatimah.hassan", "MY", "Universiti Putra Malaysia", "academic", "Asia/Kuala_Lumpur", "id", None),
    ("Jennifer Anak Jawa", "jennifer.jawa", "MY", "Persatuan Wanita Iban", "activist", "Asia/Kuching", "en", "Large-print materials"),
    ("Nor Hafizah Osman", "hafizah.osman", "MY", "Empower Malaysia", "activist", "Asia/Kuala_Lumpur", "en", None),
    ("Ayesha Siddiqui", "ayesha.siddiqui", "PK", "Aurat March Collective", "activist", "Asia/Karachi", "en", None),
    ("Dr. Sana Malik", "sana.malik", "PK", "Quaid-i-Azam University", "academic", "Asia/Karachi", "en", None),
    ("Rabia Khan", "rabia.khan", "PK", "Shirkat Gah", "activist", "Asia/Karachi", "en", "Live captions"),
    ("Mehwish Baloch", "mehwish.baloch", "PK", "University of Balochistan", "academic", "Asia/Karachi", "en", None),
    ("Zainab Qureshi", "zainab.qureshi", "PK", "Aurat Foundation", "activist", "Asia/Karachi", "en", None),
    ("Hina Jilani Raza", "hina.raza", "PK", "Lahore University of Management Sciences", "academic", "Asia/Karachi", "en", None),
    ("Nighat Parveen", "nighat.parveen", "PK", "Sindh Community Foundation", "activist", "Asia/Karachi", "en", "Screen-reader accessible documents"),
    ("Amna Yousafzai", "amna.yousafzai", "PK", "University of Peshawar", "academic", "Asia/Karachi", "en", None),
    ("Saima Bibi", "saima.bibi", "PK", "Blue Veins", "activist", "Asia/Karachi", "en", None),
    ("Farzana Shah", "farzana.shah", "PK", "Women's Action Forum", "activist", "Asia/Karachi", "en", None),
]

DEMO_PARTICIPANT = "ayesha.siddiqui@example.org"


def demo_logins() -> list[tuple[str, str, str]]:
    """(role, email, password) of the accounts ``make run`` prints."""
    rows = [(role, email, DEMO_PASSWORD) for email, _n, role, _l, _t in STAFF]
    rows.append(("participant", DEMO_PARTICIPANT, DEMO_PASSWORD))
    return rows


def _user(email, name, role, language, timezone) -> User:
    user = get_user_by_email(email)
    if user is None:
        user = User(email=email, name=name, role=role, language=language, timezone=timezone)
        user.set_password(DEMO_PASSWORD)
        db.session.add(user)
        db.session.flush()
    return user


def _organisation(name: str, website: str) -> Organisation:
    org = db.session.scalar(select(Organisation).where(Organisation.name == name))
    if org is None:
        org = Organisation(name=name, website=website, country_code="ID")
        db.session.add(org)
        db.session.flush()
    return org


def load_demo() -> tuple[Training, bool]:
    """Load the demo course and each area's demo data. Returns (training, created); a
    second call creates nothing."""
    from .attendance.demo import load_demo_attendance
    from .certificates.demo import load_demo_certificates
    from .enrolment.demo import load_demo_enrolment
    from .evaluation.demo import load_demo_evaluation
    from .organisations.demo import load_demo_organisations
    from .printing.demo import load_demo_gathering
    from .programmes.demo import load_demo_programmes
    training, created = _load_course()
    for load_area in (_load_follow_up, load_demo_enrolment, load_demo_attendance,
                      load_demo_evaluation, load_demo_certificates, load_demo_programmes,
                      load_demo_gathering):
        load_area(training)
    load_demo_organisations()
    db.session.flush()
    return training, created


def _load_follow_up(training: Training) -> None:
    """Scheduling's follow-up clinic, with the course's accepted participants enrolled."""
    from .scheduling.demo import load_demo_scheduling
    follow_up = load_demo_scheduling(training)
    if follow_up is None:
        return
    accepted = db.session.scalars(
        select(Enrolment).where(Enrolment.training_id == training.id,
                                Enrolment.status == "accepted").order_by(Enrolment.id))
    for enrolment in accepted:
        user = db.session.get(User, enrolment.user_id) if enrolment.user_id else None
        db.session.add(Enrolment(
            training_id=follow_up.id, user_id=user.id if user else None, name=enrolment.name,
            email=enrolment.email, country_code=enrolment.country_code,
            organisation=enrolment.organisation, sector=enrolment.sector,
            timezone=enrolment.timezone, language=enrolment.language,
            accessibility_needs=enrolment.accessibility_needs,
            accessibility_consent=enrolment.accessibility_consent, status="accepted"))
    db.session.flush()


def _load_course() -> tuple[Training, bool]:
    users = {email: _user(email, name, role, lang, tz) for email, name, role, lang, tz in STAFF}
    existing = db.session.scalar(select(Training).where(Training.title_en == TITLE_EN))
    if existing is not None:
        return existing, False

    jakarta = ZoneInfo("Asia/Jakarta")
    training = Training(
        title_id=TITLE_ID, title_en=TITLE_EN, timezone="Asia/Jakarta", capacity=30,
        description_id=("Pelatihan daring tujuh sesi bagi akademisi dan aktivis dari Indonesia, "
                        "Malaysia, dan Pakistan tentang kepemimpinan perempuan dalam pemenuhan "
                        "hak asasi manusia dan demokrasi yang berkeadilan."),
        description_en=("A seven-session online course for academics and activists from "
                        "Indonesia, Malaysia and Pakistan on women's leadership in fulfilling "
                        "human rights and a just democracy."),
        certificate_rule={"min_sessions": 6, "excused_counts": False},
        created_by_id=users["organiser@example.org"].id,
    )
    db.session.add(training)
    for position, (name, site) in enumerate([("Komnas Perempuan", "https://komnasperempuan.go.id"),
                                             ("INFID", "https://infid.org")]):
        training.organisation_links.append(
            TrainingOrganisation(organisation=_organisation(name, site), position=position))
    for code in ("ID", "MY", "PK"):
        training.quotas.append(TrainingCountryQuota(country_code=code, places=10))
    training.staff.append(TrainingStaff(user=users["organiser@example.org"], role="organiser"))
    facilitators = [users["fasilitator@example.org"], users["facilitator@example.org"]]
    for user in facilitators:
        training.staff.append(TrainingStaff(user=user, role="facilitator"))
    for index, (day, title_id, title_en, desc_id, desc_en) in enumerate(SESSIONS):
        session = TrainingSession(
            title_id=title_id, title_en=title_en, description_id=desc_id, description_en=desc_en,
            starts_at=datetime(2023, 12, day, 14, 0, tzinfo=jakarta), duration_minutes=120,
            meeting_url=f"https://meet.example.org/kepemimpinan-perempuan-{index + 1}",
            module_slug="kepemimpinan-perempuan")
        session.facilitators.append(facilitators[index % 2])
        training.sessions.append(session)
    db.session.flush()

    for index, (name, local, country, org, sector, tz, lang, needs) in enumerate(PARTICIPANTS):
        email = f"{local}@example.org"
        user = _user(email, name, "participant", lang, tz)
        db.session.add(Enrolment(
            training_id=training.id, user_id=user.id, name=name, email=email, country_code=country,
            organisation=org, sector=sector, timezone=tz, language=lang,
            accessibility_needs=needs, accessibility_consent=needs is not None,
            status="accepted",
            created_at=datetime(2023, 11, 1 + index % 20, 9, index % 60, tzinfo=jakarta),
            decided_at=datetime(2023, 11, 25, 9, 0, tzinfo=jakarta)))
    db.session.flush()
    return training, True
