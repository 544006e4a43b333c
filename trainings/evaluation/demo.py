"""Demo evaluation for the demo course: a feedback survey (required for the certificate)
with answers, an anonymous closing survey, pre- and post-tests with answers for most
participants, action plans with follow-up updates, and consented demographics.
Deterministic; loading twice changes nothing."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from ..enrolment.models import Enrolment
from ..extensions import db
from .models import Survey
from .services import (
    add_commitments,
    create_survey,
    plan_of,
    set_demographics,
    set_follow_up_days,
    submit_response,
    update_commitment,
)

FEEDBACK_EN = "End-of-course feedback"


def _bi(id_: str, en: str) -> dict:
    return {"id": id_, "en": en}


def _scale(key, id_, en, required=True):
    return {"key": key, "type": "scale", "text": _bi(id_, en), "required": required}


SESSION_OPTIONS = [
    _bi("Dasar-dasar HAM", "Foundations of human rights"), _bi("Gender dan interseksionalitas",
                                                               "Gender and intersectionality"),
    _bi("Demokrasi yang berkeadilan", "Just democracy"), _bi("Kepemimpinan perempuan",
                                                             "Women's leadership"),
    _bi("Inklusi sosial", "Social inclusion"), _bi("Strategi advokasi", "Advocacy strategies"),
    _bi("Perencanaan aksi", "Action planning")]

FEEDBACK = {
    "title": _bi("Umpan balik akhir pelatihan", FEEDBACK_EN), "kind": "feedback",
    "required_for_certificate": True,
    "opens_at": "2023-12-28T09:00:00+00:00", "closes_at": "2024-01-31T17:00:00+00:00",
    "questions": [
        _scale("overall", "Secara keseluruhan, seberapa puas Anda dengan pelatihan ini?",
               "Overall, how satisfied are you with this training?"),
        _scale("relevance", "Seberapa relevan materi dengan pekerjaan Anda?",
               "How relevant was the content to your work?"),
        {"key": "best", "type": "choice", "required": True, "options": SESSION_OPTIONS,
         "text": _bi("Sesi mana yang paling berguna?", "Which session was the most useful?")},
        {"key": "apply", "type": "multi", "required": False,
         "text": _bi("Apa yang akan Anda terapkan?", "What will you apply?"),
         "options": [_bi("Analisis gender", "Gender analysis"), _bi("Pemetaan aktor", "Stakeholder mapping"),
                     _bi("Advokasi kebijakan", "Policy advocacy"), _bi("Aksesibilitas", "Accessibility")]},
        {"key": "comment", "type": "text", "required": False,
         "text": _bi("Saran untuk pelatihan berikutnya?", "Suggestions for the next training?")},
    ]}

ANONYMOUS = {
    "title": _bi("Ruang aman: umpan balik anonim", "Safe space: anonymous feedback"),
    "kind": "feedback", "anonymous": True,
    "opens_at": "2023-12-28T09:00:00+00:00", "closes_at": "2024-01-31T17:00:00+00:00",
    "questions": [
        _scale("safe", "Seberapa aman Anda merasa untuk berbicara dalam sesi?",
               "How safe did you feel speaking up in the sessions?"),
        {"key": "concern", "type": "text", "required": False,
         "text": _bi("Ada hal yang ingin Anda sampaikan secara anonim?",
                     "Anything you would like to tell us anonymously?")},
    ]}

TEST_QUESTIONS = [
    {"key": "k1", "type": "choice", "correct": [1],
     "text": _bi("Tahun berapa DUHAM diadopsi?", "In which year was the UDHR adopted?"),
     "options": [_bi("1945", "1945"), _bi("1948", "1948"), _bi("1966", "1966")]},
    {"key": "k2", "type": "choice", "correct": [2],
     "text": _bi("Konvensi mana yang khusus tentang hak perempuan?",
                 "Which convention is specifically about women's rights?"),
     "options": [_bi("ICCPR", "ICCPR"), _bi("CRPD", "CRPD"), _bi("CEDAW", "CEDAW")]},
    {"key": "k3", "type": "multi", "correct": [0, 2],
     "text": _bi("Mana yang merupakan prinsip HAM?", "Which are human-rights principles?"),
     "options": [_bi("Universal", "Universality"), _bi("Bersyarat", "Conditionality"),
                 _bi("Tak terpisahkan", "Indivisibility")]},
    {"key": "k4", "type": "choice", "correct": [0],
     "text": _bi("Interseksionalitas berarti ...", "Intersectionality means ..."),
     "options": [_bi("ketidakadilan yang saling bertaut", "overlapping injustices"),
                 _bi("kerja sama antarnegara", "cooperation between states"),
                 _bi("pemungutan suara", "voting")]},
    {"key": "k5", "type": "choice", "correct": [1],
     "text": _bi("Model disabilitas yang dipakai CRPD?", "Which model of disability does the CRPD use?"),
     "options": [_bi("Medis", "Medical"), _bi("Sosial / HAM", "Social / human rights"),
                 _bi("Amal", "Charity")]},
]

COMMITMENTS = [
    ("Melatih 10 paralegal komunitas tentang CEDAW", "Train 10 community paralegals on CEDAW"),
    ("Menyusun kertas kebijakan tentang ruang sipil", "Write a policy brief on civic space"),
    ("Membuat pertemuan organisasi dapat diakses (teks langsung)",
     "Make our organisation's meetings accessible (live captions)"),
    ("Membentuk jaringan lintas negara alumni pelatihan", "Set up a cross-border alumni network"),
]

WG_BY_NEED = {"Live captions": {"hearing": "a_lot_of_difficulty"},
              "Sign language interpreting (BISINDO)": {"hearing": "cannot_do_at_all"},
              "Large-print materials": {"seeing": "a_lot_of_difficulty"},
              "Screen-reader accessible documents": {"seeing": "cannot_do_at_all"},
              "Audio-only participation": {"walking": "some_difficulty"}}


def _answers_for_test(index: int, post: bool) -> dict:
    """Deterministic answers: most people know more after the course."""
    right = {q["key"]: q["correct"][0] if q["type"] == "choice" else q["correct"]
             for q in TEST_QUESTIONS}
    knows = (index % 3) + (3 if post else 1)  # pre: 1-3 right answers, post: 3-5
    answers = {}
    for n, q in enumerate(TEST_QUESTIONS):
        if n < knows:
            answers[q["key"]] = right[q["key"]]
        else:
            answers[q["key"]] = 0 if q["type"] == "choice" and q["correct"] != [0] else \
                (2 if q["type"] == "choice" else [1])
    return answers


def load_demo_evaluation(training) -> None:
    exists = db.session.scalar(select(Survey.id).where(Survey.training_id == training.id,
                                                       Survey.title_en == FEEDBACK_EN))
    if exists is not None:
        return
    people = list(db.session.scalars(select(Enrolment).where(
        Enrolment.training_id == training.id, Enrolment.status == "accepted")
        .order_by(Enrolment.id)))
    feedback = create_survey(training, FEEDBACK, actor=None)
    anonymous = create_survey(training, ANONYMOUS, actor=None)
    first = min(s.starts_at for s in training.sessions)
    last = max(s.starts_at for s in training.sessions)
    pre = create_survey(training, {
        "title": _bi("Pra-tes pengetahuan", "Knowledge pre-test"), "kind": "pre_test",
        "session": training.sessions[0].id,
        "opens_at": (first - timedelta(days=7)).isoformat(), "closes_at": first.isoformat(),
        "questions": TEST_QUESTIONS}, actor=None)
    post = create_survey(training, {
        "title": _bi("Pasca-tes pengetahuan", "Knowledge post-test"), "kind": "post_test",
        "session": training.sessions[-1].id,
        "opens_at": last.isoformat(), "closes_at": (last + timedelta(days=14)).isoformat(),
        "questions": TEST_QUESTIONS}, actor=None)
    at = datetime(2024, 1, 5, 9, 0, tzinfo=UTC)
    for index, person in enumerate(people):
        if index not in (5, 17):  # two missed the pre-test
            submit_response(pre, person, _answers_for_test(index, post=False), actor=None,
                            now=first - timedelta(days=1))
        if index not in (9, 21, 26):  # three missed the post-test
            submit_response(post, person, _answers_for_test(index, post=True), actor=None,
                            now=last + timedelta(days=1))
        if index not in (3, 14, 22, 28):  # four have not given feedback yet
            submit_response(feedback, person, {
                "overall": 5 if index % 3 else 4, "relevance": 4 + (index % 2),
                "best": [3, 5, 1, 4][index % 4], "apply": [index % 4, (index + 1) % 4],
                "comment": ["Lebih banyak waktu diskusi kelompok, please.",
                            "More time for cross-country exchange.", ""][index % 3]},
                actor=None, now=at)
        if index % 4 != 1:
            submit_response(anonymous, person, {"safe": 4 + (index % 5 == 0)}, actor=None, now=at)
        if person.accessibility_needs or index % 5 != 4:
            set_demographics(person, {
                "demographics_consent": True,
                "gender": "prefer_not_to_say" if index % 11 == 7 else "woman",
                "washington_group": {"seeing": "no_difficulty", "hearing": "no_difficulty",
                                     "walking": "no_difficulty", "remembering": "no_difficulty",
                                     "self_care": "no_difficulty", "communicating": "no_difficulty",
                                     **WG_BY_NEED.get(person.accessibility_needs, {})}},
                actor=None)
        if index % 3 != 2 and plan_of(person) is None:
            _demo_plan(person, index)
    set_follow_up_days(training, [30, 90], actor=None)
    db.session.flush()


def _demo_plan(person, index: int) -> None:
    texts = [COMMITMENTS[index % 4], COMMITMENTS[(index + 1) % 4]]
    lang = 0 if person.language == "id" else 1
    plan = add_commitments(person, [
        {"text": text[lang], "due": f"2024-0{3 + n * 2}-{15 + index % 10}"}
        for n, text in enumerate(texts)], actor=None)
    start = datetime(2023, 12, 29, 10, 0, tzinfo=UTC)
    for commitment in plan.commitments:
        for update in commitment.updates:
            update.created_at = start
        commitment.created_at = start
        steps = [("in_progress", "Sudah mulai / started", 30)]
        if index % 2 == 0:
            steps.append(("done", "Selesai / done", 90))
        elif index % 5 == 3:
            steps.append(("dropped", "Dana tidak tersedia / no funding", 95))
        for status, note, days in steps:
            made = update_commitment(commitment, {"status": status, "note": note}, actor=None)
            made.created_at = start + timedelta(days=days)
            commitment.updated_at = made.created_at
