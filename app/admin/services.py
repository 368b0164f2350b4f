"""Platform administration services (issue 13 §1–2): create the first platform admin, create a
tenant, move it through its lifecycle (app/tenancy/states.py), invite its first operator.

Services flush, never commit, never read `flask.request`. Every change is audited under the
tenant it concerns (`tenant_id` = that tenant), so its operators see it on their 監査ログ page.
Errors are `PlatformAdminError` (a `ValueError`) with a Japanese message naming the field.
"""
from __future__ import annotations

import re

import sqlalchemy as sa

from app.accounts.services import invite_user
from app.auth.models import Role, User
from app.auth.passwords import password_problems
from app.auth.queries import find_user_for_login
from app.auth.services import AccountError, create_user
from app.core.audit import record_audit
from app.core.states import check_transition
from app.extensions import db
from app.tenancy.models import Organisation, OrganisationKind, Tenant
from app.tenancy.scoping import tenant_scope
from app.tenancy.states import TRANSITIONS, TenantStatus

# The slug rule of tenant.toml (app/tenancy/schema.py `TenantMeta.slug`).
SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
# Slugs that would be confusing in `/t/<slug>/` or are used by the shipped definitions' tooling.
RESERVED_SLUGS = frozenset({"admin", "api", "static", "t"})
# Status changes that need a reason (kept in the audit event): closing a program users rely on.
REASON_REQUIRED = frozenset({TenantStatus.SUSPENDED, TenantStatus.ARCHIVED})
AUDIT_ACTIONS = {TenantStatus.OPEN: "tenant.open", TenantStatus.SUSPENDED: "tenant.suspend",
                 TenantStatus.ARCHIVED: "tenant.archive"}


