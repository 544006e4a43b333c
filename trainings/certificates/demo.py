"""Demo data of the certificates area: logos, signatories (fictional people, with drawn
signature marks) and the statement.

``load_demo_certificates(training)`` is idempotent; it issues no certificates (the demo
shows the "issue all" job instead). The logos are simple text marks drawn for the demo,
not the organisations' real logos.
"""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from ..extensions import db
from ..scheduling.models import Organisation
from . import services
from .models import OrganisationLogo, Signatory

LOGOS = {"Komnas Perempuan": "komnas-perempuan.svg", "INFID": "infid.svg"}
SIGNATORIES = [
    # name, role (id), role (en), organisation, signature image (a drawn scribble, fictional)
    ("Ratih Kusumaningrum", "Ketua", "Chairperson", "Komnas Perempuan", "signature-ratih.svg"),
    ("Bagus Wicaksono", "Direktur Eksekutif", "Executive Director", "INFID",
     "signature-bagus.svg"),
]
STATEMENT_ID = ("Telah menyelesaikan pelatihan daring tentang kepemimpinan perempuan, hak asasi "
                "manusia, dan demokrasi yang berkeadilan bersama peserta dari Indonesia, Malaysia, "
                "dan Pakistan.")
STATEMENT_EN = ("Has completed the online training on women's leadership, human rights and just "
                "democracy with participants from Indonesia, Malaysia and Pakistan.")


def load_demo_certificates(training) -> None:
    for name, filename in LOGOS.items():
        org = db.session.scalar(select(Organisation).where(Organisation.name == name))
        if org is not None and db.session.get(OrganisationLogo, org.id) is None:
            data = (Path(__file__).parent / "logos" / filename).read_bytes()
            services.set_logo(org, data, actor=None)
    if not services.signatories_of(training):
        for name, role_id, role_en, org, signature in SIGNATORIES:
            services.add_signatory(training, actor=None, name=name, role_id=role_id,
                                   role_en=role_en, organisation=org,
                                   signature=(Path(__file__).parent / "logos" / signature)
                                   .read_bytes())
    if not training.certificate_statement_id and not training.certificate_statement_en:
        services.update_statement(training, actor=None, statement_id=STATEMENT_ID,
                                  statement_en=STATEMENT_EN)
    db.session.flush()


__all__ = ["load_demo_certificates", "Signatory"]
