"""The contract's "Organisations, programmes and hubs": organisations, hubs, programmes
with their dashboard, people, and the public catalogue."""
from datetime import UTC, datetime, timedelta

from trainings.attendance.models import AttendanceRecord
from trainings.extensions import db
from trainings.organisations.models import Organisation


def test_organisations_are_created_listed_and_names_are_unique_ignoring_case(make, api):
    organiser = make.user("organiser")
    client = api(organiser)
    response = client.post("/api/v1/organisations", json={
        "name": "Koalisi Perempuan Indonesia", "short_name": "KPI", "country": "Indonesia",
        "website": "https://www.koalisiperempuan.or.id"})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body == {"id": body["id"], "name": "Koalisi Perempuan Indonesia", "short_name": "KPI",
                    "country": "ID", "website": "https://www.koalisiperempuan.or.id"}
    again = client.post("/api/v1/organisations", json={"name": "koalisi perempuan indonésia"})
    assert again.status_code == 409
    names = [o["name"] for o in client.get("/api/v1/organisations").get_json()["items"]]
    assert names == ["Koalisi Perempuan Indonesia"]


def test_bad_organisation_input_is_422_and_writes_nothing(make, api):
    client = api(make.user("organiser"))
    response = client.post("/api/v1/organisations", json={
        "name": "", "country": "Atlantis", "website": "javascript:alert(1)", "colour": "red"})
    assert response.status_code == 422
    fields = {d["field"] for d in response.get_json()["error"]["details"]}
    assert fields == {"name", "country", "website", "colour"}
    assert db.session.scalar(db.select(db.func.count()).select_from(Organisation)) == 0


def test_participants_may_not_create_organisations_hubs_or_programmes(make, api):
    client = api(make.user("participant"))
    assert client.post("/api/v1/organisations", json={"name": "X"}).status_code == 403
    assert client.post("/api/v1/hubs", json={"name": {"id": "X", "en": "X"}}).status_code == 403
    assert client.post("/api/v1/programmes", json={"title": "X"}).status_code == 403


def test_hubs_are_made_by_admins_and_listed_publicly(make, api, client):
    admin = make.user("admin")
    members = [api(admin).post("/api/v1/organisations", json={"name": n, "country": c})
               .get_json()["id"] for n, c in (("Kalyanamitra", "ID"), ("LBH APIK", "ID"))]
    response = api(admin).post("/api/v1/hubs", json={
        "name": {"id": "Jalin Tenggara", "en": "Jalin Tenggara"}, "region": "Indonesia",
        "organisations": members})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["slug"] == "jalin-tenggara"
    assert api(make.user("organiser")).post("/api/v1/hubs", json={
        "name": {"id": "X", "en": "X"}}).status_code == 403
    unknown = api(admin).post("/api/v1/hubs", json={"name": "Y", "organisations": [9999]})
    assert unknown.status_code == 422
    listed = client.get("/api/v1/hubs")  # no token: public
    assert listed.status_code == 200
    (hub,) = listed.get_json()["items"]
    assert hub["name"] == {"id": "Jalin Tenggara", "en": "Jalin Tenggara"}
    assert hub["countries"] == ["ID"]
    assert sorted(o["name"] for o in hub["organisations"]) == ["Kalyanamitra", "LBH APIK"]


def _programme(api, organiser, trainings, managers=()):
    return api(organiser).post("/api/v1/programmes", json={
        "title": {"id": "Program Kepemimpinan", "en": "Leadership programme"},
        "organisations": ["Komnas Perempuan"], "trainings": [t.id for t in trainings],
        "managers": [m.email for m in managers]})


