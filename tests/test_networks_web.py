"""Pages of the networks: home page catalogue, hubs with the map, organisations,
programmes and their dashboard with exports, people search and person pages."""
from datetime import UTC, datetime, timedelta

from trainings.extensions import db
from trainings.organisations import services as organisations
from trainings.organisations.models import Organisation
from trainings.programmes import services as programmes


def _hub():
    members = [organisations.create_organisation({"name": n, "country": c, "short_name": s})
               for n, c, s in (("Kalyanamitra", "ID", ""), ("LBH APIK", "ID", "APIK"))]
    hub = organisations.create_hub({"name": {"id": "Jalin Tenggara", "en": "Jalin Tenggara"},
                                    "region": "Indonesia", "organisations": [m.id for m in members]})
    db.session.commit()
    return hub


def test_home_page_lists_open_trainings_to_visitors_in_their_language(make, client):
    training = make.training(title_en="Open to all", title_id="Terbuka untuk semua", sessions=2,
                             first_start=datetime.now(UTC) + timedelta(days=3))
    training.applications_open = True
    db.session.commit()
    page = client.get("/", headers={"Accept-Language": "id"}).get_data(as_text=True)
    assert "Terbuka untuk semua" in page
    assert f"/trainings/{training.id}/apply" in page
    english = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Open to all" in english and "UTC" in english


def test_hubs_overview_has_a_decorative_map_and_the_list_beside_it(app, client):
    hub = _hub()
    page = client.get("/hubs").get_data(as_text=True)
    assert '<svg class="world-map"' in page and 'aria-hidden="true"' in page
    assert 'data-country="ID" fill="#c0537a"' in page  # the hub's country is highlighted
    assert f'href="/hubs/{hub.slug}"' in page and "Indonesia" in page
    detail = client.get(f"/hubs/{hub.slug}")
    assert detail.status_code == 200
    text = detail.get_data(as_text=True)
    assert "Kalyanamitra" in text and "LBH APIK" in text and "(APIK)" in text
    assert client.get("/hubs/nowhere").status_code == 404


def test_organisers_add_organisations_and_bad_input_shows_next_to_the_field(make, login, client):
    login(make.user("organiser"))
    bad = client.post("/organisations", data={"name": "Oxfam", "country": "Narnia"})
    assert bad.status_code == 422 and "Unknown country" in bad.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Organisation)) == 0
    good = client.post("/organisations", data={"name": "Oxfam", "country": "GB",
                                               "website": "oxfam.org"})
    assert good.status_code == 302
    assert db.session.scalar(db.select(Organisation.website)) == "https://oxfam.org"


def test_participants_see_no_organisation_programme_or_people_pages(make, login, client):
    login(make.user("participant"))
    for path in ("/organisations", "/programmes", "/people?q=a"):
        assert client.get(path).status_code == 403, path


