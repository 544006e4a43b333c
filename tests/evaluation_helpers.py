"""Shared set-up of the evaluation tests: a training, its people, surveys."""
from __future__ import annotations

from trainings.evaluation import services


def bi(text: str) -> dict:
    return {"id": f"{text} (id)", "en": text}


def feedback_data(**overrides) -> dict:
    data = {"title": bi("Feedback"), "kind": "feedback",
            "questions": [
                {"key": "q1", "type": "scale", "text": bi("How useful?"), "required": True},
                {"key": "q2", "type": "multi", "text": bi("Which sessions?"), "required": False,
                 "options": [bi("One"), bi("Two"), bi("Three")]},
                {"key": "q3", "type": "text", "text": bi("Anything else?"), "required": False},
            ]}
    data.update(overrides)
    return data


def make_test_data(kind: str = "pre_test", **overrides) -> dict:
    data = {"title": bi(kind), "kind": kind,
            "questions": [
                {"key": "k1", "type": "choice", "text": bi("Capital?"),
                 "options": [bi("A"), bi("B"), bi("C")], "correct": [1]},
                {"key": "k2", "type": "multi", "text": bi("Rights?"),
                 "options": [bi("A"), bi("B"), bi("C")], "correct": [0, 2]},
            ]}
    data.update(overrides)
    return data


def survey(training, organiser, data=None):
    from trainings.extensions import db
    made = services.create_survey(training, data or feedback_data(), actor=organiser)
    db.session.commit()
    return made
