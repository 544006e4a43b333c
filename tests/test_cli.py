"""The CLI contract of the README: db upgrade, demo, users create, users token."""
from sqlalchemy import func, select

from trainings.auth.models import User
from trainings.demo import TITLE_EN, TITLE_ID
from trainings.enrolment.models import Enrolment
from trainings.extensions import db
from trainings.scheduling.models import Training, TrainingSession


def _counts():
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (User, Training, TrainingSession, Enrolment))


def test_demo_loads_the_reference_course_once(runner):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "organiser@example.org" in first.output and "anyam-demo-2023" in first.output
    counts = _counts()
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0
    assert _counts() == counts

    training = db.session.scalar(select(Training).where(Training.title_en == TITLE_EN))
    assert training.title_id == TITLE_ID
    assert [o.name for o in training.organisations] == ["Komnas Perempuan", "INFID"]
    assert training.timezone == "Asia/Jakarta"
    sessions = training.sessions
    assert len(sessions) == 7
    assert all(s.starts_at.year == 2023 and s.starts_at.month == 12 for s in sessions)
    assert all(s.duration_minutes == 120 for s in sessions)
    enrolments = db.session.scalars(select(Enrolment).where(
        Enrolment.training_id == training.id, Enrolment.status == "accepted")).all()
    assert len(enrolments) == 30
    by_country = {c: sum(e.country_code == c for e in enrolments) for c in ("ID", "MY", "PK")}
    assert by_country == {"ID": 10, "MY": 10, "PK": 10}
    assert {e.sector for e in enrolments} == {"academic", "activist"}
    roles = {s.role for s in training.staff}
    assert roles == {"organiser", "facilitator"}
    assert sum(s.role == "facilitator" for s in training.staff) == 2


def test_users_create_and_token_then_the_api_answers(runner, client):
    created = runner.invoke(args=["users", "create", "Fac@Example.org", "--name", "Farah",
                                  "--role", "facilitator", "--password", "a-long-password",
                                  "--timezone", "Asia/Karachi"])
    assert created.exit_code == 0, created.output
    user = db.session.scalar(select(User).where(User.email == "fac@example.org"))
    assert user.role == "facilitator" and user.check_password("a-long-password")

    result = runner.invoke(args=["users", "token", "fac@example.org"])
    assert result.exit_code == 0
    token = result.output.strip().splitlines()[-1]
    response = client.get("/api/v1/trainings", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


def test_users_create_refuses_bad_input_without_writing(runner):
    before = _counts()
    for args in (["users", "create", "not-an-email", "--name", "X", "--password", "a-long-password"],
                 ["users", "create", "x@example.org", "--name", "X", "--password", "short"],
                 ["users", "create", "x@example.org", "--name", "X", "--password", "a-long-password",
                  "--timezone", "Mars/Base"]):
        result = runner.invoke(args=args)
        assert result.exit_code != 0
        assert "Error" in result.output
    assert _counts() == before
    runner.invoke(args=["users", "create", "x@example.org", "--name", "X", "--password", "a-long-password"])
    duplicate = runner.invoke(args=["users", "create", "X@example.org", "--name", "X",
                                    "--password", "a-long-password"])
    assert duplicate.exit_code != 0 and "already exists" in duplicate.output


def test_token_for_unknown_user_fails(runner):
    result = runner.invoke(args=["users", "token", "ghost@example.org"])
    assert result.exit_code != 0
