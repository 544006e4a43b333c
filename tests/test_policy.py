"""One place answers who may do what: roles and ownership."""
import pytest

from trainings import policy
from trainings.errors import Forbidden


@pytest.fixture
def cast(make):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser, sessions=0)
    facilitator = make.user("facilitator")
    other_facilitator = make.user("facilitator")
    session = make.session(training, facilitators=[facilitator])
    participant = make.user("participant")
    enrolment = make.enrolment(training, user=participant)
    waitlisted_user = make.user("participant")
    waitlisted = make.enrolment(training, user=waitlisted_user, status="waitlisted")
    return {
        "training": training, "session": session, "enrolment": enrolment, "waitlisted": waitlisted,
        "admin": make.user("admin"), "organiser": organiser,
        "other_organiser": make.user("organiser"), "facilitator": facilitator,
        "other_facilitator": other_facilitator, "participant": participant,
        "waitlisted_user": waitlisted_user, "stranger": make.user("participant"),
    }


@pytest.mark.parametrize("who, allowed", [
    ("admin", True), ("organiser", True), ("other_organiser", False), ("facilitator", False),
    ("participant", False), ("stranger", False)])
def test_only_the_trainings_organisers_and_admins_edit_it(cast, who, allowed):
    assert policy.can(cast[who], "training.edit", cast["training"]) is allowed
    assert policy.can(cast[who], "enrolment.list", cast["training"]) is allowed


@pytest.mark.parametrize("who, allowed", [
    ("admin", True), ("organiser", True), ("facilitator", True), ("other_facilitator", False),
    ("participant", False), ("other_organiser", False)])
def test_session_facilitators_and_organisers_mark_attendance(cast, who, allowed):
    assert policy.can(cast[who], "attendance.mark", cast["session"]) is allowed


@pytest.mark.parametrize("who, allowed", [
    ("organiser", True), ("facilitator", True), ("participant", True), ("waitlisted_user", True),
    ("stranger", False), ("other_organiser", False)])
def test_who_sees_a_training(cast, who, allowed):
    assert policy.can(cast[who], "training.view", cast["training"]) is allowed


def test_participants_see_only_their_own_enrolment(cast):
    assert policy.can(cast["participant"], "enrolment.view", cast["enrolment"])
    assert not policy.can(cast["participant"], "enrolment.view", cast["waitlisted"])
    assert not policy.can(cast["stranger"], "enrolment.view", cast["enrolment"])
    assert policy.can(cast["organiser"], "enrolment.view", cast["waitlisted"])


def test_creating_trainings_is_for_organisers_and_admins(cast):
    assert policy.can(cast["organiser"], "training.create")
    assert policy.can(cast["admin"], "training.create")
    assert not policy.can(cast["facilitator"], "training.create")
    assert not policy.can(cast["participant"], "training.create")


def test_anonymous_and_deactivated_users_may_nothing(cast):
    from flask_login import AnonymousUserMixin
    anonymous = AnonymousUserMixin()
    assert not policy.can(anonymous, "training.view", cast["training"])
    organiser = cast["organiser"]
    organiser.is_active_account = False
    assert not policy.can(organiser, "training.edit", cast["training"])


def test_require_raises_forbidden_and_unknown_actions_are_a_bug(cast):
    with pytest.raises(Forbidden):
        policy.require(cast["stranger"], "training.edit", cast["training"])
    with pytest.raises(KeyError):
        policy.can(cast["admin"], "training.teleport", cast["training"])


def test_views_and_api_answer_403_to_strangers(cast, client, login, api):
    training = cast["training"]
    login(cast["stranger"])
    assert client.get(f"/trainings/{training.id}").status_code == 403
    assert api(cast["stranger"]).get(f"/api/v1/trainings/{training.id}").status_code == 403
