"""Import every model so ``Base.metadata`` is complete (for Alembic and tests)."""
from .auth.models import AuthToken, PendingRegistration, RecoveryCode, Role, User, UserSession  # noqa: F401
from .councils.models import Council  # noqa: F401
from .db import Base  # noqa: F401
from .learning.models import CourseStart, PageView  # noqa: F401
from .audit import AuditEvent  # noqa: F401
from .quizzes.models import ModuleCompletion, QuizAnswer, QuizAttempt  # noqa: F401
from .certificates.models import Certificate, CertificateModule, NameCorrection, StatusListSlot  # noqa: F401
from .api.models import ApiToken  # noqa: F401
from .reporting import indexes as _reporting_indexes  # noqa: F401
from .authoring.models import ContentGeneration, CourseOrder, ImageUpload, ModuleDraft, ModuleVersion  # noqa: F401
from .mail import OutboxMessage  # noqa: F401
from .certificates.stored_pdf import StoredPdf  # noqa: F401
from .notify.models import EmailOptOut, SendLog  # noqa: F401
from .jobs.models import JobRun  # noqa: F401
