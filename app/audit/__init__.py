"""Audit trail pages: the operator's 監査ログ of the tenant (filter, paginate, Excel out). The trail
itself (`AuditEvent`, `record_audit`) lives in `app.core.audit`; rows are append-only in the
database (migration o3_audit_append_only)."""
