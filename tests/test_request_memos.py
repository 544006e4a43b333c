"""What the light pages remember within a request, and that it is never stale nor shared:
the language and catalogue (trainings/language.py), every policy tie in one statement
(trainings/policy.py), statements built once with bound parameters."""
from datetime import UTC, datetime, timedelta

from flask import render_template_string
from flask_babel import force_locale, gettext, refresh
from flask_login import login_user

from trainings import policy
from trainings.extensions import db
from trainings.language import current_language
from trainings.overview.schedule import schedule_for
from trainings.scheduling.models import TrainingStaff


def test_a_forced_locale_translates_at_once_and_the_request_language_comes_back(app):
    with app.test_request_context("/", headers={"Accept-Language": "id"}):
        assert current_language() == "id"
        assert gettext("My schedule") == "Jadwal saya"
        assert render_template_string('{{ _("Upcoming sessions") }}') == "Sesi mendatang"
        with force_locale("en"):
            assert current_language() == "en"
            assert gettext("My schedule") == "My schedule"
            assert render_template_string('{{ _("Upcoming sessions") }}') == "Upcoming sessions"
        assert current_language() == "id"
        assert gettext("My schedule") == "Jadwal saya"
        assert render_template_string('{{ _("Upcoming sessions") }}') == "Sesi mendatang"


def test_a_changed_language_shows_after_refresh_in_the_same_request(app, make):
    user = make.user(language="en")
    with app.test_request_context("/"):
        login_user(user)
        assert gettext("My schedule") == "My schedule"
        user.language = "id"
        refresh()
        assert current_language() == "id"
        assert gettext("My schedule") == "Jadwal saya"


def test_the_language_of_one_request_never_answers_another(app, make, client, login):
    indonesian, english = make.user(language="id"), make.user(language="en")
    for _round in range(2):  # alternating on the same worker
        login(indonesian)
        page = client.get("/me/schedule").get_data(as_text=True)
        assert '<html lang="id">' in page and "Sesi mendatang" in page
        login(english)
        page = client.get("/me/schedule").get_data(as_text=True)
        assert '<html lang="en">' in page and "Upcoming sessions" in page
        assert "Sesi mendatang" not in page


def test_template_translation_escapes_its_values_and_formats_them(app):
    with app.test_request_context("/", headers={"Accept-Language": "id"}):
        html = render_template_string('{{ _("Times are shown in %(zone)s.", zone=z) }}',
                                      z="<b>WIB</b>")
    assert html == "Waktu ditampilkan dalam &lt;b&gt;WIB&lt;/b&gt;."


def test_every_tie_is_one_statement_and_says_who_the_actor_is(app, make, count_queries):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser, sessions=0)
    facilitator = make.user("facilitator")
    make.session(training, facilitators=[facilitator])
    participant = make.user()
    make.enrolment(training, user=participant, status="waitlisted")
    people = (organiser, facilitator, participant)
    with app.test_request_context("/"):
        for user in people:  # loaded before counting (the commits above expired them)
            assert user.is_active and training.id
        with count_queries() as counter:
            found = {who: policy.ties(user, training) for who, user in
                     (("organiser", organiser), ("facilitator", facilitator),
                      ("participant", participant))}
            assert policy.ties(organiser, training) is found["organiser"]  # remembered
        assert counter.count == 3  # one per actor, whatever the number of tie kinds
    assert found["organiser"]["staff"] == {"organiser"}
    assert found["organiser"]["enrolment"] == frozenset()
    assert found["facilitator"]["facilitates"] == {"session"}
    assert found["facilitator"]["staff"] == frozenset()
    assert found["participant"]["enrolment"] == {"waitlisted"}
    assert found["participant"]["facilitates"] == frozenset()


def test_ties_are_fresh_in_the_next_request_and_after_forget_ties(app, make, client, login):
    training = make.training(organiser=make.user("organiser"), sessions=0)
    newcomer = make.user("organiser")
    login(newcomer)
    assert client.get(f"/trainings/{training.id}/edit").status_code == 403
    with app.test_request_context("/"):
        assert not policy.can(newcomer, "training.edit", training)
        db.session.add(TrainingStaff(training_id=training.id, user_id=newcomer.id,
                                     role="organiser"))
        db.session.commit()
        assert not policy.can(newcomer, "training.edit", training)  # this request's answer
        policy.forget_ties()
        assert policy.can(newcomer, "training.edit", training)
    assert client.get(f"/trainings/{training.id}/edit").status_code == 200  # the next request
    db.session.query(TrainingStaff).filter_by(user_id=newcomer.id).delete()
    db.session.commit()
    assert client.get(f"/trainings/{training.id}/edit").status_code == 403


def test_the_current_user_proxy_gets_the_same_answers_as_the_user(app, make, client, login):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser, sessions=1)
    stranger = make.user()
    login(stranger)
    assert client.get(f"/trainings/{training.id}").status_code == 403
    login(organiser)
    page = client.get(f"/trainings/{training.id}").get_data(as_text=True)
    assert "Edit the settings" in page and "Roll call for session 1" in page


def test_schedules_built_from_one_statement_are_each_their_own(app, make):
    soon = datetime.now(UTC) + timedelta(days=3)
    first, second = make.user(), make.user()
    mine = make.training(organiser=make.user("organiser"), sessions=0, title_en="Mine")
    theirs = make.training(organiser=make.user("organiser"), sessions=0, title_en="Theirs")
    make.session(mine, starts_at=soon)
    make.session(theirs, starts_at=soon)
    make.session(theirs, starts_at=soon + timedelta(days=1))
    make.enrolment(mine, user=first)
    make.enrolment(theirs, user=second, status="applied")
    with app.test_request_context("/"):
        assert [i.training.title_en for i in schedule_for(first)] == ["Mine"]
        assert [i.training.title_en for i in schedule_for(second)] == ["Theirs", "Theirs"]
        assert [i.number for i in schedule_for(second)] == [1, 2]
        assert schedule_for(second, statuses=("accepted",), include_staff=False) == []
        assert schedule_for(second, statuses=()) == []