def test_programme_managers_see_and_manage_every_training_of_the_programme(make, api):
    organiser, manager = make.user("organiser"), make.user("facilitator")
    first = make.training(organiser=organiser)
    second = make.training(organiser=organiser)
    outside = make.training(organiser=organiser)
    response = _programme(api, organiser, [first, second], [manager])
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["trainings"] == [first.id, second.id]
    assert body["managers"] == sorted([manager.email, organiser.email])
    assert body["organisations"] == ["Komnas Perempuan"]
    client = api(manager)
    for training in (first, second):
        assert client.get(f"/api/v1/trainings/{training.id}").status_code == 200
        patched = client.patch(f"/api/v1/trainings/{training.id}", json={"capacity": 12})
        assert patched.status_code == 200 and patched.get_json()["capacity"] == 12
    assert client.get(f"/api/v1/trainings/{outside.id}").status_code in (403, 404)
    assert client.get(f"/api/v1/programmes/{body['id']}/dashboard").status_code == 200
    stranger = api(make.user("organiser"))
    assert stranger.get(f"/api/v1/programmes/{body['id']}/dashboard").status_code == 403


def test_only_an_organiser_of_a_training_may_put_it_in_a_programme(make, api):
    someone_elses = make.training(organiser=make.user("organiser"))
    response = _programme(api, make.user("organiser"), [someone_elses])
    assert response.status_code == 422
    assert response.get_json()["error"]["details"][0]["field"] == "trainings.0"
    unknown = api(make.user("organiser")).post("/api/v1/programmes", json={
        "title": "P", "managers": ["nobody@example.org"]})
    assert unknown.status_code == 422


def test_dashboard_counts_people_once_by_email_with_completion_and_certificates(make, api):
    organiser = make.user("organiser")
    first = make.training(organiser=organiser, sessions=2, certificate_rule={"min_sessions": 1})
    second = make.training(organiser=organiser, sessions=1)
    siti = [make.enrolment(t, email="siti@example.org", country="ID", organisation="Kalyanamitra")
            for t in (first, second)]
    nur = make.enrolment(first, email="nur@example.org", country="MY", organisation="Sisters in Islam")
    make.enrolment(second, email="waiting@example.org", country="PK", status="waitlisted")
    db.session.add(AttendanceRecord(enrolment_id=siti[0].id, session_id=first.sessions[0].id,
                                    status="present"))
    db.session.add(AttendanceRecord(enrolment_id=nur.id, session_id=first.sessions[0].id,
                                    status="absent"))
    db.session.commit()
    programme = _programme(api, organiser, [first, second]).get_json()
    body = api(organiser).get(f"/api/v1/programmes/{programme['id']}/dashboard").get_json()
    assert body["trainings"] == 2
    assert body["people"] == 2  # siti twice, counted once; the waitlisted person not reached
    assert body["by_country"] == {"ID": 1, "MY": 1}
    assert body["by_organisation"] == {"Kalyanamitra": 1, "Sisters in Islam": 1}
    assert body["completion_rate"] == round(1 / 3, 4)  # 3 accepted enrolments, 1 completed
    assert body["certificates"] == 0
    assert [t["accepted"] for t in body["per_training"]] == [2, 1]


def test_people_search_ignores_case_and_diacritics_and_stays_in_managed_trainings(make, api):
    organiser = make.user("organiser")
    mine = make.training(organiser=organiser)
    other = make.training(organiser=make.user("organiser"))
    make.enrolment(mine, name="Nur Aisyah Zoë", email="aisyah@example.org")
    make.enrolment(other, name="Zoe Hidden", email="hidden@example.org")
    client = api(organiser)
    found = client.get("/api/v1/people?q=ZOE").get_json()["items"]
    assert [p["name"] for p in found] == ["Nur Aisyah Zoë"]
    assert client.get("/api/v1/people?q=hidden").get_json()["items"] == []
    assert api(make.user("participant")).get("/api/v1/people?q=zoe").status_code == 403


def test_a_person_has_one_id_across_trainings_and_a_page_of_what_the_viewer_may_see(make, api):
    organiser = make.user("organiser")
    mine = make.training(organiser=organiser, title_en="Mine")
    other = make.training(organiser=make.user("organiser"), title_en="Not mine")
    a = make.enrolment(mine, email="ayu@example.org")
    b = make.enrolment(other, email="ayu@example.org", status="waitlisted")
    assert a.user_id is not None and a.user_id == b.user_id
    body = api(organiser).get(f"/api/v1/people/{a.user_id}").get_json()
    assert [t["title"]["en"] for t in body["trainings"]] == ["Mine"]
    assert body["trainings"][0]["status"] == "accepted"
    stranger = api(make.user("organiser"))
    assert stranger.get(f"/api/v1/people/{a.user_id}").status_code == 404


