"""Services of the networks without HTTP: organisation matching, hubs, programmes, the
dashboard's completion rule, people folding, the staff:programme tie."""
import pytest

from trainings.attendance.models import AttendanceRecord
from trainings.errors import Conflict, ValidationError
from trainings.extensions import db
from trainings.organisations import services as organisations
from trainings.organisations.names import fold
from trainings.overview import people
from trainings.overview.dashboard import programme_dashboard
from trainings.policy import can, ties
from trainings.programmes import services as programmes


def test_fold_ignores_case_diacritics_and_spacing():
    assert fold("  Fundación   MUJERES en Igualdad ") == "fundacion mujeres en igualdad"
    assert fold("Zoë Ñuñez") == fold("zoe nunez")


def test_resolve_links_matching_names_and_ids_and_creates_the_rest(app):
    apik = organisations.create_organisation({"name": "LBH APIK", "country": "ID"})
    db.session.commit()
    found = organisations.resolve(["lbh  apik", apik.id, "Kalyanamitra"])
    assert [o.name for o in found] == ["LBH APIK", "Kalyanamitra"]  # duplicates dropped
    assert found[1].id is None or found[1] in db.session  # the new one is pending
    with pytest.raises(ValidationError) as error:
        organisations.resolve([424242, True])
    assert [d["field"] for d in error.value.details] == ["organisations.0", "organisations.1"]
    with pytest.raises(ValidationError):
        organisations.resolve(["Unknown one"], create=False)


def test_organisation_renamed_onto_another_name_is_a_conflict(app):
    organisations.create_organisation({"name": "Oxfam"})
    other = organisations.create_organisation({"name": "INFID"})
    with pytest.raises(Conflict):
        organisations.update_organisation(other, {"name": "OXFAM"})


def test_hub_slug_is_made_from_the_name_and_kept_unique(app):
    first = organisations.create_hub({"name": {"id": "Enlaza Sur", "en": "Enlaza Sur"}})
    second = organisations.create_hub({"name": "Enlaza  Sur"})
    assert (first.slug, second.slug) == ("enlaza-sur", "enlaza-sur-2")
    with pytest.raises(ValidationError):
        organisations.create_hub({"name": {"id": "", "en": ""}})


def test_programme_manager_ties_are_organiser_of_programme_trainings(make):
    organiser, manager = make.user("organiser"), make.user("participant")
    inside, outside = make.training(organiser=organiser), make.training(organiser=organiser)
    programme = programmes.create_programme(
        {"title": "P", "trainings": [inside.id], "managers": [manager.email]}, actor=organiser)
    db.session.commit()
    assert ties(manager, inside)["staff:programme"] == {"organiser"}
    assert ties(manager, outside)["staff:programme"] == frozenset()
    assert can(manager, "training.edit", inside) and not can(manager, "training.edit", outside)
    assert can(manager, "programme.manage", programme)
    programmes.update_programme(programme, {"trainings": []}, actor=organiser)
    db.session.commit()
    assert not can(manager, "training.edit", inside)


def test_completion_applies_each_training_rule_with_mandatory_and_excused(make):
    organiser = make.user("organiser")
    strict = make.training(organiser=organiser, sessions=3)
    strict.certificate_rule = {"min_sessions": 2, "mandatory_sessions": [strict.sessions[2].id]}
    lenient = make.training(organiser=organiser, sessions=2,
                            certificate_rule={"min_sessions": 2, "excused_counts": True})
    db.session.commit()
    a = make.enrolment(strict, email="a@example.org")  # 2 sessions, not the mandatory one
    b = make.enrolment(strict, email="b@example.org")  # 2 sessions with the mandatory one
    c = make.enrolment(lenient, email="c@example.org")  # present + excused: counts here
    for enrolment, session, status in ((a, strict.sessions[0], "present"),
                                       (a, strict.sessions[1], "late"),
                                       (b, strict.sessions[0], "present"),
                                       (b, strict.sessions[2], "present"),
                                       (c, lenient.sessions[0], "present"),
                                       (c, lenient.sessions[1], "excused")):
        db.session.add(AttendanceRecord(enrolment_id=enrolment.id, session_id=session.id,
                                        status=status))
    db.session.commit()
    programme = programmes.create_programme(
        {"title": "P", "trainings": [strict.id, lenient.id]}, actor=organiser)
    data = programme_dashboard(programme)
    assert [(t["accepted"], t["completed"]) for t in data["per_training"]] == [(2, 1), (1, 1)]
    assert data["people_completed"] == 2


