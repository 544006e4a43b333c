"""The enrolment CLI and the demo additions."""
from pathlib import Path

from sqlalchemy import func, select

from trainings.demo import load_demo
from trainings.enrolment.demo import load_demo_enrolment
from trainings.enrolment.models import Enrolment
from trainings.extensions import db

DATA = Path(__file__).parent / "data" / "enrolment"


def test_demo_opens_applications_and_adds_a_waiting_list_once(app):
    training, _created = load_demo()
    load_demo_enrolment(training)
    db.session.commit()
    load_demo_enrolment(training)
    db.session.commit()
    counts = dict(db.session.execute(select(Enrolment.status, func.count()).where(
        Enrolment.training_id == training.id).group_by(Enrolment.status)).all())
    assert counts == {"accepted": 30, "waitlisted": 2}
    assert training.applications_open


def test_cli_import_dry_run_and_import(runner, make):
    training = make.training(capacity=2)
    path = str(DATA / "participants.csv")
    dry = runner.invoke(args=["enrolment", "import", str(training.id), path, "--dry-run"])
    assert dry.exit_code == 0 and "new 4, skipped 0, with errors 0" in dry.output
    assert db.session.scalar(select(func.count()).select_from(Enrolment)) == 0
    done = runner.invoke(args=["enrolment", "import", str(training.id), path])
    assert "created 4, accepted 2, waitlisted 2, skipped 0" in done.output
    bad = runner.invoke(args=["enrolment", "import", str(training.id), str(DATA / "bad-rows.csv")])
    assert bad.exit_code != 0 and "row 2" in bad.output


def test_cli_promote(runner, make):
    training = make.training(capacity=1)
    make.enrolment(training, status="waitlisted")
    result = runner.invoke(args=["enrolment", "promote", str(training.id)])
    assert "promoted 1" in result.output
