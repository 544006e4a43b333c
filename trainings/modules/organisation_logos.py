"""Module covers print the logos the network keeps for its organisations (the ones
certificates print), matched by the names in ``module.toml``'s ``[[organisations]]``,
ignoring case and accents. A module that ships its own logo files keeps those."""
from __future__ import annotations

import base64

from sqlalchemy import select

from ..certificates.models import CertificateAsset, OrganisationLogo
from ..extensions import db
from ..organisations.models import Organisation
from ..organisations.names import fold


def logos_for_names(names: list[str]) -> list[dict]:
    """``[{"url": data: URI, "alt": ..., "sha256": ...}]`` in the order of ``names`` (two
    queries whatever their number); names without a stored logo are left out."""
    keys = [fold(n) for n in names if n]
    if not keys:
        return []
    rows = db.session.execute(
        select(Organisation.name_key, Organisation.name, CertificateAsset.sha256,
               CertificateAsset.content_type, CertificateAsset.data)
        .join(OrganisationLogo, OrganisationLogo.organisation_id == Organisation.id)
        .join(CertificateAsset, CertificateAsset.sha256 == OrganisationLogo.asset_sha256)
        .where(Organisation.name_key.in_(keys))).all()
    by_key = {row.name_key: row for row in rows}
    logos = []
    for key in dict.fromkeys(keys):
        row = by_key.get(key)
        if row is not None:
            logos.append({"url": f"data:{row.content_type};base64,"
                                 f"{base64.b64encode(row.data).decode()}",
                          "alt": f"Logo {row.name}", "sha256": row.sha256})
    return logos
