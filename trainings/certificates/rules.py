"""Policy rules of certificates."""
from __future__ import annotations

from ..enrolment.rules import owns_enrolment
from ..policy import register_rules
from ..scheduling.rules import has_enrolment, organises

register_rules({
    "certificate.issue": organises,
    "certificate.revoke": organises,
    "certificate.list": organises,
    "certificate.download": lambda a, c: organises(a, c) or owns_enrolment(a, c),
    # on an enrolment: its participant confirms the name printed on the certificate
    "certificate.confirm_name": owns_enrolment,
    # on a training: the actor has an accepted enrolment there (the name page in the menu)
    "certificate.own_name": lambda a, t: has_enrolment(a, t, ("accepted",)),
})
