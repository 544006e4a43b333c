"""Imports every area's models so that SQLAlchemy and Alembic see all tables."""
from .attendance.models import AttendanceChange, AttendanceImport, AttendanceRecord  # noqa: F401
from .audit.models import AuditEntry  # noqa: F401
from .auth.models import ApiToken, PasswordReset, RecoveryCode, User  # noqa: F401
from .certificates.models import (  # noqa: F401
    Certificate,
    CertificateAsset,
    CertificateName,
    OrganisationLogo,
    Signatory,
    StatusList,
)
from .enrolment import people as _people  # noqa: F401  (one person per email address)
from .enrolment.groups.models import GroupMember, TrainingGroup  # noqa: F401
from .enrolment.models import Enrolment  # noqa: F401
from .evaluation.models import (  # noqa: F401
    ActionPlan,
    Commitment,
    CommitmentUpdate,
    Demographics,
    EvaluationSettings,
    FollowUpMail,
    Survey,
    SurveyParticipation,
    SurveyQuestion,
    SurveyResponse,
)
from .jobs import Job  # noqa: F401
from .modules.models import ModuleVersion  # noqa: F401
from .notifications.models import Reminder  # noqa: F401
from .organisations.models import Hub, Organisation  # noqa: F401
from .outbox.models import OutboxMessage  # noqa: F401
from .overview.models import ProgrammeSummary  # noqa: F401
from .pagecache import DataVersion  # noqa: F401
from .periodic import PeriodicRun  # noqa: F401
from .programmes.models import Programme  # noqa: F401
from .ratelimit import RateLimitCounter  # noqa: F401
from .scheduling.models import (  # noqa: F401
    Training,
    TrainingCountryQuota,
    TrainingOrganisation,
    TrainingSession,
    TrainingStaff,
)
