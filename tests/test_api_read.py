"""The read API of the contract: trainings, sessions, enrolments, errors."""


def test_list_and_get_trainings_for_organiser(make, api):
    organiser = make.user("organiser")
    mine = make.training(organiser=organiser, sessions=2, capacity=30,
                         quotas={"ID": 10, "MY": 10, "PK": 10},
                         certificate_rule={"min_sessions": 6})
    make.training(organiser=make.user("organiser"))  # somebody else's

    response = api(organiser).get("/api/v1/trainings")
    assert response.status_code == 200
    items = response.get_json()["items"]
    assert [t["id"] for t in items] == [mine.id]
    training = items[0]
    assert training["title"] == {"id": mine.title_id, "en": mine.title_en}
    assert training["timezone"] == "Asia/Jakarta"
    assert training["capacity"] == 30
    assert training["country_quotas"] == {"ID": 10, "MY": 10, "PK": 10}
    assert training["certificate_rule"] == {"min_sessions": 6}
    assert training["organisations"] == ["Komnas Perempuan", "INFID"]

    assert api(organiser).get(f"/api/v1/trainings/{mine.id}").get_json() == training


def test_sessions_in_requested_zone_and_numbered_by_start(make, api):
    from datetime import UTC, datetime
    organiser = make.user("organiser")
    training = make.training(organiser=organiser)
    later = make.session(training, starts_at=datetime(2023, 12, 7, 7, 0, tzinfo=UTC))
    first = make.session(training, starts_at=datetime(2023, 12, 5, 7, 0, tzinfo=UTC))

    response = api(organiser).get(f"/api/v1/trainings/{training.id}/sessions?tz=Asia/Karachi")
    assert response.status_code == 200
    items = response.get_json()["items"]
    assert [(s["id"], s["number"]) for s in items] == [(first.id, 1), (later.id, 2)]
    assert items[0]["starts_at"] == "2023-12-05T07:00:00Z"
    assert items[0]["ends_at"] == "2023-12-05T09:00:00Z"
    assert items[0]["local"] == {"starts_at": "2023-12-05T12:00:00+05:00",
                                 "ends_at": "2023-12-05T14:00:00+05:00",
                                 "timezone": "Asia/Karachi"}
    assert items[0]["status"] == "scheduled"


def test_sessions_default_to_callers_zone_and_refuse_unknown_zone(make, api):
    organiser = make.user("organiser", timezone="Asia/Kuala_Lumpur")
    training = make.training(organiser=organiser, sessions=1)
    items = api(organiser).get(f"/api/v1/trainings/{training.id}/sessions").get_json()["items"]
    assert items[0]["local"]["starts_at"] == "2023-12-05T15:00:00+08:00"

    bad = api(organiser).get(f"/api/v1/trainings/{training.id}/sessions?tz=Mars/Olympus")
    assert bad.status_code == 422
    error = bad.get_json()["error"]
    assert error["code"] == "unknown_timezone"
    assert error["details"][0]["field"] == "tz"


def test_enrolments_filtered_by_country_and_status(make, api):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser)
    pk = make.enrolment(training, country="PK", status="accepted", name="Ayesha")
    make.enrolment(training, country="PK", status="waitlisted")
    make.enrolment(training, country="ID", status="accepted")

    response = api(organiser).get(
        f"/api/v1/trainings/{training.id}/enrolments?country=PK&status=accepted")
    assert response.status_code == 200
    items = response.get_json()["items"]
    assert [e["id"] for e in items] == [pk.id]
    assert items[0]["country"] == "PK" and items[0]["status"] == "accepted"
    assert items[0]["name"] == "Ayesha"

    # a country name or alpha-3 code is normalised
    by_name = api(organiser).get(f"/api/v1/trainings/{training.id}/enrolments?country=Pakistan")
    by_alpha3 = api(organiser).get(f"/api/v1/trainings/{training.id}/enrolments?country=PAK")
    assert len(by_name.get_json()["items"]) == len(by_alpha3.get_json()["items"]) == 2
    unknown = api(organiser).get(f"/api/v1/trainings/{training.id}/enrolments?country=Atlantis")
    assert unknown.status_code == 422


def test_participants_and_strangers_cannot_list_enrolments(make, api):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser)
    participant = make.user("participant")
    make.enrolment(training, user=participant)
    stranger = make.user("organiser")

    assert api(participant).get(f"/api/v1/trainings/{training.id}/enrolments").status_code == 403
    assert api(stranger).get(f"/api/v1/trainings/{training.id}/enrolments").status_code == 403
    assert api(stranger).get(f"/api/v1/trainings/{training.id}").status_code == 403
    # the participant sees the training itself
    assert api(participant).get(f"/api/v1/trainings/{training.id}").status_code == 200


def test_errors_use_the_contract_format(make, api, client):
    user = make.user("organiser")
    missing = api(user).get("/api/v1/trainings/999999")
    assert missing.status_code == 404
    body = missing.get_json()
    assert set(body["error"]) == {"code", "message", "details"}

    unknown_route = api(user).get("/api/v1/no-such-thing")
    assert unknown_route.status_code == 404 and "error" in unknown_route.get_json()


def test_missing_or_bad_token_is_401_json(make, client):
    response = client.get("/api/v1/trainings")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    bad = client.get("/api/v1/trainings", headers={"Authorization": "Bearer anyam_forged"})
    assert bad.status_code == 401
    basic = client.get("/api/v1/trainings", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert basic.status_code == 401


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
