"""The demo's hybrid three-day gathering: 90 participants, 20 organisations, three groups."""
from collections import Counter

from sqlalchemy import func, select

from trainings.demo import load_demo
from trainings.enrolment.groups.models import GroupMember, TrainingGroup
from trainings.enrolment.models import Enrolment
from trainings.extensions import db
from trainings.printing.demo import TITLE_EN
from trainings.scheduling.models import Training


def _counts():
    return tuple(db.session.scalar(select(func.count()).select_from(m))
                 for m in (Training, Enrolment, TrainingGroup, GroupMember))


def test_demo_gathering_is_hybrid_grouped_and_loaded_once(app):
    load_demo()
    db.session.commit()
    gathering = db.session.scalar(select(Training).where(Training.title_en == TITLE_EN))
    assert [s.mode for s in gathering.sessions].count("hybrid") == 2
    assert all(s.venue_name and s.venue_accessibility_id and s.venue_accessibility_en
               for s in gathering.sessions)
    assert all(s.interpretation == ["id-en", "sign:BISINDO"] for s in gathering.sessions)
    people = list(db.session.scalars(select(Enrolment).where(
        Enrolment.training_id == gathering.id, Enrolment.status == "accepted")))
    assert len(people) == 90
    assert len({e.organisation for e in people}) >= 20
    groups = list(db.session.scalars(select(TrainingGroup).where(
        TrainingGroup.training_id == gathering.id)))
    assert {g.name_en for g in groups} == {"Wellness and safety", "Strategic relevance",
                                           "Institutional resilience"}
    assert sum(len(g.members) for g in groups) == 90
    for group in groups:
        countries = Counter(m.enrolment.country_code for m in group.members)
        assert len(countries) >= 4  # every group mixes the countries
    first = _counts()
    load_demo()
    db.session.commit()
    assert _counts() == first
