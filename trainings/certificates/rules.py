"""Policy rules of certificates."""
from __future__ import annotations

from ..enrolment.rules import owns_enrolment
from ..policy import register_rules
from ..scheduling.rules import organises

register_rules({
    "certificate.issue": organises,
    "certificate.revoke": organises,
    "certificate.list": organises,
    "certificate.download": lambda a, c: organises(a, c) or owns_enrolment(a, c),
})