def test_people_search_matches_email_and_folded_names_only_in_managed_trainings(make):
    organiser, admin = make.user("organiser"), make.user("admin")
    mine, other = make.training(organiser=organiser), make.training()
    make.enrolment(mine, name="Andi Fatimah Azzahra", email="andi@example.org")
    make.enrolment(other, name="Fátima Hidden", email="fatima@example.org")
    assert [p["email"] for p in people.search(organiser, "FATIMA")] == ["andi@example.org"]
    assert [p["email"] for p in people.search(organiser, "andi@")] == ["andi@example.org"]
    assert len(people.search(admin, "fatima")) == 2
    assert people.search(organiser, "   ") == []
    assert people.search(organiser, "50%_") == []  # LIKE wildcards are taken literally


def test_signatories_of_an_organisation_are_reused_in_its_next_training(make):
    from trainings.certificates import reuse
    from trainings.certificates.models import Signatory
    from trainings.errors import NotFound
    organiser = make.user("organiser")
    earlier = make.training(organiser=organiser, organisations=("Komnas Perempuan",))
    unrelated = make.training(organiser=organiser, organisations=("Oxfam",))
    later = make.training(organiser=organiser, organisations=("Komnas Perempuan", "INFID"))
    db.session.add(Signatory(training_id=earlier.id, name="Andy Yentriyani",
                             role_en="Chair", organisation="Komnas Perempuan"))
    db.session.add(Signatory(training_id=unrelated.id, name="Someone Else", organisation="Oxfam"))
    db.session.commit()
    (offered,) = reuse.reusable_signatories(later)
    assert offered.name == "Andy Yentriyani"
    copy = reuse.reuse_signatory(later, offered.id, actor=organiser)
    assert (copy.training_id, copy.role_en) == (later.id, "Chair")
    assert reuse.reusable_signatories(later) == []  # already there now
    with pytest.raises(NotFound):
        reuse.reuse_signatory(unrelated, offered.id, actor=organiser)


def test_module_covers_find_the_logos_kept_for_organisations(make):
    from trainings.certificates import services as certificates
    from trainings.modules.organisation_logos import logos_for_names
    organisation = organisations.create_organisation({"name": "Komnas Perempuan"})
    svg = (b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
           b'<rect width="10" height="10"/></svg>')
    certificates.set_logo(organisation, svg, actor=None)
    db.session.commit()
    (logo,) = logos_for_names(["komnas perempuan", "No Such Organisation"])
    assert logo["url"].startswith("data:image/svg+xml;base64,")
    assert logo["alt"] == "Logo Komnas Perempuan"


def test_one_new_address_enrolled_in_many_trainings_at_once_makes_one_person(app, make):
    import threading

    from trainings.auth.models import User
    from trainings.enrolment import services as enrolment
    from trainings.scheduling.models import Training
    trainings = [make.training().id for _ in range(6)]
    barrier, errors = threading.Barrier(len(trainings)), []

    def work(training_id):
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                enrolment.enrol(db.session.get(Training, training_id), {
                    "name": "Rabia Khan", "email": "rabia@example.org", "country": "PK"},
                    notify=False)
                db.session.commit()
            except Exception as exc:  # noqa: BLE001 - reported by the assertion below
                db.session.rollback()
                errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work, args=(t,)) for t in trainings]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    db.session.expire_all()
    (person,) = db.session.scalars(db.select(User).where(User.email == "rabia@example.org"))
    found = people.person(make.user("admin"), person.id)
    assert len(found["enrolments"]) == len(trainings)
