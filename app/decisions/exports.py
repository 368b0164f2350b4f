"""Excel out of the decision notices (決定通知): the user's organisation's notices, or for the
operator every issued notice with whether its recipient has read it (as on the list page)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.auth.models import Role
from app.decisions.queries import notices_for
from app.exports.registry import Column, list_export, roles

COLUMNS = [Column(_l("通知ID"), 8), Column(_l("発行日時"), 18), Column(_l("宛先"), 28), Column(_l("種別"), 18),
           Column(_l("件名"), 30), Column(_l("回答期限"), 12), Column(_l("既読日時"), 18), Column(_l("内容"), 60)]


def _lines(notice) -> str:
    parts = []
    for line in notice.lines or []:
        text = "　".join(str(line.get(k) or "") for k in ("municipality", "menu_item", "provider") if line.get(k))
        parts.append(f"{text}：{line.get('reason', '')}" if line.get("reason") else text)
    return "\n".join(parts)


def _row(n) -> tuple:
    return (n.id, n.issued_at, n.recipient.name, n.kind, n.title, n.respond_by, n.read_at, _lines(n))


NOTICES = list_export("notices", _l("決定通知一覧"), COLUMNS, lambda ctx: notices_for(ctx.user, ctx.tenant), _row,
                      roles(Role.OPERATOR, Role.MUNICIPAL, Role.PROVIDER))
