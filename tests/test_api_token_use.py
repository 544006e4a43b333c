"""An API call records when its token was used, but writes at most every few minutes."""
from __future__ import annotations

from datetime import timedelta

from trainings.auth import services as auth
from trainings.auth.models import ApiToken
from trainings.extensions import db


def _updates(statements) -> list[str]:
    return [s for s in statements if s.lstrip().upper().startswith("UPDATE")]


def test_the_first_call_records_use_and_the_next_ones_write_nothing(api, make, count_queries):
    user = make.user("organiser")
    caller = api(user)
    token = db.session.scalar(db.select(ApiToken).where(ApiToken.user_id == user.id))
    assert token.last_used_at is None
    with count_queries() as first:
        assert caller.get("/api/v1/trainings").status_code == 200
    assert len(_updates(first.statements)) == 1
    db.session.expire_all()
    used = db.session.get(ApiToken, token.id).last_used_at
    assert used is not None
    with count_queries() as later:
        for _ in range(3):
            assert caller.get("/api/v1/trainings").status_code == 200
    assert _updates(later.statements) == []
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).last_used_at == used


def test_use_is_recorded_again_after_a_few_minutes(app, make, monkeypatch):
    user = make.user("organiser")
    secret = auth.issue_token(user, "test")
    db.session.commit()
    assert auth.user_for_token(secret) == user
    db.session.commit()
    token = db.session.scalar(db.select(ApiToken).where(ApiToken.user_id == user.id))
    first = token.last_used_at
    soon = first + timedelta(minutes=4)
    monkeypatch.setattr(auth.tokens, "utcnow", lambda: soon)  # the topic module
    auth.user_for_token(secret)
    assert token.last_used_at == first and not db.session.dirty
    later = first + auth.TOKEN_TOUCH_EVERY + timedelta(seconds=1)
    monkeypatch.setattr(auth.tokens, "utcnow", lambda: later)
    auth.user_for_token(secret)
    assert token.last_used_at == later


def test_a_revoked_or_unknown_token_is_refused(app, make):
    user = make.user("organiser")
    secret = auth.issue_token(user, "test")
    db.session.commit()
    assert auth.user_for_token(secret + "x") is None
    token = db.session.scalar(db.select(ApiToken).where(ApiToken.user_id == user.id))
    auth.revoke_token(user, token.id)
    db.session.commit()
    assert auth.user_for_token(secret) is None


def test_a_call_with_a_recently_used_token_loads_its_account_once(api, make, count_queries):
    user = make.user("organiser")
    caller = api(user)
    assert caller.get("/api/v1/trainings").status_code == 200  # records the use
    with count_queries() as later:
        assert caller.get("/api/v1/trainings").status_code == 200
    token_reads = [s for s in later.statements if "FROM api_tokens" in s]
    user_reads = [s for s in later.statements if "FROM users" in s and "api_tokens" not in s]
    assert len(token_reads) == 1 and len(user_reads) <= 1, later.statements
