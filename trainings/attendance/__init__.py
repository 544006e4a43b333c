"""Attendance: roll call, meeting-report imports, check-in and the records they write."""
from datetime import timedelta

from .. import periodic

# Uploads never applied go after two days, applied imports once they can no longer be
# undone: also on an instance where nobody uploads (purge_imports runs on upload too).
periodic.register("attendance.import_retention",
                  "trainings.attendance.services.report_import:purge_task",
                  every=timedelta(hours=6))
