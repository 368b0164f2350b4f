"""The world of the isolation test (tests/test_isolation.py), built from direct model rows.

Fukushima holds two municipalities (A 福島市, B 会津若松市) and two providers (P, Q). Every object
addressed by a URL belongs to B and/or Q (the "foreign" objects) and is not public: the call's menu
is unpublished, the case awaits municipal approval. A second call holds a published menu item and
a published case of B / Q, to prove that public routes show public objects only. A second tenant
"other" has one user of every role.

`FOREIGN_MODELS` says which model each URL parameter addresses; the test fails for a route whose
parameter is missing here ("add a builder for parameter X") so that no new route escapes it.
"""
from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass

import sqlalchemy as sa

from app.applications.models import Application, ApplicationChoice
from app.applications.states import ApplicationState
from app.auth.models import Role, User
from app.auth.passwords import hash_password
from app.calls.models import Call
from app.calls.states import CallModel, CallPhase
from app.cases.models import Case
from app.cases.states import CaseState
from app.core.db import utcnow
from app.decisions.models import DecisionNotice
from app.decisions.states import NoticeKind, NoticeOccasion
from app.engagements.models import CompletionReport, Engagement, SessionAttachment, SupportSession
from app.engagements.states import EngagementState, ReportState
from app.exports.models import ExportJob
from app.extensions import db
from app.imports.models import ImportRun
from app.imports.states import ImportKind, ImportState
from app.menus.models import MenuItem, MenuProposal
from app.menus.states import DeliveryFormat, ProposalState
from app.needs.models import NeedsSurveyResponse, NeedsSurveyRound
from app.notifications.models import Notification
from app.relationships.models import ProviderRelationship
from app.relationships.states import RelationshipKind
from app.reviews.models import Review
from app.selection.models import Allocation, Selection
from app.selection.states import SelectionState
from app.surveys.models import SurveyResponse
from app.tenancy.models import Organisation, OrganisationKind, Tenant
from tests import factories
from tests.conftest import in_tenant

LG_A, LG_B = "072010", "072028"  # 福島市 (the users' own), 会津若松市 (foreign)
PROVIDER_P, PROVIDER_Q = "ピー情報システム株式会社", "キュー・デジタル株式会社"
OTHER = "other"
MARK = "越境検知"  # in the text of every foreign object, to spot it in a page body

# URL parameter -> the model whose row it addresses (the foreign row is World.foreign[param]).
FOREIGN_MODELS = {
    "call_id": Call, "proposal_id": MenuProposal, "item_id": MenuItem, "application_id": Application,
    "allocation_id": Allocation, "engagement_id": Engagement, "session_id": SupportSession, "case_id": Case,
}
FOREIGN_MODELS.update(notice_id=DecisionNotice, relationship_id=ProviderRelationship)
FOREIGN_MODELS.update(request_id=Application)  # 派遣依頼 (a request in a continuous call)
FOREIGN_MODELS.update(municipality_id=Organisation)  # B itself (市町村カルテ, operator and B only)
FOREIGN_MODELS.update(round_id=NeedsSurveyRound)  # a needs-survey round (operator only), answered by B
FOREIGN_MODELS.update(notification_id=Notification)  # an in-app notification to municipal_B
FOREIGN_MODELS.update(run_id=ImportRun)  # an Excel import (operator only)
FOREIGN_MODELS.update(attachment_id=SessionAttachment)  # a file of B's session (provider P, B, operator)
FOREIGN_MODELS.update(job_id=ExportJob)  # an export job requested by municipal_B (Excel出力)
FOREIGN_MODELS.update(user_id=User)  # a second staff member of B (ユーザー管理, operator only)
FOREIGN_MODELS.update(organisation_id=Organisation)  # a provider without users (組織管理, operator only)

ADMIN = "admin"  # the "tenant slug" of platform admins, who log in at /admin/login

