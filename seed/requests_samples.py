"""Demo data of the two SAMPLE tenants (fictional, サンプル): `shizuoka-sample` (registered experts,
requests from 市町・教育委員会・商工会, 5 per body and year) and `miyagi-sample` (one commissioned
adviser, on demand, no quota). Accounts and requests in every state, built through the services.
Idempotent: a tenant that already has a call is left alone. Called from `seed.demo.seed_demo`.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import current_app

from app.applications.requests import (
    approve_request,
    decline_request,
    submit_request,
    withdraw_request,
)
from app.auth.models import Role
from app.auth.passwords import hash_password
from app.calls.models import Call
from app.calls.services import create_call
from app.core.clock import today_jst
from app.core.wareki import fiscal_year_of
from app.engagements.services import accept_engagement
from app.extensions import db
from app.menus.models import MenuItem
from app.questionnaires.transfer import load_missing
from app.tenancy.loader import read_definition, sync_tenant, tenant_folder
from app.tenancy.models import APPLICANT_KINDS, Organisation, OrganisationKind
from app.tenancy.scoping import tenant_scope
from seed.people import ensure_user, office

SAMPLE_TENANTS = ("shizuoka-sample", "miyagi-sample")

# (tenant, body name, theme title, what, when, outcome) — outcome: approve | accept | decline | withdraw | pending
REQUESTS = [
    ("shizuoka-sample", "サンプル東市", "情報セキュリティ研修", "全職員向けの標的型メール対策研修を開きたい。", "7月", "accept"),
    ("shizuoka-sample", "サンプル東市", "業務の見える化とRPA活用", "税務課の定型業務をRPA化できるか相談したい。", "9月〜10月", "approve"),
    ("shizuoka-sample", "サンプル東市", "オープンデータの公開手順", "公開するデータの選び方と形式を知りたい。", "年内", "pending"),
    ("shizuoka-sample", "サンプル東市教育委員会", "ICTリテラシー教室（学生向け）", "中学生向けの情報リテラシー教室。", "11月", "approve"),
    ("shizuoka-sample", "サンプル東市教育委員会", "情報モラル・SNSの安全な使い方講座", "保護者向けの講座。", "1月", "decline"),
    ("shizuoka-sample", "サンプル中央市商工会", "HP作成・SNS活用に係る研修会", "会員事業者向けのSNS活用研修会。", "8月", "approve"),
    ("shizuoka-sample", "サンプル中央市商工会", "キャッシュレス決済導入の相談", "商店街のキャッシュレス化の相談会。", "10月", "approve"),
    ("shizuoka-sample", "サンプル中央市商工会", "HP作成・SNS活用に係る研修会", "第2回（応用編）。", "11月", "approve"),
    ("shizuoka-sample", "サンプル中央市商工会", "テレワーク・Web会議の導入支援", "事務局のWeb会議導入。", "12月", "pending"),
    ("shizuoka-sample", "サンプル中央市商工会", "情報セキュリティ研修", "会員向けのセキュリティ研修。", "2月", "pending"),
    ("shizuoka-sample", "サンプル西町", "テレワーク・Web会議の導入支援", "庁内のWeb会議環境を整えたい。", "6月", "withdraw"),
    ("miyagi-sample", "サンプル港市", "技術的相談に対する助言・支援", "基幹系システムの標準化移行の進め方。", "随時", "accept"),
    ("miyagi-sample", "サンプル港市", "セキュリティに関する研修", "管理職向けのセキュリティ研修。", "10月", "approve"),
    ("miyagi-sample", "サンプル山町", "技術的相談に対する助言・支援", "電子申請サービスの選び方。", "随時", "pending"),
    ("miyagi-sample", "サンプル川村", "技術的相談に対する助言・支援", "庁内LANの更新計画の相談。", "来年度", "decline"),
]
DECLINE_REASON = "今年度の講師日程に空きがないため。来年度に改めてご依頼ください。（サンプル）"


def seed_sample_tenants() -> str:
    """Sync the sample tenants and load their demo data once; returns a one-line summary.

    Accounts (password DEMO_PASSWORD, like seed/people.py): operator@demo.example; per applicant
    body body-<n>@demo.example (municipalities: municipal-<lg_code>@demo.example); per expert or
    adviser provider-<n>@demo.example. The call is the current fiscal year's (JST).
    """
    password = hash_password(current_app.config["DEMO_PASSWORD"])
    loaded = []
    for slug in SAMPLE_TENANTS:
        folder = tenant_folder(current_app.config["TENANTS_DIR"], slug)
        tenant = sync_tenant(read_definition(folder))
        with tenant_scope(tenant.id):
            load_missing(tenant, folder)  # the questionnaires, into a tenant that has none yet
            if db.session.scalar(sa.select(sa.func.count(Call.id)).where(Call.tenant_id == tenant.id)):
                continue
            people = _ensure_people(tenant, password)
            call = create_call(tenant, fiscal_year=fiscal_year_of(today_jst()), budget_thousand_yen=0, actor=people["operator"])
            count = _seed_requests(tenant, call, people)
            loaded.append(f"{slug} {count} requests")
    return "samples: " + (", ".join(loaded) if loaded else "already loaded; nothing changed")


def _orgs(tenant, kinds) -> list[Organisation]:
    return list(db.session.scalars(sa.select(Organisation).where(
        Organisation.tenant_id == tenant.id, Organisation.kind.in_(kinds)).order_by(Organisation.kind, Organisation.id)))


def _ensure_people(tenant, password: str) -> dict:
    """`{"operator": User, "bodies": {name: User}, "providers": {name: User}}` of the sample tenant."""
    operator = ensure_user(tenant.id, "operator@demo.example", "事業担当（サンプル）", Role.OPERATOR, password, office(tenant))
    bodies = {}
    for n, body in enumerate(_orgs(tenant, APPLICANT_KINDS), start=1):
        email = f"municipal-{body.lg_code}@demo.example" if body.lg_code else f"body-{n}@demo.example"
        bodies[body.name] = ensure_user(tenant.id, email, f"{body.name} 担当（サンプル）", Role.MUNICIPAL, password, body)
    providers = {
        org.name: ensure_user(tenant.id, f"provider-{n}@demo.example", f"{org.name}", Role.PROVIDER, password, org)
        for n, org in enumerate(_orgs(tenant, [OrganisationKind.PROVIDER]), start=1)
    }
    return {"operator": operator, "bodies": bodies, "providers": providers}


def _seed_requests(tenant, call: Call, people: dict) -> int:
    items = {i.title: i for i in db.session.scalars(sa.select(MenuItem).where(MenuItem.call_id == call.id))}
    count = 0
    for slug, body_name, theme, issue, timing, outcome in REQUESTS:
        if slug != tenant.slug:
            continue
        user = people["bodies"][body_name]
        request = submit_request(call, user.organisation, actor=user, menu_item=items[theme], issue=issue,
                                 desired_timing=timing, contact_name=f"{body_name} 担当（サンプル）")
        _decide(request, outcome, people)
        count += 1
    return count


def _decide(request, outcome: str, people: dict) -> None:
    operator = people["operator"]
    if outcome in ("approve", "accept"):
        engagement = approve_request(request, actor=operator)
        if outcome == "accept":
            accept_engagement(engagement, actor=people["providers"][engagement.provider.name])
    elif outcome == "decline":
        decline_request(request, actor=operator, reason=DECLINE_REASON)
    elif outcome == "withdraw":
        withdraw_request(request, actor=people["bodies"][request.municipality.name])
