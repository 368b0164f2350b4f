"""Questionnaires: the tenant's 事後アンケート (kind "survey", `app.surveys.template`) and
DX課題把握アンケート (kind "needs", `app.needs.template`), stored as numbered versions so that an
answer keeps the questions it was given; edited by the program office in 事業設定, imported from
and exported to `tenants/<slug>/survey.toml` / `needs_survey.toml` (`transfer`)."""
