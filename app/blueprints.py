"""Every blueprint of the application, in registration order."""
from app.accounts.access_views import bp as account_access
from app.accounts.views import bp as accounts
from app.admin.views import bp as admin
from app.api.views import bp as api
from app.api.views import health_bp
from app.applications.views import bp as applications
from app.audit.views import bp as audit
from app.auth.views import admin_bp as admin_auth
from app.auth.views import bp as auth
from app.calls.views import bp as calls
from app.cases.views import bp as cases
from app.coverage.views import bp as coverage
from app.decisions.views import bp as decisions
from app.engagements.views import bp as engagements
from app.exports.views import bp as exports
from app.home.views import bp as home
from app.home.views import root_bp as root
from app.imports.views import bp as imports
from app.menus.views import bp as menus
from app.needs.views import bp as needs
from app.relationships.views import bp as relationships
from app.reviews.views import bp as reviews
from app.notifications.views import bp as notifications
from app.organisations.views import bp as organisations
from app.questionnaires.views import bp as questionnaires
from app.selection.views import bp as selection
from app.settings.views import bp as settings
from app.surveys.views import bp as surveys

BLUEPRINTS = [
    root, health_bp, admin_auth, admin, auth, home, calls, menus, reviews,
    applications, selection, decisions, relationships, engagements, surveys, needs, cases, coverage, imports, exports, api,
    notifications, audit, accounts, account_access, settings, questionnaires, organisations,
]