# subject -> (tenant slug, role, organisation key); None for the anonymous visitor.
SUBJECTS: dict[str, tuple[str, Role, str | None] | None] = {
    "anonymous": None,
    "platform_admin": (ADMIN, Role.PLATFORM_ADMIN, None),  # belongs to no tenant
    # users under test in Fukushima, against objects of B / Q
    "municipal_A": ("fukushima", Role.MUNICIPAL, "A"),
    "provider_P": ("fukushima", Role.PROVIDER, "P"),
    "reviewer_Q": ("fukushima", Role.REVIEWER, "Q"),  # staff of Q: conflict of interest on Q's proposals
    "reviewer_office": ("fukushima", Role.REVIEWER, "office"),
    # the owners: positive controls proving the URLs address reachable objects
    "operator": ("fukushima", Role.OPERATOR, "office"),
    "municipal_B": ("fukushima", Role.MUNICIPAL, "B"),
    "provider_Q": ("fukushima", Role.PROVIDER, "Q"),
    # users of the other tenant
    "other_operator": (OTHER, Role.OPERATOR, "other_office"),
    "other_reviewer": (OTHER, Role.REVIEWER, "other_office"),
    "other_municipal": (OTHER, Role.MUNICIPAL, "other_municipality"),
    "other_provider": (OTHER, Role.PROVIDER, "other_provider"),
}
OWNERS = ("operator", "municipal_B", "provider_Q", "reviewer_office")


@dataclass
class World:
    foreign: dict[str, int]  # URL parameter -> id of an unpublished object of B / Q
    published: dict[str, int]  # URL parameter -> id of a public object of B / Q
    organisations: dict[str, int]  # organisation key -> id

    def email(self, subject: str) -> str:
        return f"{subject.lower()}@isolation.example.jp"


def build_world(app) -> World:
    """Create both tenants, the foreign objects and one user per subject; commits."""
    with in_tenant(app) as tenant:
        orgs = _fukushima_orgs(tenant)
        other_orgs = _other_tenant()
        orgs.update(other_orgs)
        world = World(foreign={}, published={}, organisations={k: o.id for k, o in orgs.items()})
        _users(world, orgs)
        _foreign_objects(tenant, orgs, world)
        _published_objects(tenant, orgs, world)
        db.session.commit()
    return world


def _fukushima_orgs(tenant) -> dict[str, Organisation]:
    return {
        "office": factories.office(), "A": factories.municipality(LG_A), "B": factories.municipality(LG_B),
        "P": factories.provider(tenant, PROVIDER_P), "Q": factories.provider(tenant, PROVIDER_Q),
    }


def _other_tenant() -> dict[str, Organisation]:
    tenant = Tenant(slug=OTHER, name="ICTエキスパート派遣事業", prefecture="静岡県", office_name="デジタル戦略課")
    db.session.add(tenant)
    db.session.flush()
    orgs = {
        "other_office": Organisation(tenant_id=tenant.id, kind=OrganisationKind.OFFICE, name="静岡県 デジタル戦略課"),
        "other_municipality": Organisation(tenant_id=tenant.id, kind=OrganisationKind.MUNICIPALITY, name="静岡市",
                                           lg_code="221007"),
        "other_provider": Organisation(tenant_id=tenant.id, kind=OrganisationKind.PROVIDER, name="静岡テック株式会社"),
    }
    db.session.add_all(orgs.values())
    db.session.flush()
    return orgs


def _users(world: World, orgs: dict[str, Organisation]) -> None:
    password_hash = hash_password(factories.PASSWORD)  # once: argon2 takes ~0.5 s per hash
    for subject, spec in SUBJECTS.items():
        if spec is None:
            continue
        _slug, role, org_key = spec
        org = orgs[org_key] if org_key else None
        db.session.add(User(tenant_id=org.tenant_id if org else None, email=world.email(subject), display_name=subject,
                            role=role, password_hash=password_hash, organisation=org))
    db.session.flush()


def _add(obj):
    db.session.add(obj)
    db.session.flush()
    return obj


