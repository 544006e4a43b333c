"""Demo additions of the organisations area: the consortium's member organisations and two
regional hubs. Idempotent: a second call changes nothing. (Real organisations' names and
public websites; nothing else about them is claimed.)"""
from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from . import services
from .models import Hub, Organisation

MEMBERS = [
    # name, short name, country, website
    ("Komnas Perempuan", "Komnas Perempuan", "ID", "https://komnasperempuan.go.id"),
    ("INFID", "INFID", "ID", "https://infid.org"),
    ("LBH APIK", "LBH APIK", "ID", "https://lbhapik.or.id"),
    ("Koalisi Perempuan Indonesia", "KPI", "ID", "https://www.koalisiperempuan.or.id"),
    ("Kalyanamitra", "Kalyanamitra", "ID", "https://kalyanamitra.or.id"),
    ("Dompet Dhuafa", "Dompet Dhuafa", "ID", "https://www.dompetdhuafa.org"),
    ("Oxfam", "Oxfam", "GB", "https://www.oxfam.org"),
    ("CFEMEA", "CFEMEA", "BR", "https://www.cfemea.org.br"),
    ("Fundación Mujeres en Igualdad", "MEI", "AR", "https://www.mujeresenigualdad.org.ar"),
    ("Corporación Sisma Mujer", "Sisma Mujer", "CO", "https://www.sismamujer.org"),
    ("Centro de la Mujer Peruana Flora Tristán", "Flora Tristán", "PE", "https://www.flora.org.pe"),
]

HUBS = [
    # slug, name (id), name (en), region, description (id), description (en), members
    ("jalin-tenggara", "Jalin Tenggara", "Jalin Tenggara", "Indonesia",
     "Simpul organisasi anggota di Indonesia: pelatihan bersama, pendampingan hukum, dan advokasi.",
     "The member organisations in Indonesia: shared trainings, legal aid and advocacy.",
     ["Komnas Perempuan", "INFID", "LBH APIK", "Koalisi Perempuan Indonesia", "Kalyanamitra",
      "Dompet Dhuafa"]),
    ("enlaza-sur", "Enlaza Sur", "Enlaza Sur", "South America",
     "Simpul organisasi anggota di Amerika Selatan.",
     "The member organisations in South America.",
     ["CFEMEA", "Fundación Mujeres en Igualdad", "Corporación Sisma Mujer",
      "Centro de la Mujer Peruana Flora Tristán"]),
]


def load_demo_organisations() -> None:
    for name, short, country, website in MEMBERS:
        organisation = services.find_by_name(name)
        if organisation is None:
            db.session.add(Organisation(name=name, short_name=short, country_code=country,
                                        website=website))
        else:  # the demo course may have made it from a name alone
            organisation.short_name = organisation.short_name or short
            organisation.country_code = organisation.country_code or country
            organisation.website = organisation.website or website
    db.session.flush()
    for slug, name_id, name_en, region, desc_id, desc_en, members in HUBS:
        if db.session.scalar(select(Hub.id).where(Hub.slug == slug)):
            continue
        hub = Hub(slug=slug, name_id=name_id, name_en=name_en, region=region,
                  description_id=desc_id, description_en=desc_en)
        hub.organisations = [services.find_by_name(n) for n in members]
        db.session.add(hub)
    db.session.flush()
