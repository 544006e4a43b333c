"""Attendance services, one module per topic (the public names are re-exported here, so
``from trainings.attendance import services; services.set_records(...)`` keeps working):

- :mod:`.loading`: sessions, trainings and the accepted participants attendance works on;
- :mod:`.records`: roll call and records, every change appended to the audit table;
- :mod:`.report_import`: the meeting-report pipeline (parse, match, preview, apply);
- :mod:`.unmatched`: rows of an applied report that matched no one, matched or dismissed;
- :mod:`.undo`: undoing an applied report, once, keeping what was changed since;
- :mod:`.grid`: the participants × sessions matrix, its JSON and export table;
- :mod:`.settings`: the certificate rule and the import thresholds of a training;
- :mod:`.own`: a participant's own attendance and certificate progress.

Services take models or plain values and an ``actor``; they raise DomainErrors, flush,
and leave the commit to the caller.
"""
from .grid import Matrix, MatrixRow, MatrixSession, export_table, matrix, matrix_json
from .loading import accepted_ids, get_session, get_training, session_number
from .own import OwnAttendance, own_attendance
from .records import (
    NOTE_MAX,
    OPENS_BEFORE,
    AuditRow,
    Change,
    RollRow,
    audit_trail,
    mark_all_present,
    roll_call,
    roll_call_open,
    set_records,
)
from .report_import import (
    IMPORT_TTL,
    SESSION_MARGIN,
    Analysis,
    Person,
    analyse,
    analyse_staged,
    apply_analysis,
    apply_one_step,
    apply_staged,
    get_staged,
    import_report,
    merge_intervals,
    minutes_of,
    parse_upload,
    purge_imports,
    source_label,
    stage_import,
    status_for,
    threshold_minutes,
    validate_min_minutes,
)
from .settings import update_settings
from .undo import UndoItem, applied_imports, import_source, is_undone, undo_import, undo_plan
from .unmatched import (
    applied_with_open_rows,
    dismiss_row,
    get_applied,
    get_import,
    match_row,
    open_rows,
    record_unmatched,
)

_accepted_ids = accepted_ids  # the name tests and older callers use

__all__ = [
    "IMPORT_TTL", "NOTE_MAX", "OPENS_BEFORE", "SESSION_MARGIN", "Analysis", "AuditRow", "Change", "Matrix",
    "MatrixRow", "MatrixSession", "OwnAttendance", "Person", "RollRow", "accepted_ids",
    "analyse", "analyse_staged", "dismiss_row", "get_applied", "get_import", "match_row", "open_rows",
    "record_unmatched", "applied_with_open_rows", "apply_analysis", "apply_one_step", "apply_staged", "purge_imports", "audit_trail",
    "export_table", "get_session", "get_staged", "get_training", "import_report",
    "mark_all_present", "matrix", "matrix_json", "merge_intervals", "minutes_of",
    "own_attendance", "parse_upload", "roll_call", "roll_call_open", "session_number", "set_records",
    "source_label", "stage_import", "status_for", "threshold_minutes", "update_settings",
    "validate_min_minutes", "UndoItem", "applied_imports", "import_source", "is_undone",
    "undo_import", "undo_plan",
]