def _item(tenant, call: Call, provider: Organisation, number: int | None, title: str) -> MenuItem:
    return _add(MenuItem(tenant_id=tenant.id, call_id=call.id, provider_id=provider.id, number=number, title=title,
                         categories=[], description=title, capacity=2, unit_cost_thousand_yen=1000))


def _engagement(tenant, call: Call, item: MenuItem, orgs, state: EngagementState, application_id: int | None = None):
    return _add(Engagement(tenant_id=tenant.id, call_id=call.id, fiscal_year=call.fiscal_year, application_id=application_id,
                           menu_item_id=item.id, provider_id=orgs["Q"].id, municipality_id=orgs["B"].id, state=state,
                           cost_thousand_yen=item.unit_cost_thousand_yen))


def _case(tenant, engagement: Engagement, state: CaseState, title: str) -> Case:
    published = utcnow() if state == CaseState.PUBLISHED else None
    return _add(Case(tenant_id=tenant.id, engagement_id=engagement.id, fiscal_year=engagement.fiscal_year, state=state,
                     title=title, key_points=[title], overview=[], published_at=published))


def _foreign_objects(tenant, orgs, world: World) -> None:
    """B's and Q's objects in the FY2025 call, whose menu is not published."""
    # No MARK in the call's title: call titles are not secret (the home page shows the current call).
    call = _add(Call(tenant_id=tenant.id, fiscal_year=2025, title="令和7年度募集", phase=CallPhase.SUPPORT))
    proposal, item = _menu_objects(tenant, call, orgs, world)
    application, allocation = _application_objects(tenant, call, item, orgs)
    engagement = _engagement(tenant, call, item, orgs, EngagementState.COMPLETED, application.id)
    session = _add(SupportSession(tenant_id=tenant.id, engagement_id=engagement.id, held_on=dt.date(2025, 7, 1),
                                  format=DeliveryFormat.ONSITE, duration_minutes=60, attendees={"担当職員": 2},
                                  content=f"{MARK} 支援内容"))
    _attachment_objects(tenant, session, world)
    _add(CompletionReport(tenant_id=tenant.id, engagement_id=engagement.id, state=ReportState.SUBMITTED,
                          summary=f"{MARK} 実績報告", submitted_at=utcnow()))
    case = _case(tenant, engagement, CaseState.AWAITING_MUNICIPALITY, f"{MARK} 事例：未公開【福島県会津若松市】")
    world.foreign.update(municipality_id=orgs["B"].id)
    run = _add(ImportRun(tenant_id=tenant.id, kind=ImportKind.PAST_ENGAGEMENTS, state=ImportState.PREVIEWED,
                         filename=f"{MARK}.xlsx", errors=[MARK]))
    world.foreign.update(run_id=run.id)
    world.foreign.update(call_id=call.id, proposal_id=proposal.id, item_id=item.id, application_id=application.id,
                         allocation_id=allocation.id, engagement_id=engagement.id, session_id=session.id, case_id=case.id)
    _decision_objects(tenant, call, orgs, world)
    _request_objects(tenant, orgs, world)
    _needs_objects(tenant, orgs, world)
    _notification_objects(tenant, orgs, world)
    _export_objects(tenant, world)
    _user_objects(orgs, world)
    _organisation_objects(tenant, world)


def _attachment_objects(tenant, session: SupportSession, world: World) -> None:
    """A PDF attached to B's session, on disk under a temporary ATTACHMENT_DIR, holding MARK."""
    from flask import current_app

    from app.engagements.attachments import path_of

    current_app.config["ATTACHMENT_DIR"] = tempfile.mkdtemp(prefix="attachments-")
    body = f"%PDF-1.4 {MARK}".encode()
    attachment = _add(SessionAttachment(tenant_id=tenant.id, session_id=session.id, original_name=f"{MARK}.pdf",
                                        storage_token="isolation" + "0" * 23, content_type="application/pdf",
                                        size_bytes=len(body)))
    path_of(attachment).parent.mkdir(parents=True, exist_ok=True)
    path_of(attachment).write_bytes(body)
    world.foreign.update(attachment_id=attachment.id)


