"""Excel out of the 監査ログ page: the filtered trail (same query string, same order), Japanese
headers, operators only. The download itself is audited by the exports framework
(`export.download`, with the filters and the row count)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.audit.display import export_row
from app.audit.filters import filter_from_params
from app.audit.queries import audit_page
from app.auth.models import Role
from app.exports.registry import EXPORT_PAGE_SIZE, Column, paged_export, roles

COLUMNS = [Column(_l("日時（日本時間）"), 20), Column(_l("日時（UTC）"), 20), Column(_l("実行者"), 18),
           Column(_l("実行者のメールアドレス"), 26), Column(_l("役割"), 16), Column(_l("操作"), 24),
           Column(_l("操作（コード）"), 24), Column(_l("対象"), 20), Column(_l("変更内容"), 50),
           Column(_l("IPアドレス"), 16), Column(_l("リクエストID"), 20)]

AUDIT = paged_export(
    "audit_events", _l("監査ログ"), COLUMNS,
    lambda ctx, number: audit_page(ctx.tenant, filter_from_params(ctx.params), number, per_page=EXPORT_PAGE_SIZE),
    lambda row: export_row(*row), roles(Role.OPERATOR))
