"""Tenants (one prefecture's dispatch program) and organisations inside a tenant."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, TenantScoped, TimestampMixin, enum_column
from app.core.states import LabeledEnum
from app.tenancy.states import CLOSED_STATUSES, TenantStatus


class Tenant(TimestampMixin, Base):
    """One prefecture's program: identity, rules and settings, edited on 事業設定 (app/settings), and its
    lifecycle status (準備中・公開中・停止中・終了) set on the platform admin pages. The database is the
    source of truth; `tenants/<slug>/` is an import/export format (app/tenancy/transfer.py)."""

    __tablename__ = "tenants"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))  # program name (事業名)
    prefecture: Mapped[str] = mapped_column(sa.String(20))
    office_name: Mapped[str] = mapped_column(sa.String(100))  # program office, e.g. 市町村行政課
    council_name: Mapped[str] = mapped_column(sa.String(200), default="")
    provider_label: Mapped[str] = mapped_column(sa.String(40), default="会員企業")  # 会員企業 / ICTエキスパート / …
    # Lifecycle (app/tenancy/states.py). Default 公開中 for tenants loaded from files and the demo;
    # a tenant created on /admin/ starts 準備中 (app.admin.services.create_tenant).
    status: Mapped[TenantStatus] = enum_column(TenantStatus, "tenant_status", default=TenantStatus.OPEN)
    is_sample: Mapped[bool] = mapped_column(default=False)
    rules: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    calendar: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    categories: Mapped[list] = mapped_column(sa.JSON, default=list)  # [{"code", "label"}]
    # 事業設定 (app/settings): contact details on notices {"phone", "email", "address", "head_title"},
    # notice text overrides {kind: {"subject", "body"}}, the tile-map layout [[lg_code, row, col], …]
    # (None = not set), and a counter bumped by every settings save (optimistic locking of those forms).
    profile: Mapped[dict] = mapped_column(sa.JSON, default=dict, server_default=sa.text("'{}'"))
    notification_texts: Mapped[dict] = mapped_column(sa.JSON, default=dict, server_default=sa.text("'{}'"))
    tile_layout: Mapped[list | None] = mapped_column(sa.JSON)
    version_id: Mapped[int] = mapped_column(default=1, server_default=sa.text("1"))

    @property
    def is_open(self) -> bool:
        """True while the tenant is 公開中 (its public pages and API are served to everyone)."""
        return self.status == TenantStatus.OPEN

    @property
    def is_closed(self) -> bool:
        """True while 停止中 or 終了: every page, the API and the exports answer 503, jobs skip it."""
        return self.status in CLOSED_STATUSES

    def rule(self, key: str, default=None):
        """A program rule from tenant.toml `[rules]` (see tenants/<slug>/tenant.toml)."""
        return (self.rules or {}).get(key, default)

    @property
    def call_model(self) -> str:
        """"annual" (windows and selection), "continuous" or "on_demand" (派遣依頼 all year)."""
        return self.rule("call_model", "annual")

    @property
    def takes_requests(self) -> bool:
        """True for continuous and on-demand programs (静岡県・宮城県-style, digest §2.3)."""
        return self.call_model != "annual"

    @property
    def focus_group_label(self) -> str | None:
        """The name of the tenant's focus group of municipalities (`rules.focus_group_label`, e.g.
        福島県の「避難地域12市町村」), or None when the tenant has none: then no page, API field or
        export column mentions it."""
        return self.rule("focus_group_label") or None

    def applicant_label(self, kind: str) -> str:
        """The tenant's own label of an applicant kind (`rules.applicant_labels`, e.g. 商工会・商工会議所),
        else the kind's default label (市町村 / 教育委員会 / 商工会)."""
        value = str(getattr(kind, "value", kind))
        return (self.rule("applicant_labels") or {}).get(value) or str(OrganisationKind(value).label)

    def contact(self, key: str) -> str:
        """A contact detail of the program office shown on notices: "phone", "email", "address",
        "head_title" (e.g. 福島県企画調整部長); "" when not set."""
        return str((self.profile or {}).get(key, ""))

    def category_label(self, code: str) -> str:
        """Japanese label of a DX issue category code (digest §3), or the code itself."""
        for item in self.categories or []:
            if item["code"] == code:
                return item["label"]
        return code


def _provider_label() -> str:
    from app.tenancy.labels import provider_label  # labels imports this module

    return provider_label()


class OrganisationKind(LabeledEnum):
    OFFICE = "office", _l("事業担当課")
    MUNICIPALITY = "municipality", _l("市町村")
    PROVIDER = "provider", LazyString(lambda: _provider_label())  # the tenant's own: 会員企業 / ICTエキスパート
    BOARD_OF_EDUCATION = "board_of_education", _l("教育委員会")
    CHAMBER_OF_COMMERCE = "chamber_of_commerce", _l("商工会")


# Organisations that may be applicant bodies (申込団体, 003:1643); which ones a tenant accepts is its
# `rules.applicant_kinds`. Coverage counts municipalities only (001:165).
APPLICANT_KINDS = (OrganisationKind.MUNICIPALITY, OrganisationKind.BOARD_OF_EDUCATION, OrganisationKind.CHAMBER_OF_COMMERCE)


class Organisation(TenantScoped, TimestampMixin, Base):
    """The program office, a municipality (with its 全国地方公共団体コード), another applicant body
    (教育委員会・商工会, no code) or a provider (company, registered expert or commissioned adviser)."""

    __tablename__ = "organisations"
    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "lg_code"),
        sa.UniqueConstraint("tenant_id", "kind", "name"),
        sa.CheckConstraint("kind != 'municipality' OR lg_code IS NOT NULL", name="municipality_has_lg_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[OrganisationKind] = enum_column(OrganisationKind, "organisation_kind")
    name: Mapped[str] = mapped_column(sa.String(200))
    kana: Mapped[str] = mapped_column(sa.String(200), default="")
    lg_code: Mapped[str | None] = mapped_column(sa.String(6))
    municipality_kind: Mapped[str] = mapped_column(sa.String(4), default="")  # 市 / 町 / 村
    district: Mapped[str] = mapped_column(sa.String(40), default="")  # 郡
    region: Mapped[str] = mapped_column(sa.String(20), default="")  # 県北, 県中, …
    area: Mapped[str] = mapped_column(sa.String(20), default="")  # 中通り, 会津, 浜通り
    # Member of the tenant's focus group (`Tenant.focus_group_label`; Fukushima: 避難地域12市町村).
    is_evacuation_area: Mapped[bool] = mapped_column(default=False)
    is_sample: Mapped[bool] = mapped_column(default=False)
    is_active: Mapped[bool] = mapped_column(default=True)
    # Registered themes of an expert / adviser (登録リストにあるテーマ, 003:1647): [{"title", "categories", "format"}]
    themes: Mapped[list] = mapped_column(sa.JSON, default=list)

    @property
    def display_name(self) -> str:
        return self.name
