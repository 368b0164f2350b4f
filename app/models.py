"""Imports every model so that the metadata (and Alembic autogenerate) sees all tables."""
from app.accounts.models import AccountToken  # noqa: F401
from app.applications.models import Application, ApplicationChoice  # noqa: F401
from app.auth.models import User  # noqa: F401
from app.calls.models import Call, CallWindow  # noqa: F401
from app.cases.models import Case  # noqa: F401
from app.core.audit import AuditEvent, StateChange  # noqa: F401
from app.decisions.models import DecisionNotice  # noqa: F401
from app.engagements.models import (  # noqa: F401
    CompletionReport, Engagement, EngagementPlannedDate, SessionAttachment, SupportSession,
)
from app.exports.models import ExportJob  # noqa: F401
from app.imports.models import ImportRun  # noqa: F401
from app.menus.models import MenuItem, MenuProposal  # noqa: F401
from app.needs.models import NeedsSurveyResponse, NeedsSurveyRound  # noqa: F401
from app.notifications.models import Notification, NotificationPreference  # noqa: F401
from app.questionnaires.models import Questionnaire  # noqa: F401
from app.relationships.models import ProviderRelationship  # noqa: F401
from app.reviews.models import Review  # noqa: F401
from app.scheduling import JobRun  # noqa: F401
from app.selection.models import Allocation, Selection  # noqa: F401
from app.surveys.models import SurveyRequest, SurveyResponse  # noqa: F401
from app.tenancy.models import Organisation, Tenant  # noqa: F401
