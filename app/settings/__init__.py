"""事業設定: the program office configures its own program in the UI (issue 13 §3), operator only.

Each section (`app.settings.sections.SECTIONS`) is a page with a form; saves go through
`app.settings.services` (validated by the same schema as `tenants/<slug>/tenant.toml`, audited with
the before/after of the changed keys, guarded by `Tenant.version_id`).
"""