def test_catalogue_is_public_and_lists_trainings_open_for_applications(make, client):
    soon = datetime.now(UTC) + timedelta(days=10)
    open_one = make.training(title_en="Open training", title_id="Pelatihan terbuka",
                             sessions=2, first_start=soon)
    open_one.applications_open = True
    make.training(title_en="Closed training", sessions=1, first_start=soon)
    past = make.training(title_en="Past training", sessions=1,
                         first_start=datetime(2023, 12, 5, 7, tzinfo=UTC))
    past.applications_open = True
    db.session.commit()
    response = client.get("/api/v1/catalogue?tz=Asia/Karachi")
    assert response.status_code == 200
    (item,) = response.get_json()["items"]
    assert item["title"] == {"id": "Pelatihan terbuka", "en": "Open training"}
    assert item["languages"] == ["id", "en"] and item["sessions"] == 2
    assert item["local"]["timezone"] == "Asia/Karachi"
    assert item["local"]["starts_at"].endswith("+05:00")
    assert item["apply_url"].endswith(f"/trainings/{open_one.id}/apply")
    assert client.get("/api/v1/catalogue?tz=Mars/Base").status_code == 422


def test_enrolments_answer_their_person_and_trainings_their_organisation_ids(make, api):
    organiser = make.user("organiser")
    client = api(organiser)
    created = client.post("/api/v1/trainings", json={
        "title": {"id": "Pelatihan", "en": "Training"}, "organisations": ["INFID"]}).get_json()
    (infid,) = db.session.scalars(db.select(Organisation).where(Organisation.name == "INFID"))
    assert created["organisations"] == ["INFID"] and created["organisation_ids"] == [infid.id]
    other = make.training(organiser=organiser)
    first = client.post(f"/api/v1/trainings/{created['id']}/enrolments", json={
        "name": "Siti", "email": "siti@example.org", "country": "ID"}).get_json()
    second = client.post(f"/api/v1/trainings/{other.id}/enrolments", json={
        "name": "Siti R.", "email": "SITI@example.org", "country": "ID"}).get_json()
    assert isinstance(first["person"], int) and first["person"] == second["person"]
    person = client.get(f"/api/v1/people/{first['person']}").get_json()
    assert sorted(t["training"] for t in person["trainings"]) == sorted([created["id"], other.id])


def test_my_trainings_include_those_of_programmes_i_manage(make, api, login, client):
    organiser, manager = make.user("organiser"), make.user("facilitator")
    inside = make.training(organiser=organiser, title_en="Inside the programme")
    make.training(organiser=organiser, title_en="Outside")
    _programme(api, organiser, [inside], [manager])
    listed = api(manager).get("/api/v1/trainings").get_json()["items"]
    assert [t["title"]["en"] for t in listed] == ["Inside the programme"]
    login(manager)
    page = client.get("/trainings").get_data(as_text=True)
    assert "Inside the programme" in page and "Outside" not in page


def test_trainings_take_organisation_ids_and_matching_names(make, api):
    client = api(make.user("organiser"))
    apik = client.post("/api/v1/organisations", json={"name": "LBH APIK"}).get_json()
    body = client.post("/api/v1/trainings", json={
        "title": "T", "organisations": [apik["id"], "lbh  apík", "Kalyanamitra"]}).get_json()
    assert body["organisations"] == ["LBH APIK", "Kalyanamitra"]
    assert body["organisation_ids"][0] == apik["id"]
    bad = client.post("/api/v1/trainings", json={"title": "T", "organisations": [987654]})
    assert bad.status_code == 422
    assert bad.get_json()["error"]["details"][0]["field"] == "organisations.0"