def _notification_objects(tenant, orgs, world: World) -> None:
    """municipal_B's unread in-app notification (お知らせ): only B's user may mark it read."""
    row = _add(Notification(tenant_id=tenant.id, user_id=_user_id(world, "municipal_B"), organisation_id=orgs["B"].id,
                            kind="calls.open", email=world.email("municipal_B"), subject=f"{MARK} お知らせ", body=MARK))
    world.foreign.update(notification_id=row.id)


def _request_objects(tenant, orgs, world: World) -> None:
    """B's pending 派遣依頼 of Q's theme in a continuous call (FY2030) taking requests.

    Fukushima itself is annual; the call exists so that the request routes have an object to refuse."""
    call = _add(Call(tenant_id=tenant.id, fiscal_year=2030, title="令和12年度 派遣依頼", phase=CallPhase.SUPPORT,
                     call_model=CallModel.CONTINUOUS, max_choices=1, menu_published_at=utcnow()))
    item = _item(tenant, call, orgs["Q"], 1, "Q社のテーマ（公開テスト）")
    request = _add(Application(tenant_id=tenant.id, call_id=call.id, municipality_id=orgs["B"].id,
                               state=ApplicationState.SUBMITTED, issue=f"{MARK} B市の依頼", submitted_at=utcnow()))
    _add(ApplicationChoice(tenant_id=tenant.id, application_id=request.id, rank=1, menu_item_id=item.id))
    world.foreign.update(request_id=request.id)


def _user_objects(orgs, world: World) -> None:
    """A second account of B, logged in nowhere (so that an owner deactivating it in the POST
    control does not log out a subject); only operators of Fukushima may manage it."""
    user = _add(User(tenant_id=orgs["B"].tenant_id, email="b-staff@isolation.example.jp", display_name=f"{MARK} B市職員",
                     role=Role.MUNICIPAL, password_hash=hash_password(factories.PASSWORD), organisation=orgs["B"]))
    world.foreign.update(user_id=user.id)


def _organisation_objects(tenant, world: World) -> None:
    """A provider nobody belongs to (so that an operator deactivating it in the POST control or the
    fuzz logs no subject out); only operators of Fukushima may manage it (組織管理)."""
    org = _add(Organisation(tenant_id=tenant.id, kind=OrganisationKind.PROVIDER, name="組織管理テスト株式会社"))
    world.foreign.update(organisation_id=org.id)


def _export_objects(tenant, world: World) -> None:
    """B's finished export job (Excel出力): its requester and operators may open it, nobody else."""
    job = _add(ExportJob(tenant_id=tenant.id, export_name="engagements", params={}, state="done", rows_done=1, rows_total=1,
                         file_name="isolation-missing.xlsx", requested_by_id=_user_id(world, "municipal_B"),
                         expires_at=utcnow() + dt.timedelta(days=1)))
    world.foreign.update(job_id=job.id)


def _needs_objects(tenant, orgs, world: World) -> None:
    """A needs-survey round (tenant-wide, operator pages only) holding B's answer."""
    round_ = _add(NeedsSurveyRound(tenant_id=tenant.id, fiscal_year=2025, opens_on=dt.date(2025, 1, 10),
                                   closes_on=dt.date(2025, 3, 31), reminders=[]))
    _add(NeedsSurveyResponse(tenant_id=tenant.id, round_id=round_.id, municipality_id=orgs["B"].id, categories=["AI"],
                             maturity=1, comments={"AI": MARK}, submitted_at=utcnow()))
    world.foreign.update(round_id=round_.id)


