"""Stored dashboard figures: a repeat view reads them, and every change to what they are made
of shows in the very next view (no staleness, whatever process computed them)."""
import secrets

import pytest
from sqlalchemy import update

from trainings.attendance.services.records import set_records
from trainings.certificates.services.issuing import issue_one
from trainings.enrolment.models import Enrolment
from trainings.enrolment.services.seats import change_status
from trainings.evaluation.models import Survey, SurveyResponse
from trainings.extensions import db
from trainings.overview import dashboard, summaries
from trainings.overview.models import ProgrammeSummary
from trainings.programmes import services as programmes


@pytest.fixture
def network(make):
    """A programme of two trainings (3 sessions each) with two people in the first one."""
    organiser = make.user("organiser")
    first = make.training(organiser=organiser, sessions=3, certificate_rule={"min_sessions": 2})
    second = make.training(organiser=organiser, sessions=3)
    people = [make.enrolment(first, email=f"reach{n}@example.org", organisation="Org A")
              for n in range(2)]
    make.enrolment(second, email="reach0@example.org", organisation="Org A")  # the same person
    programme = programmes.create_programme(
        {"title": "P", "trainings": [first.id, second.id]}, actor=organiser)
    db.session.commit()
    return organiser, programme, first, second, people


def _view(client, programme):
    response = client.get(f"/api/v1/programmes/{programme.id}/dashboard")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_json()


def _computations(monkeypatch):
    calls = []
    real = dashboard.programme_dashboard

    def counting(programme):
        calls.append(programme.id)
        return real(programme)
    monkeypatch.setattr(dashboard, "programme_dashboard", counting)
    return calls


def _same_as_computed(programme, answer):
    """The answer equals the uncached computation over the same data."""
    db.session.expire_all()
    computed = summaries._plain(dashboard.programme_dashboard(programme))
    assert {k: v for k, v in answer.items() if k != "computed_at"} == computed


def test_a_repeat_view_reads_the_stored_figures(network, api, monkeypatch):
    organiser, programme, *_ = network
    calls = _computations(monkeypatch)
    client = api(organiser)
    first = _view(client, programme)
    assert calls == [programme.id] and first["people"] == 2
    again = _view(client, programme)
    assert calls == [programme.id]  # not computed again
    assert again == first  # computed_at included: the same stored figures
    row = db.session.get(ProgrammeSummary, programme.id)
    assert row.computed_version == row.version and row.data["people"] == 2
    _same_as_computed(programme, again)


def test_a_new_enrolment_shows_in_the_next_view(network, api, make):
    organiser, programme, first_training, _second, _people = network
    client = api(organiser)
    assert _view(client, programme)["people"] == 2
    make.enrolment(first_training, email="new.person@example.org", country="MY")
    after = _view(client, programme)
    assert after["people"] == 3 and after["by_country"] == {"ID": 2, "MY": 1}
    _same_as_computed(programme, after)


def test_a_status_change_shows_in_the_next_view(network, api):
    organiser, programme, _first, _second, people = network
    client = api(organiser)
    assert _view(client, programme)["people"] == 2
    change_status(people[1], "rejected", actor=organiser, notify=False)
    db.session.commit()
    assert _view(client, programme)["people"] == 1


def test_marked_attendance_and_a_certificate_show_in_the_next_view(network, api):
    organiser, programme, first_training, _second, people = network
    client = api(organiser)
    before = _view(client, programme)
    assert before["people_completed"] == 0 and before["certificates"] == 0
    for session in first_training.sessions[:2]:  # the attendance service's INSERT ... ON CONFLICT
        set_records(session, [{"enrolment": people[0].id, "status": "present"}], actor=organiser)
    db.session.commit()
    attended = _view(client, programme)
    assert attended["people_completed"] == 1
    assert attended["per_training"][0]["completed"] == 1
    issue_one(people[0], actor=organiser, base="http://localhost")
    db.session.commit()
    certified = _view(client, programme)
    assert certified["certificates"] == 1 and certified["certificate_rate"] == 0.5
    _same_as_computed(programme, certified)