class PlatformAdminError(ValueError):
    """A platform-admin change cannot be made as asked; `field` names the form field at fault
    (or is "" for the whole form), the message is user-facing Japanese."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


def create_platform_admin(email: str, password: str, *, display_name: str = "システム管理者") -> User:
    """Create a platform admin (no tenant) — `flask platform-admin create`.

    `password` is checked by the rules of the web forms (`app.auth.passwords.password_problems`,
    with the e-mail and name as context). Raises `PlatformAdminError` for a malformed or already
    registered e-mail, or a password that breaks a rule (every broken rule in one message).
    Audits `user.create` (by `create_user`) and `admin.platform_admin_create` (tenant None)."""
    email = (email or "").strip().lower()
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email) or len(email) > 254:
        raise PlatformAdminError("メールアドレスの形式が正しくありません。", "email")
    if find_user_for_login(None, email) is not None:
        raise PlatformAdminError(f"メールアドレス {email} のシステム管理者は既に登録されています。", "email")
    display_name = (display_name or "").strip() or "システム管理者"
    problems = password_problems(password, context=(email, display_name))
    if problems:
        raise PlatformAdminError(" ".join(problems), "password")
    try:
        user = create_user(tenant_id=None, email=email, display_name=display_name[:100],
                           role=Role.PLATFORM_ADMIN, password=password)
    except AccountError as exc:
        raise PlatformAdminError(str(exc), "email") from exc
    record_audit("admin.platform_admin_create", tenant_id=None, target=user, changes={"email": email, "via": "cli"})
    return user


def create_tenant(*, slug: str, prefecture: str, name: str, office_name: str, actor: User) -> Tenant:
    """Create a tenant 準備中 with its program-office organisation (named 「<県> <担当課>」, as
    `app.tenancy.loader` names it), and no rules beyond the defaults (the office sets them).

    `slug` follows tenant.toml's rule (lower-case letters, digits, hyphens; 1–40; not starting with a
    hyphen). Raises `PlatformAdminError(field=…)` for a bad or taken slug or an empty name.
    Audits `tenant.create`."""
    slug = (slug or "").strip()
    if not SLUG_PATTERN.fullmatch(slug) or slug in RESERVED_SLUGS:
        raise PlatformAdminError("識別子は半角英小文字・数字・ハイフン（先頭は英小文字か数字）の40文字以内で、"
                                 "予約語（admin など）以外にしてください。", "slug")
    if db.session.scalar(sa.select(Tenant.id).where(Tenant.slug == slug)) is not None:
        raise PlatformAdminError(f"識別子「{slug}」は既に使われています。", "slug")
    values = {"prefecture": prefecture, "name": name, "office_name": office_name}
    labels = {"prefecture": "都道府県名", "name": "事業名", "office_name": "担当課"}
    for field, value in values.items():
        if not (value or "").strip():
            raise PlatformAdminError(f"{labels[field]}を入力してください。", field)
    tenant = Tenant(slug=slug, status=TenantStatus.PREPARING, rules={}, calendar={}, categories=[],
                    **{k: v.strip() for k, v in values.items()})
    db.session.add(tenant)
    db.session.flush()
    with tenant_scope(tenant.id):
        db.session.add(Organisation(tenant_id=tenant.id, kind=OrganisationKind.OFFICE,
                                    name=f"{tenant.prefecture} {tenant.office_name}"))
        record_audit("tenant.create", tenant_id=tenant.id, actor=actor, target=tenant,
                     changes={"slug": slug, **{k: v.strip() for k, v in values.items()}, "status": str(tenant.status)})
        db.session.flush()
    return tenant


def transition_tenant(tenant: Tenant, to_status: TenantStatus, *, actor: User, reason: str = "") -> None:
    """Move `tenant` to `to_status` along `app.tenancy.states.TRANSITIONS`.

    Side effects, in order: checks the edge (`TransitionError`), checks the reason
    (`PlatformAdminError(field="reason")` when suspending or archiving without one), sets the
    status, writes the audit event (`tenant.open` / `tenant.reopen` / `tenant.suspend` /
    `tenant.archive`, with from, to and reason). Sessions are kept: the gate
    (app/tenancy/gate.py) closes every page of a 停止中 tenant, and reopening restores them."""
    from_status = tenant.status
    check_transition("tenant", TRANSITIONS, from_status, to_status)
    reason = (reason or "").strip()
    if to_status in REASON_REQUIRED and not reason:
        raise PlatformAdminError("理由を入力してください。", "reason")
    tenant.status = to_status
    reopen = from_status == TenantStatus.SUSPENDED and to_status == TenantStatus.OPEN
    record_audit("tenant.reopen" if reopen else AUDIT_ACTIONS[to_status], tenant_id=tenant.id, actor=actor,
                 target=tenant, changes={"status": [str(from_status), str(to_status)], "reason": reason[:500]})
    db.session.flush()


def office_of(tenant: Tenant) -> Organisation | None:
    """The tenant's program-office organisation (the first one, by id), or None."""
    with tenant_scope(tenant.id):
        return db.session.scalar(sa.select(Organisation).where(
            Organisation.tenant_id == tenant.id, Organisation.kind == OrganisationKind.OFFICE,
            Organisation.is_active.is_(True)).order_by(Organisation.id))


def invite_first_operator(tenant: Tenant, *, email: str, display_name: str, actor: User) -> User:
    """Invite an operator (事業担当) of `tenant`'s program office with the single-use invitation of
    ユーザー管理 (`app.accounts.services.invite_user`: link valid 72 hours, once), queued in the
    tenant's outbox. Not for a 停止中 or 終了 tenant, whose mail is not sent.

    Raises `PlatformAdminError` (the tenant is closed or has no program office) or `AccountError`
    (e.g. the e-mail is already registered in the tenant). Audits `user.invite` under the tenant."""
    if tenant.is_closed:
        raise PlatformAdminError(f"{tenant.status.label}の事業には招待を送れません。")
    office = office_of(tenant)
    if office is None:
        raise PlatformAdminError("この事業には事業担当課の組織がありません。")
    with tenant_scope(tenant.id):
        return invite_user(tenant, email=email, display_name=display_name, role=Role.OPERATOR,
                           organisation=office, actor=actor)
