"""Enrolment services, one module per topic (the public names are re-exported here, so
``from trainings.enrolment.services import enrol`` keeps working):

- :mod:`.applications`: the fields of an application, enrolling, application settings;
- :mod:`.seats`: capacity and quotas under the training's lock, decisions, the waitlist;
- :mod:`.accounts`: participant accounts and set-password invitations;
- :mod:`.mails`: the mail a person gets when their enrolment changes;
- :mod:`.listing`: the participant list, its filters, counts and export rows;
- :mod:`.labels`: statuses, sectors and languages with their labels and aliases.

Statistics that read attendance live above this area, in :mod:`trainings.overview.stats`.
"""
from .accounts import (
    accept_invitation,
    after_status,
    create_invitation,
    invitation_for_token,
    link_account,
    resend_invitation,
)
from .applications import (
    MAX_LENGTHS,
    applications_state,
    clean_enrolment_data,
    closed_message,
    default_timezone,
    enrol,
    normalise_language,
    normalise_sector,
    update_settings,
)
from .labels import LANGUAGES, SECTOR_LABELS, STATUS_LABELS
from .listing import (
    EXPORT_HEADER,
    country_counts,
    export_rows,
    get_enrolment,
    list_enrolments,
    own_enrolment,
    stats_counts,
)
from .mails import notify
from .seats import (
    TRANSITIONS,
    SeatState,
    change_status,
    change_statuses,
    count_seats,
    lock_seats,
    promote_waitlisted,
    training_finished,
    withdraw_own,
)

__all__ = [
    "applications_state", "change_statuses", "closed_message", "training_finished",
    "EXPORT_HEADER", "LANGUAGES", "MAX_LENGTHS", "SECTOR_LABELS",
    "STATUS_LABELS", "TRANSITIONS", "SeatState", "accept_invitation", "after_status",
    "change_status", "clean_enrolment_data", "count_seats", "country_counts",
    "create_invitation", "default_timezone", "enrol", "export_rows", "get_enrolment",
    "invitation_for_token", "link_account", "list_enrolments", "lock_seats",
    "normalise_language", "normalise_sector", "notify", "own_enrolment", "promote_waitlisted",
    "resend_invitation", "stats_counts", "update_settings", "withdraw_own",
]
