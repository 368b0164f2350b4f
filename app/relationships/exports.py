"""Excel out of the declared provider–municipality relationships (利害関係; operator: all,
provider: its own), standing ones first as on the list page."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.auth.models import Role
from app.exports.registry import Column, list_export, roles
from app.relationships.queries import relationships_for
from app.tenancy.labels import lazy_label

COLUMNS = [Column(lazy_label("%(provider)s"), 28), Column(_l("全国地方公共団体コード"), 12), Column(_l("市町村"), 14),
           Column(_l("種別"), 16), Column(_l("理由"), 50), Column(_l("申告日時"), 18), Column(_l("状態"), 10),
           Column(_l("取下げ日時"), 18)]


def _row(r) -> tuple:
    return (r.provider.name, r.municipality.lg_code, r.municipality.name, r.kind, r.reason, r.created_at,
            "有効" if r.is_active else "取下げ", r.withdrawn_at)


RELATIONSHIPS = list_export("relationships", _l("利害関係一覧"), COLUMNS, lambda ctx: relationships_for(ctx.user, ctx.tenant),
                            _row, roles(Role.OPERATOR, Role.PROVIDER))
