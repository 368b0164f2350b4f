"""Tenancy: resolution of `/t/<tenant_slug>/…` to a `Tenant`, and the scope of every request.

Only this package turns a slug into a tenant. Unknown slugs answer 404; what a tenant's status
(準備中 / 停止中 / 終了) closes is answered by `app.tenancy.gate` before any view runs.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import Flask, abort, g

from app.extensions import db


def init_tenancy(app: Flask) -> None:
    """Install the URL hooks that resolve the tenant and scope the session for each request."""
    from app.tenancy.labels import init_labels
    from app.tenancy.models import Tenant
    from app.tenancy.scoping import activate_tenant, deactivate_tenant

    init_labels(app)

    @app.url_value_preprocessor
    def _resolve_tenant(endpoint, values):
        g.tenant = None
        if not values or "tenant_slug" not in values:
            return
        slug = values.pop("tenant_slug")
        tenant = db.session.scalar(sa.select(Tenant).where(Tenant.slug == slug))
        if tenant is None:
            abort(404)
        g.tenant = tenant
        activate_tenant(tenant.id)

    @app.url_defaults
    def _add_tenant_slug(endpoint, values):
        if "tenant_slug" in values or not getattr(g, "tenant", None):
            return
        if app.url_map.is_endpoint_expecting(endpoint, "tenant_slug"):
            values["tenant_slug"] = g.tenant.slug

    @app.teardown_request
    def _clear_scope(exc):
        deactivate_tenant()


def init_tenant_gate(app: Flask) -> None:
    """Close what the tenant's status closes (`app.tenancy.gate`) before any view runs. Called after
    `app.core.web.init_web`, so that a closed page still gets its request id and the NUL guard."""
    from app.tenancy.gate import check_tenant_status

    app.before_request(check_tenant_status)