def _decision_objects(tenant, call: Call, orgs, world: World) -> None:
    """B's decision notice (決定通知) and Q's declared relationship (利害関係) with B."""
    notice = _add(DecisionNotice(tenant_id=tenant.id, call_id=call.id, recipient_id=orgs["B"].id, kind=NoticeKind.MUNICIPALITY,
                                 occasion=NoticeOccasion.CONFIRMATION, title="決定通知書", issued_at=utcnow(),
                                 lines=[{"outcome": "selected", "menu_item": MARK, "provider": "", "reason": MARK}]))
    relationship = _add(ProviderRelationship(tenant_id=tenant.id, provider_id=orgs["Q"].id, municipality_id=orgs["B"].id,
                                             kind=RelationshipKind.INCUMBENT_VENDOR, reason=f"{MARK} 現行システム受託"))
    world.foreign.update(notice_id=notice.id, relationship_id=relationship.id)


def _proposal(tenant, call: Call, provider: Organisation, title: str) -> MenuProposal:
    return _add(MenuProposal(tenant_id=tenant.id, call_id=call.id, provider_id=provider.id, title=title, categories=[],
                             description=title, format=DeliveryFormat.ONLINE, state=ProposalState.SUBMITTED,
                             submitted_at=utcnow()))


def _menu_objects(tenant, call: Call, orgs, world: World) -> tuple[MenuProposal, MenuItem]:
    """Q's submitted proposal (reviewed by reviewer_office) and its adopted, unnumbered item; plus
    a call under review holding another proposal of Q, so that reviewers' lists are not empty."""
    proposal = _proposal(tenant, call, orgs["Q"], f"{MARK} Q社の提案")
    _add(Review(tenant_id=tenant.id, call_id=call.id, proposal_id=proposal.id, reviewer_id=_user_id(world, "reviewer_office"), scores={},
                total=7, comment=MARK))
    item = _item(tenant, call, orgs["Q"], None, f"{MARK} 未公開の項目")
    item.proposal_id = proposal.id
    review_call = _add(Call(tenant_id=tenant.id, fiscal_year=2026, title="令和8年度募集", phase=CallPhase.MENU_REVIEW))
    _proposal(tenant, review_call, orgs["Q"], f"{MARK} Q社の審査中の提案")
    return proposal, item


def _application_objects(tenant, call: Call, item: MenuItem, orgs) -> tuple[Application, Allocation]:
    """B's submitted application choosing `item`, and its allocation in a draft selection."""
    application = _add(Application(tenant_id=tenant.id, call_id=call.id, municipality_id=orgs["B"].id,
                                   state=ApplicationState.SUBMITTED, issue=f"{MARK} B市の課題", submitted_at=utcnow()))
    _add(ApplicationChoice(tenant_id=tenant.id, application_id=application.id, rank=1, menu_item_id=item.id))
    selection = _add(Selection(tenant_id=tenant.id, call_id=call.id, state=SelectionState.DRAFT))
    allocation = _add(Allocation(tenant_id=tenant.id, selection_id=selection.id, application_id=application.id,
                                 menu_item_id=item.id, choice_rank=1, pass_no=1, reason=MARK))
    return application, allocation


def _published_objects(tenant, orgs, world: World) -> None:
    """A published menu item and a published case of B / Q in the FY2024 call (public objects)."""
    call = _add(Call(tenant_id=tenant.id, fiscal_year=2024, title="令和6年度募集", phase=CallPhase.CLOSED,
                     menu_published_at=utcnow()))
    item = _item(tenant, call, orgs["Q"], 1, "公開済みの項目（公開テスト）")
    engagement = _engagement(tenant, call, item, orgs, EngagementState.CLOSED)
    _add(SurveyResponse(tenant_id=tenant.id, engagement_id=engagement.id, answers={"comment": MARK},
                        is_problem_solved=True, submitted_at=utcnow()))
    case = _case(tenant, engagement, CaseState.PUBLISHED, "事例：公開済み（公開テスト）【福島県会津若松市】")
    world.published.update(item_id=item.id, case_id=case.id)


def _user_id(world: World, subject: str) -> int:
    return db.session.scalar(sa.select(User.id).where(User.email == world.email(subject)))
