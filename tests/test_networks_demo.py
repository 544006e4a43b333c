"""The demo loads the consortium's organisations, two hubs and a programme, once."""
from sqlalchemy import func, select

from trainings.demo import load_demo
from trainings.extensions import db
from trainings.organisations.models import Hub, Organisation
from trainings.programmes.models import Programme


def _counts():
    return tuple(db.session.scalar(select(func.count()).select_from(m))
                 for m in (Organisation, Hub, Programme))


def test_demo_networks_are_loaded_once(app):
    training, _created = load_demo()
    db.session.commit()
    first = _counts()
    names = set(db.session.scalars(select(Organisation.name)))
    assert {"LBH APIK", "Koalisi Perempuan Indonesia", "Kalyanamitra", "Dompet Dhuafa", "Oxfam",
            "Komnas Perempuan", "INFID"} <= names
    hubs = {h.slug: h for h in db.session.scalars(select(Hub))}
    assert set(hubs) == {"jalin-tenggara", "enlaza-sur"}
    assert hubs["jalin-tenggara"].country_codes == ["ID"]
    assert set(hubs["enlaza-sur"].country_codes) == {"AR", "BR", "CO", "PE"}
    (programme,) = db.session.scalars(select(Programme))
    assert len(programme.trainings) == 2 and training in programme.trainings
    assert [m.email for m in programme.managers] == ["organiser@example.org"]
    load_demo()
    db.session.commit()
    assert _counts() == first
