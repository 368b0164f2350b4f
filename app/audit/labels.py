"""Japanese labels of audit actions and target types for the 監査ログ page and its export.

An action without a label is shown as its raw name (`action_label`), so a new `record_audit` call
never breaks the page; add its label here.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.tenancy.labels import lazy_label

ACTION_LABELS = {
    "auth.login": _l("ログイン"),
    "auth.login_failed": _l("ログイン失敗"),
    "auth.login_locked": _l("ログイン制限（ロック）"),
    "auth.logout": _l("ログアウト"),
    "auth.session_expired": _l("セッション期限切れ"),
    "auth.sessions_revoked": _l("セッションの無効化"),
    "user.create": _l("ユーザー作成"),
    "user.invite": _l("ユーザー招待"),
    "user.deactivate": _l("ユーザー無効化"),
    "user.reactivate": _l("ユーザー再有効化"),
    "user.role_change": _l("役割の変更"),
    "user.retention_anonymised": _l("保存期間経過による匿名化"),
    "organisation.create": _l("組織の登録"),
    "organisation.update": _l("組織の編集"),
    "organisation.deactivate": _l("組織の無効化"),
    "organisation.reactivate": _l("組織の再有効化"),
    "admin.tenant_view": _l("システム管理者による事業データの閲覧"),
    "admin.platform_admin_create": _l("システム管理者の作成（コマンド）"),
    "tenant.create": _l("事業の作成"),
    "tenant.open": _l("事業の公開"),
    "tenant.suspend": _l("事業の停止"),
    "tenant.reopen": _l("事業の再開"),
    "tenant.archive": _l("事業の終了"),
    "export.download": _l("Excel出力（ダウンロード）"),
    "export.requested": _l("Excel出力（作成依頼）"),
    "export_job.transition": _l("Excel出力ジョブの状態変更"),
    "import.preview": _l("Excel取込（試行）"),
    "import.apply": _l("Excel取込（確定）"),
    "import.error": _l("Excel取込（エラー）"),
    "import.transition": _l("Excel取込の状態変更"),
    "questionnaire.save": _l("アンケートの設問の保存（新しい版）"),
    "call.create": _l("募集の作成"),
    "call.update": _l("募集の変更"),
    "call.transition": _l("募集のフェーズ変更"),
    "menu_proposal.update": _l("メニュー提案の変更"),
    "menu_proposal.transition": _l("メニュー提案の状態変更"),
    "menu.publish": _l("支援メニューの公開"),
    "review.rubric.update": _l("審査基準の変更"),
    "review.assignment.add": _l("審査員の割当"),
    "review.assignment.drop": _l("審査員の割当解除"),
    "review.conflict.declare": _l("利益相反の申告"),
    "review.score": _l("審査の採点"),
    "review.delete": _l("審査の削除"),
    "review.export": _l("審査結果の出力"),
    "application.update": _l("申込の変更"),
    "application.transition": _l("申込の状態変更"),
    "application.promote": _l("繰上げ選定"),
    "selection.propose": _l("選定案の作成"),
    "selection.transition": _l("選定の状態変更"),
    "selection.confirm": _l("選定の確定"),
    "allocation.adjust": _l("選定の調整"),
    "decision.notices": _l("決定通知の作成"),
    "decision.notice_read": _l("決定通知の閲覧"),
    "engagement.assign": _l("支援案件の割当"),
    "engagement.decline": _l("支援案件の辞退"),
    "engagement.kickoff_draft": _l("キックオフ内容の入力"),
    "engagement.transition": _l("支援案件の状態変更"),
    "session.log": _l("支援実施の記録"),
    "session.confirm": _l("支援実施の確認"),
    "attachment.upload": _l("添付ファイルの登録"),
    "attachment.download": _l("添付ファイルのダウンロード"),
    "completion_report.transition": _l("実績報告の状態変更"),
    "relationship.declare": _l("利害関係の申告"),
    "relationship.withdraw": _l("利害関係の取下げ"),
    "survey.request": _l("事後アンケートの依頼"),
    "survey.link": _l("アンケートURLの発行"),
    "survey.remind": _l("アンケートの督促"),
    "survey.submit": _l("アンケートの回答"),
    "needs.round": _l("DX課題把握の実施"),
    "needs.answer": _l("DX課題把握の回答"),
    "needs.remind": _l("DX課題把握の督促"),
    "case.update": _l("事例の編集"),
    "case.transition": _l("事例の状態変更"),
    "case.booklet_export": _l("事例集の出力"),
}

TARGET_LABELS = {
    "users": _l("ユーザー"),
    "tenants": _l("事業"),
    "organisations": _l("組織"),
    "questionnaires": _l("アンケートの設問"),
    "calls": _l("募集"),
    "menu_proposals": _l("メニュー提案"),
    "menu_items": _l("支援メニュー"),
    "reviews": _l("審査"),
    "review_assignments": _l("審査の割当"),
    "conflict_declarations": _l("利益相反の申告"),
    "applications": _l("申込"),
    "selections": _l("選定"),
    "allocations": _l("選定の割当"),
    "decision_notices": _l("決定通知"),
    "engagements": _l("支援案件"),
    "support_sessions": _l("支援実施"),
    "session_attachments": _l("添付ファイル"),
    "completion_reports": _l("実績報告"),
    "provider_relationships": _l("利害関係"),
    "survey_requests": _l("アンケート依頼"),
    "survey_responses": _l("アンケート回答"),
    "needs_survey_rounds": _l("DX課題把握"),
    "needs_survey_responses": _l("DX課題把握の回答"),
    "cases": _l("事例"),
    "import_runs": _l("Excel取込"),
    "export_jobs": _l("Excel出力ジョブ"),
    "notifications": _l("通知"),
}

FIELD_LABELS = {
    "state": _l("状態"), "note": _l("メモ"), "email": _l("メールアドレス"), "role": _l("役割"), "rows": _l("件数"),
    "export": _l("出力した一覧"), "params": _l("条件"), "fields": _l("変更した項目"), "reason": _l("理由"),
    "tenant": _l("事業"), "endpoint": _l("画面"), "before": _l("変更前"), "after": _l("変更後"), "kind": _l("種類"),
    "fiscal_year": _l("年度"), "count": _l("件数"), "outcome": _l("結果"), "why": _l("理由"), "scores": _l("評点"),
    "item_id": _l("支援メニューID"), "menu_item_id": _l("支援メニューID"), "engagement_id": _l("支援案件ID"),
    "reviewer_id": _l("審査員ID"), "municipality_id": _l("市町村ID"), "provider_id": lazy_label("%(provider)sID"),
    "organisation_id": _l("組織ID"), "application_id": _l("申込ID"), "session_id": _l("支援実施ID"),
    "round_id": _l("実施回ID"), "size_bytes": _l("サイズ（バイト）"), "is_active": _l("有効"), "selected": _l("選定数"),
    "items": _l("項目数"), "errors": _l("エラー"), "held_on": _l("実施日"), "planned_sessions": _l("予定回数"),
    "planned_dates": _l("予定日"), "opens_on": _l("開始日"), "closes_on": _l("締切日"), "expires_at": _l("有効期限"),
    "choices": _l("希望"), "target": _l("対象"),
    # 組織管理 (app/organisations)
    "lg_code": _l("市町村コード"), "name": _l("名称"), "kana": _l("よみがな"), "municipality_kind": _l("市町村区分"),
    "district": _l("郡"), "region": _l("地域"), "area": _l("地方"), "is_evacuation_area": _l("避難地域12市町村"),
    "themes": _l("登録テーマ"), "users": _l("利用者数"), "sessions": _l("終了したセッション数"),
}


def action_label(action: str) -> str:
    """The Japanese label of `action` ("auth.login" → 「ログイン」), or the raw action when unknown."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def field_label(key: str) -> str:
    """The Japanese label of a key of `AuditEvent.changes`, raw when unknown."""
    label = FIELD_LABELS.get(key)
    return str(label) if label is not None else key


def target_label(target_type: str) -> str:
    """The Japanese label of a target table name ("applications" → 「申込」), raw when unknown."""
    label = TARGET_LABELS.get(target_type)
    return str(label) if label is not None else target_type


def role_label(role: str, user=None) -> str:
    """The Japanese label of `AuditEvent.actor_role` ("operator" → 「事業担当（県）」; "system" →
    「システム」 for jobs, CLI and anonymous attempts), raw when unknown. With the acting `user` (still
    in that role), its own name for it (商工会担当者 rather than the tenant's generic applicant role)."""
    from app.auth.models import Role

    if user is not None and user.role.value == role:
        return user.role_label
    if role in {r.value for r in Role}:
        return Role(role).label
    return str(_l("システム")) if role in ("", "system") else role
