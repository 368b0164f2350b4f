"""What is rate-limited per client address, in one place (applied by `app.core.ratelimit`).

The limit strings are settings (`app.config`, defaults in `app.config.build_config`). Login counts
the tenant login, the platform-admin login and both TOTP code steps together; the per-account
counter of login (all addresses together) is in `app.auth.throttle`.
"""
from app.core.ratelimit import Rule

LOGIN_ENDPOINTS = ("auth.login", "admin_auth.admin_login", "auth.login_mfa", "admin_auth.admin_login_mfa")

RULES = (
    # Every login POST of one address (each one costs an argon2 verification).
    Rule("RATELIMIT_LOGIN", scope="login", endpoints=LOGIN_ENDPOINTS),
    # Refused passwords and codes of one address, whatever the account (password spraying).
    Rule("RATELIMIT_LOGIN_FAILURES", scope="login-failures", endpoints=LOGIN_ENDPOINTS, failures_only=True),
    # 「パスワードをお忘れの方」: each accepted request may send a mail.
    Rule("RATELIMIT_PASSWORD_RESET", scope="password-reset", endpoints=("account_access.forgot_password",)),
    # Choosing a password from an invitation or reset link.
    Rule("RATELIMIT_ACCOUNT_LINKS", scope="account-links",
         endpoints=("account_access.accept_invitation", "account_access.reset_password")),
    # Private survey links (no login; the token is the only secret): page and answer.
    Rule("RATELIMIT_SURVEY_LINKS", scope="survey-links", endpoints=("surveys.link_answer",), methods=None),
    # Open-data API: generous, one budget per address for all of /t/<slug>/api/v1/….
    Rule("RATELIMIT_API", scope="api", blueprints=("api",), methods=None),
)
JSON_BLUEPRINTS = ("api",)
