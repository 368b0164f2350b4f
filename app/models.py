"""Imports every model so that the metadata (and Alembic autogenerate) sees all tables."""
from app.applications.models import Application, ApplicationChoice  # noqa: F401
from app.auth.models import User  # noqa: F401
from app.calls.models import Call, CallWindow  # noqa: F401
from app.cases.models import Case  # noqa: F401
from app.core.audit import AuditEvent, StateChange  # noqa: F401
from app.decisions.models import DecisionNotice  # noqa: F401
from app.engagements.models import CompletionReport, Engagement, SupportSession  # noqa: F401
from app.menus.models import MenuItem, MenuProposal  # noqa: F401
from app.relationships.models import ProviderRelationship  # noqa: F401
from app.reviews.models import Review  # noqa: F401
from app.selection.models import Allocation, Selection  # noqa: F401
from app.surveys.models import SurveyResponse  # noqa: F401
from app.tenancy.models import Organisation, Tenant  # noqa: F401
