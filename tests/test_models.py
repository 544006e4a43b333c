"""Constraints live in the database, not only in Python."""
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, StatementError

from trainings.auth.models import User
from trainings.enrolment.models import Enrolment
from trainings.extensions import db
from trainings.scheduling.models import TrainingSession, TrainingStaff


def test_user_email_is_unique_case_insensitively(make):
    make.user(email="siti@example.org")
    db.session.add(User(email="siti@example.org", name="Again"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    # a mixed-case address cannot be stored at all (the service lower-cases)
    db.session.add(User(email="Siti@Example.org", name="Mixed"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_enrolment_unique_per_training_and_email(make):
    training = make.training()
    other = make.training()
    make.enrolment(training, email="ayesha@example.org")
    make.enrolment(other, email="ayesha@example.org")  # another training: fine
    with pytest.raises(IntegrityError):
        make.enrolment(training, email="ayesha@example.org")
    db.session.rollback()


def test_foreign_keys_are_enforced(make):
    db.session.add(Enrolment(training_id=987654, name="X", email="x@example.org", country_code="ID"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_checks_refuse_unknown_roles_statuses_and_durations(make):
    training = make.training()
    user = make.user()
    db.session.add(TrainingStaff(training_id=training.id, user_id=user.id, role="boss"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    db.session.add(TrainingSession(training_id=training.id, title_en="x", title_id="x",
                                   starts_at=datetime(2023, 12, 5, tzinfo=UTC), duration_minutes=0))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_instants_are_stored_in_utc_and_come_back_aware(make):
    training = make.training()
    wib = timezone(timedelta(hours=7))
    session = make.session(training, starts_at=datetime(2023, 12, 5, 14, 0, tzinfo=wib))
    db.session.expire_all()
    stored = db.session.get(TrainingSession, session.id).starts_at
    assert stored.tzinfo is not None
    assert stored == datetime(2023, 12, 5, 7, 0, tzinfo=UTC)
    raw = db.session.execute(text("SELECT starts_at FROM training_sessions WHERE id = :i"),
                             {"i": session.id}).scalar()
    assert "07:00" in str(raw)


def test_naive_instants_are_refused(make):
    training = make.training()
    db.session.add(TrainingSession(training_id=training.id, title_en="x", title_id="x",
                                   starts_at=datetime(2023, 12, 5, 14, 0), duration_minutes=60))
    with pytest.raises(StatementError):
        db.session.commit()
    db.session.rollback()


def test_migrations_match_the_models(app):
    """`flask db upgrade` from nothing gives exactly the schema the models describe."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []
