"""Labels that name a tenant's own concepts instead of Fukushima's (issue 13 §5): the provider
(会員企業 / ICTエキスパート / 推進アドバイザー: `Tenant.provider_label`), the applicant bodies
(市町村・教育委員会・商工会: `rules.applicant_kinds`) and the people who act for them
(商工会担当者, not 「市町村担当者」), and the prefecture in hints (【福島県○○町】: `place_hint`).

`current_tenant()` is the tenant of the request (`g.tenant`) or, in a job, CLI or export task, the
tenant the session is scoped to (`app.tenancy.scoping`). Definitions evaluated at import time
(export columns, form labels, enum labels) use `lazy_label("%(provider)s担当者")`, resolved when
rendered, like `lazy_gettext`.
"""
from __future__ import annotations

from flask import g, has_app_context
from flask_babel import LazyString, gettext

from app.extensions import db
from app.tenancy.models import APPLICANT_KINDS, OrganisationKind, Tenant
from app.tenancy.scoping import active_tenant_id

DEFAULT_PROVIDER_LABEL = "会員企業"  # Tenant.provider_label's column default (Fukushima, 001:163)


def current_tenant() -> Tenant | None:
    """The request's tenant, else the tenant the session is scoped to, else None (platform pages)."""
    if not has_app_context():
        return None
    tenant = getattr(g, "tenant", None)
    if tenant is not None:
        return tenant
    tenant_id = active_tenant_id()
    return db.session.get(Tenant, tenant_id) if isinstance(tenant_id, int) else None


def provider_label(tenant: Tenant | None = None) -> str:
    """What the tenant calls its providers (`Tenant.provider_label`), 会員企業 when no tenant is known."""
    tenant = tenant if tenant is not None else current_tenant()
    return (tenant.provider_label if tenant is not None else "") or DEFAULT_PROVIDER_LABEL


def applicant_kinds(tenant: Tenant | None = None) -> list[OrganisationKind]:
    """The applicant kinds the tenant accepts (`rules.applicant_kinds`), in `APPLICANT_KINDS` order;
    [市町村] when no tenant is known."""
    tenant = tenant if tenant is not None else current_tenant()
    kinds = set(tenant.rule("applicant_kinds", ["municipality"]) if tenant is not None else ["municipality"])
    return [k for k in APPLICANT_KINDS if k.value in kinds] or [OrganisationKind.MUNICIPALITY]


def _kind_label(kind: OrganisationKind, tenant: Tenant | None) -> str:
    # The tenant's own word for the kind (事業ルール, `Tenant.applicant_label`), else the default.
    return tenant.applicant_label(kind) if tenant is not None else str(kind.label)


def applicant_label(tenant: Tenant | None = None) -> str:
    """The tenant's applicant bodies joined, in its own words: 「市町村」 (Fukushima) or
    「市町村・教育委員会・商工会」."""
    tenant = tenant if tenant is not None else current_tenant()
    return "・".join(_kind_label(k, tenant) for k in applicant_kinds(tenant))


def applicant_staff_label(organisation=None, tenant: Tenant | None = None) -> str:
    """The role name of an applicant's staff: 「<kind>担当者」 for `organisation` (商工会担当者), else
    for the tenant's applicant kinds (市町村担当者, 市町村・教育委員会・商工会担当者)."""
    kind = getattr(organisation, "kind", None)
    if kind in APPLICANT_KINDS:
        tenant = tenant if tenant is not None else current_tenant()
        return gettext("%(kind)s担当者", kind=_kind_label(OrganisationKind(kind), tenant))
    return gettext("%(kind)s担当者", kind=applicant_label(tenant))


def place_hint(organisation=None, tenant: Tenant | None = None) -> str:
    """An example place name for hints: <prefecture>○○<kind> (福島県○○町, サンプル県○○市, サンプル県○○商工会),
    the kind being `organisation`'s 市/町/村 or its body kind (町 when none is known)."""
    tenant = tenant if tenant is not None else current_tenant()
    prefecture = tenant.prefecture if tenant is not None else ""
    kind = getattr(organisation, "municipality_kind", "") or ""
    if not kind and getattr(organisation, "kind", None) in APPLICANT_KINDS:
        kind = OrganisationKind(organisation.kind).label
    return f"{prefecture}○○{kind or '町'}"


def lazy_label(msgid: str) -> LazyString:
    """`msgid` with `%(provider)s` / `%(applicant)s` filled from the current tenant when rendered
    (export columns, form labels and enum labels are defined at import time)."""
    return LazyString(lambda: gettext(msgid, provider=provider_label(), applicant=applicant_label()))


def init_labels(app) -> None:
    """Make `provider_label`, `applicant_label` (lazy strings, resolved per render from the current
    tenant) and `place_hint(organisation)` Jinja globals, seen by imported macros too."""
    app.jinja_env.globals["provider_label"] = LazyString(provider_label)
    app.jinja_env.globals["applicant_label"] = LazyString(applicant_label)
    app.jinja_env.globals["place_hint"] = place_hint
