"""The API's one schema layer (pydantic): request bodies are checked with :func:`load`,
answers are built with ``<Schema>.of(...)`` or :func:`dump`, and the OpenAPI document
(:mod:`trainings.api.openapi`) is generated from the same classes."""
from .attendance import AttendanceIn, Matrix, Record, ReportResult, Undone, Updated
from .certificates import (
    BulkRevokeIn,
    CertificateName,
    CertificateNameIn,
    CertificateOut,
    Certificates,
    Credential,
    Issued,
    Job,
    ReissueIn,
    Revoked,
    RevokeIn,
    Verification,
)
from .core import Bilingual, Input, Output, load, translate_errors
from .enrolment import (
    ApplicationIn,
    ApplicationOut,
    ChangedEnrolment,
    EnrolmentIn,
    EnrolmentOut,
    Enrolments,
    EnrolmentStatusIn,
    ImportResult,
    Stats,
)
from .errors import Error
from .modules import ModuleOut, Modules
from .privacy import AuditItem, AuditPage, Erased, EraseIn
from .scheduling import (
    Schedule,
    ScheduleItem,
    SeriesAnswer,
    SeriesIn,
    SessionAnswer,
    SessionIn,
    SessionOut,
    SessionPatch,
    Sessions,
    StaffIn,
    StaffList,
    StaffOut,
    TrainingIn,
    TrainingOut,
    TrainingPatch,
    Trainings,
)


def dump(schema: type[Output], data: dict) -> dict:
    """A service's plain answer through its schema (every field kept)."""
    return schema.model_validate(data).dump()


__all__ = [
    "ApplicationIn", "ApplicationOut", "AttendanceIn", "AuditItem", "AuditPage", "Bilingual", "BulkRevokeIn", "CertificateName",
    "CertificateNameIn", "EraseIn", "Erased", "Revoked", "CertificateOut", "Certificates",
    "ChangedEnrolment",
    "Credential", "EnrolmentIn", "EnrolmentOut", "EnrolmentStatusIn", "Enrolments", "Error",
    "ImportResult", "Input", "Issued", "Job", "Matrix", "ModuleOut", "Modules", "Output",
    "Record", "ReissueIn", "ReportResult", "Undone", "RevokeIn", "Schedule", "ScheduleItem",
    "SeriesAnswer", "SeriesIn", "SessionAnswer", "SessionIn", "SessionOut", "SessionPatch",
    "Sessions", "StaffIn", "StaffList", "StaffOut", "Stats", "TrainingIn", "TrainingOut",
    "TrainingPatch", "Trainings", "Updated", "Verification", "dump", "load",
    "translate_errors",
]
