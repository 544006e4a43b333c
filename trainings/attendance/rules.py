"""Policy rules of attendance."""
from __future__ import annotations

from ..enrolment.rules import owns_enrolment
from ..policy import register_rules
from ..scheduling.rules import facilitates_session, is_staff, organises

register_rules({
    "attendance.mark": facilitates_session,  # on a session: roll call and report import
    "attendance.checkin": facilitates_session,  # on a session: check-in at a gathering
    "attendance.view_session": facilitates_session,
    "attendance.matrix": organises,  # on a training, with exports (e-mail addresses)
    "attendance.view_matrix": is_staff,  # the matrix page: facilitators see it too
    "attendance.view_own": lambda a, e: organises(a, e) or owns_enrolment(a, e),
})
