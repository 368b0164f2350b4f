"""Platform administration: tenants of the installation (create, 公開・停止・再開・終了, invite the
first operator), a summary of one tenant whose every view is audited under that tenant
(`admin.tenant_view`), and `flask platform-admin create` (app/admin/cli.py)."""
