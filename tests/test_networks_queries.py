"""Queries of the programme dashboard, people search and person pages stay constant as
trainings and people grow (counted at two sizes)."""
from trainings.attendance.models import AttendanceRecord
from trainings.certificates.models import Certificate
from trainings.extensions import db
from trainings.programmes import services as programmes


def _network(make, organiser, trainings: int, people: int, sessions: int = 3):
    made = []
    for t in range(trainings):
        training = make.training(organiser=organiser, sessions=sessions, commit=False)
        db.session.flush()
        for p in range(people):
            enrolment = make.enrolment(training, name=f"Peserta Ñuñez {p}",
                                       email=f"person{p}@example.org",  # the same people again
                                       country=("ID", "MY", "PK")[p % 3],
                                       organisation=f"Org {p % 4}", commit=False)
            db.session.flush()
            for session in training.sessions[: 1 + p % sessions]:
                db.session.add(AttendanceRecord(enrolment_id=enrolment.id, session_id=session.id,
                                                status="present"))
            if p % 2:
                db.session.add(Certificate(code=f"C{t}X{p}Y{training.id}", training_id=training.id,
                                           enrolment_id=enrolment.id, name=enrolment.name,
                                           sessions_attended=1, sessions_held=sessions))
        made.append(training)
    db.session.commit()
    programme = programmes.create_programme(
        {"title": "P", "trainings": [t.id for t in made]}, actor=organiser)
    db.session.commit()
    return programme, made


def _queries(count_queries, call):
    db.session.expire_all()  # as in production, a request starts with nothing loaded
    with count_queries() as counter:
        response = call()
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return counter.count, response


def test_dashboard_queries_do_not_grow_with_trainings_and_people(make, api, login, client,
                                                                 count_queries):
    small_owner, large_owner = make.user("organiser"), make.user("organiser")
    small, _ = _network(make, small_owner, trainings=1, people=2)
    large, _ = _network(make, large_owner, trainings=4, people=12)
    small_api, large_api = api(small_owner), api(large_owner)
    a, body = _queries(count_queries,
                       lambda: small_api.get(f"/api/v1/programmes/{small.id}/dashboard"))
    b, large_body = _queries(count_queries,
                             lambda: large_api.get(f"/api/v1/programmes/{large.id}/dashboard"))
    assert body.get_json()["people"] == 2 and large_body.get_json()["people"] == 12
    assert large_body.get_json()["certificates"] == 4 * 6
    assert a == b, (a, b)
    login(small_owner)
    a, _ = _queries(count_queries, lambda: client.get(f"/programmes/{small.id}"))
    client.post("/logout")
    login(large_owner)
    b, _ = _queries(count_queries, lambda: client.get(f"/programmes/{large.id}"))
    assert a == b, (a, b)


def test_people_queries_do_not_grow_with_trainings_and_people(make, api, login, client,
                                                              count_queries):
    small_owner, large_owner = make.user("organiser"), make.user("organiser")
    _network(make, small_owner, trainings=1, people=2)
    _, trainings = _network(make, large_owner, trainings=4, people=12)
    small_api, large_api = api(small_owner), api(large_owner)
    a, small_found = _queries(count_queries, lambda: small_api.get("/api/v1/people?q=nunez"))
    b, large_found = _queries(count_queries, lambda: large_api.get("/api/v1/people?q=nunez"))
    assert len(small_found.get_json()["items"]) == 2
    assert len(large_found.get_json()["items"]) == 12
    assert a == b, (a, b)
    small_person = small_found.get_json()["items"][0]["id"]
    large_person = large_found.get_json()["items"][0]["id"]
    a, one = _queries(count_queries, lambda: small_api.get(f"/api/v1/people/{small_person}"))
    b, four = _queries(count_queries, lambda: large_api.get(f"/api/v1/people/{large_person}"))
    assert len(one.get_json()["trainings"]) == 1 and len(four.get_json()["trainings"]) == 4
    assert a == b, (a, b)
    login(small_owner)
    a, _ = _queries(count_queries, lambda: client.get(f"/people/{small_person}"))
    c, _ = _queries(count_queries, lambda: client.get("/people?q=nunez"))
    client.post("/logout")
    login(large_owner)
    b, page = _queries(count_queries, lambda: client.get(f"/people/{large_person}"))
    d, _ = _queries(count_queries, lambda: client.get("/people?q=nunez"))
    assert page.get_data(as_text=True).count("/trainings/") >= 4
    assert (a, c) == (b, d)


def test_stored_dashboard_queries_do_not_grow_either(make, api, login, client, count_queries):
    """A repeat view reads the stored figures: fewer queries, the same at both sizes."""
    small_owner, large_owner = make.user("organiser"), make.user("organiser")
    small, _ = _network(make, small_owner, trainings=1, people=2)
    large, _ = _network(make, large_owner, trainings=4, people=12)
    counts = {}
    for owner, programme in ((small_owner, small), (large_owner, large)):
        caller = api(owner)
        first, _ = _queries(count_queries,
                            lambda: caller.get(f"/api/v1/programmes/{programme.id}/dashboard"))
        again, body = _queries(count_queries,
                               lambda: caller.get(f"/api/v1/programmes/{programme.id}/dashboard"))
        assert again < first and body.get_json()["trainings"] in (1, 4)
        login(owner)
        client.get(f"/programmes/{programme.id}")
        page, _ = _queries(count_queries, lambda: client.get(f"/programmes/{programme.id}"))
        client.post("/logout")
        counts[programme.id] = (again, page)
    assert counts[small.id] == counts[large.id], counts