def test_programme_dashboard_page_with_charts_tables_and_exports(make, login, client):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser, title_en="Leadership")
    make.enrolment(training, country="PK", organisation="Shirkat Gah")
    login(organiser)
    response = client.post("/programmes", data={"title_en": "Leadership programme",
                                                "trainings": [str(training.id)]})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Leadership programme" in page and "Pakistan" in page and "Shirkat Gah" in page
    assert "<svg" in page and "<table" in page
    programme_id = response.headers["Location"].rstrip("/").split("/")[-1]
    csv = client.get(f"/programmes/{programme_id}/dashboard.csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert "Shirkat Gah" in csv.get_data().decode("utf-8-sig")
    xlsx = client.get(f"/programmes/{programme_id}/dashboard.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"


def test_programme_form_refuses_trainings_of_others(make, login, client):
    mine = make.training(organiser=make.user("organiser"))
    login(make.user("organiser"))
    response = client.post("/programmes", data={"title_en": "P", "trainings": [str(mine.id)]})
    assert response.status_code == 422  # not a choice offered to this organiser
    assert not programmes.list_programmes(make.user("admin"))


def test_people_search_page_and_person_page(make, login, client):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser, title_en="Leadership")
    enrolment = make.enrolment(training, name="Cut Nyak Meutia Zahra", email="meutia@example.org")
    login(organiser)
    page = client.get("/people?q=MEUTIA").get_data(as_text=True)
    assert "Cut Nyak Meutia Zahra" in page
    person = client.get(f"/people/{enrolment.user_id}").get_data(as_text=True)
    assert "Leadership" in person and "meutia@example.org" in person


def test_a_participant_sees_their_own_history(make, login, client):
    participant = make.user("participant")
    first = make.training(title_en="First course")
    second = make.training(title_en="Second course")
    make.enrolment(first, user=participant)
    make.enrolment(second, user=participant, status="waitlisted")
    login(participant)
    page = client.get("/me/trainings").get_data(as_text=True)
    assert "First course" in page and "Second course" in page
    assert client.get(f"/people/{participant.id}").status_code == 200


def test_a_manager_edits_the_programme_and_a_stranger_may_not(make, login, client):
    organiser, manager = make.user("organiser"), make.user("organiser")
    first, second = make.training(organiser=organiser), make.training(organiser=organiser)
    programme = programmes.create_programme({"title": "P", "trainings": [first.id],
                                             "managers": [manager.email]}, actor=organiser)
    db.session.commit()
    login(organiser)
    page = client.get(f"/programmes/{programme.id}/edit")
    assert page.status_code == 200 and manager.email in page.get_data(as_text=True)
    saved = client.post(f"/programmes/{programme.id}/edit", data={
        "title_en": "Renamed", "trainings": [str(first.id), str(second.id)],
        "managers": manager.email})
    assert saved.status_code == 302
    db.session.expire_all()
    assert programme.title_en == "Renamed" and len(programme.trainings) == 2
    client.post("/logout")
    login(make.user("organiser"))
    assert client.get(f"/programmes/{programme.id}/edit").status_code == 403


def test_admins_create_hubs_on_a_form_and_others_may_not(make, login, client):
    member = organisations.create_organisation({"name": "Kalyanamitra", "country": "ID"})
    db.session.commit()
    login(make.user("organiser"))
    assert client.get("/hubs/new").status_code == 403
    client.post("/logout")
    login(make.user("admin"))
    empty = client.post("/hubs/new", data={"region": "Asia"})
    assert empty.status_code == 422 and "Indonesian or English" in empty.get_data(as_text=True)
    made = client.post("/hubs/new", data={"name_en": "Jalin Tenggara", "region": "Indonesia",
                                          "organisations": [str(member.id)]})
    assert made.status_code == 302 and made.headers["Location"].endswith("/hubs/jalin-tenggara")


def test_certificate_page_offers_signatories_of_the_same_organisation_from_other_trainings(
        make, login, client):
    from trainings.certificates.models import Signatory
    organiser = make.user("organiser")
    earlier = make.training(organiser=organiser, organisations=("Komnas Perempuan",))
    later = make.training(organiser=organiser, organisations=("Komnas Perempuan",))
    db.session.add(Signatory(training_id=earlier.id, name="Andy Yentriyani",
                             organisation="Komnas Perempuan"))
    db.session.commit()
    login(organiser)
    page = client.get(f"/trainings/{later.id}/certificates").get_data(as_text=True)
    assert "Signatories of these organisations in other trainings" in page
    (offered,) = db.session.scalars(db.select(Signatory.id))
    done = client.post(f"/trainings/{later.id}/certificates/signatories/{offered}/reuse")
    assert done.status_code == 302
    names = db.session.scalars(db.select(Signatory.name).where(Signatory.training_id == later.id))
    assert list(names) == ["Andy Yentriyani"]
    outsider = make.user("organiser")
    client.post("/logout")
    login(outsider)
    assert client.post(f"/trainings/{later.id}/certificates/signatories/{offered}/reuse"
                       ).status_code == 403


def test_an_organisation_logo_is_set_once_for_every_training(make, login, client):
    import io

    from trainings.certificates.models import OrganisationLogo
    organisation = organisations.create_organisation({"name": "Kalyanamitra"})
    db.session.commit()
    login(make.user("organiser"))
    page = client.get(f"/organisations/{organisation.id}").get_data(as_text=True)
    assert f"/organisations/{organisation.id}/logo" in page
    empty = client.post(f"/organisations/{organisation.id}/logo", data={})
    assert empty.status_code == 422
    unsafe = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    refused = client.post(f"/organisations/{organisation.id}/logo",
                          data={"logo-logo": (io.BytesIO(unsafe), "logo.svg")},
                          content_type="multipart/form-data")
    assert refused.status_code == 422 and db.session.get(OrganisationLogo, organisation.id) is None
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8"/></svg>'
    saved = client.post(f"/organisations/{organisation.id}/logo",
                        data={"logo-logo": (io.BytesIO(svg), "logo.svg")},
                        content_type="multipart/form-data")
    assert saved.status_code == 302
    assert db.session.get(OrganisationLogo, organisation.id) is not None
    client.post("/logout")
    login(make.user("participant"))
    assert client.get(f"/organisations/{organisation.id}/logo").status_code == 403