def test_a_cancelled_session_changes_completion_at_once(network, api, make):
    organiser, programme, first_training, _second, people = network
    client = api(organiser)
    set_records(first_training.sessions[0], [{"enrolment": people[0].id, "status": "present"}],
                actor=organiser)
    db.session.commit()
    assert _view(client, programme)["people_completed"] == 0  # 1 of 3, the rule wants 2
    first_training.sessions[1].status = "cancelled"
    first_training.sessions[2].status = "cancelled"
    db.session.commit()  # one held session left: "at least 2" becomes that one
    after = _view(client, programme)
    assert after["people_completed"] == 1
    _same_as_computed(programme, after)


def test_a_training_removed_or_deleted_changes_the_next_view(network, api):
    organiser, programme, first_training, second_training, _people = network
    client = api(organiser)
    assert _view(client, programme)["trainings"] == 2
    response = client.patch(f"/api/v1/programmes/{programme.id}",
                            json={"trainings": [second_training.id]})
    assert response.status_code == 200, response.get_json()
    removed = _view(client, programme)
    assert removed["trainings"] == 1 and removed["people"] == 1
    db.session.delete(db.session.get(type(second_training), second_training.id))
    db.session.commit()
    assert _view(client, programme)["trainings"] == 0


def test_a_bulk_statement_on_enrolments_changes_every_dashboard(network, api):
    organiser, programme, *_ = network
    client = api(organiser)
    assert _view(client, programme)["by_organisation"] == {"Org A": 2}
    db.session.execute(update(Enrolment).where(Enrolment.organisation == "Org A")
                       .values(organisation="Org B"))
    db.session.commit()
    assert _view(client, programme)["by_organisation"] == {"Org B": 2}


def test_the_evaluation_hook_is_covered_by_the_stored_figures(network, api, monkeypatch):
    """Whatever ``evaluation_results`` answers is stored with the rest, and a new survey
    response makes the next view compute it again."""
    organiser, programme, first_training, _second, people = network

    def responses(training_ids):
        return {"responses": db.session.query(SurveyResponse).join(Survey).filter(
            Survey.training_id.in_(training_ids)).count()}
    monkeypatch.setattr(dashboard, "evaluation_results", responses)
    client = api(organiser)
    survey = Survey(training_id=first_training.id, title_en="Feedback", title_id="Umpan balik")
    db.session.add(survey)
    db.session.commit()
    assert _view(client, programme)["evaluation"] == {"responses": 0}
    db.session.add(SurveyResponse(id=secrets.token_hex(16), survey_id=survey.id,
                                  enrolment_id=people[0].id, answers={"q1": 5}))
    db.session.commit()
    assert _view(client, programme)["evaluation"] == {"responses": 1}


def test_a_store_that_raced_a_change_is_not_kept(network, api, monkeypatch):
    """Figures computed before a change committed never replace the out-of-date mark."""
    organiser, programme, first_training, _second, _people = network
    row = summaries.stored(programme.id)
    version = row.version if row is not None else 0
    figures = summaries._plain(dashboard.programme_dashboard(programme))
    db.session.rollback()
    summaries.bump(db.session.connection(), [programme.id])  # a change commits meanwhile
    db.session.commit()
    assert summaries.store(programme.id, version, figures, summaries.utcnow()) is False
    calls = _computations(monkeypatch)
    _view(api(organiser), programme)
    assert calls == [programme.id]  # the next view computed them again


def test_the_worker_fills_missing_and_out_of_date_figures(network, api, make, monkeypatch):
    organiser, programme, first_training, _second, _people = network
    assert dashboard.refresh_dashboards(summaries.utcnow()) == 1
    assert dashboard.refresh_dashboards(summaries.utcnow()) == 0  # nothing left to do
    make.enrolment(first_training, email="later@example.org")
    assert dashboard.refresh_dashboards(summaries.utcnow()) == 1
    calls = _computations(monkeypatch)
    assert _view(api(organiser), programme)["people"] == 3
    assert calls == []  # the view read what the worker stored


