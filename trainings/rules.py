"""Imports every area's policy rules so that ``policy.can`` knows them all."""
from .attendance import rules as _attendance  # noqa: F401
from .auth import rules as _auth  # noqa: F401
from .certificates import rules as _certificates  # noqa: F401
from .enrolment import rules as _enrolment  # noqa: F401
from .enrolment.groups import rules as _groups  # noqa: F401
from .evaluation import rules as _evaluation  # noqa: F401
from .modules import rules as _modules  # noqa: F401
from .notifications import rules as _notifications  # noqa: F401
from .organisations import rules as _organisations  # noqa: F401
from .overview import rules as _overview  # noqa: F401
from .printing import rules as _printing  # noqa: F401
from .programmes import rules as _programmes  # noqa: F401
from .scheduling import rules as _scheduling  # noqa: F401
