"""Demo additions of the programmes area: one programme of the demo course and its
follow-up clinic, managed by the demo organiser. Idempotent."""
from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..scheduling.models import Training
from .models import Programme
from .services import create_programme

TITLE_EN = "Women's Leadership Programme 2023–2024"
TITLE_ID = "Program Kepemimpinan Perempuan 2023–2024"


def load_demo_programmes(training: Training) -> None:
    if db.session.scalar(select(Programme.id).where(Programme.title_en == TITLE_EN)):
        return
    organiser = next((s.user for s in training.staff if s.role == "organiser"), None)
    # The demo course and the trainings made from it (the follow-up clinic of scheduling's demo)
    trainings = [training] + [t for t in db.session.scalars(
        select(Training).where(Training.id != training.id).order_by(Training.id))
        if any(s.user_id == getattr(organiser, "id", None) and s.role == "organiser"
               for s in t.staff)][:1]
    create_programme({
        "title": {"id": TITLE_ID, "en": TITLE_EN},
        "description": {"id": "Pelatihan inti dan klinik lanjutannya.",
                        "en": "The core course and its follow-up clinic."},
        "organisations": ["Komnas Perempuan", "INFID"],
        "trainings": [t.id for t in trainings],
    }, actor=organiser)