def test_stored_figures_keep_the_permissions(network, api, make):
    organiser, programme, *_ = network
    _view(api(organiser), programme)  # stored now
    stranger = make.user("organiser")
    assert api(stranger).get(f"/api/v1/programmes/{programme.id}/dashboard").status_code == 403
    participant = make.user("participant")
    assert api(participant).get(f"/api/v1/programmes/{programme.id}/dashboard").status_code \
        in (403, 404)


def test_the_page_reads_the_stored_figures_too(network, login, client, monkeypatch):
    organiser, programme, *_ = network
    calls = _computations(monkeypatch)
    login(organiser)
    first = client.get(f"/programmes/{programme.id}")
    assert first.status_code == 200 and calls == [programme.id]
    again = client.get(f"/programmes/{programme.id}")
    assert again.status_code == 200 and calls == [programme.id]
    def as_of(page):
        text = page.get_data(as_text=True)
        return text[text.index("Figures as of"):].split("</p>")[0]
    assert as_of(again) == as_of(first)  # the same computation, not a new one


def test_the_page_shows_new_figures_at_once_in_each_language(network, make, login, client):
    organiser, programme, first_training, *_ = network
    colleague = make.user("organiser", language="id")
    programme.managers.append(colleague)
    db.session.commit()

    def reached(page):
        text = page.get_data(as_text=True)
        for words in ("people reached", "orang terjangkau"):
            if words in text:
                return words, text[:text.index(words)].rsplit("<strong>", 1)[1].split("<")[0]
        raise AssertionError("no key figure")
    login(organiser)
    assert reached(client.get(f"/programmes/{programme.id}")) == ("people reached", "2")
    assert reached(client.get(f"/programmes/{programme.id}")) == ("people reached", "2")
    make.enrolment(first_training, email="third@example.org")
    assert reached(client.get(f"/programmes/{programme.id}")) == ("people reached", "3")
    assert reached(client.get(f"/programmes/{programme.id}")) == ("people reached", "3")
    client.post("/logout")
    login(colleague)  # the same stored version, rendered in her language
    assert reached(client.get(f"/programmes/{programme.id}")) == ("orang terjangkau", "3")


def test_a_bump_undone_with_a_savepoint_is_made_again(network, api, make):
    """Bumps are made once per transaction; a savepoint rolled back takes its bump with it,
    so the next change in the transaction bumps again."""
    organiser, programme, first_training, _second, _people = network
    client = api(organiser)
    assert _view(client, programme)["people"] == 2
    savepoint = db.session.begin_nested()
    make.enrolment(first_training, email="undone@example.org", commit=False)
    db.session.flush()
    savepoint.rollback()
    make.enrolment(first_training, email="kept@example.org")  # the same training, committed
    assert _view(client, programme)["people"] == 3


def test_the_worker_task_is_registered():
    from trainings import periodic
    task = periodic.TASKS["overview.dashboards"]
    assert task.target == "trainings.overview.dashboard:refresh_dashboards"


def test_marking_many_records_bumps_once(network, make, count_queries):
    organiser, programme, first_training, _second, people = network
    extra = [make.enrolment(first_training, commit=False) for _ in range(10)]
    db.session.commit()
    ids = [e.id for e in [*people, *extra]]
    with count_queries() as counter:
        set_records(first_training.sessions[0],
                    [{"enrolment": i, "status": "present"} for i in ids], actor=organiser)
        db.session.commit()
    ours = [s for s in counter.statements
            if "programme_dashboards" in s or "programme_trainings" in s]
    assert len(ours) == 2, ours  # find the programmes, bump them: once for 12 records
    assert db.session.get(ProgrammeSummary, programme.id).version > 0
