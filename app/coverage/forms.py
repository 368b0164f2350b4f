"""Forms of the coverage domain: the fiscal-year filter of the dashboard (GET, no CSRF)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField, ValidationError

from app.core.forms import BaseForm, strip_filter

MIN_FISCAL_YEAR, MAX_FISCAL_YEAR = 2000, 2100  # as the CHECK constraint on calls.fiscal_year


class FiscalYearFilterForm(BaseForm):
    """`?fiscal_year=YYYY` (西暦, April start); empty means the default year."""

    class Meta:
        csrf = False  # a GET filter changes nothing

    fiscal_year = StringField(_l("年度（西暦）"), filters=[strip_filter])

    def validate_fiscal_year(self, field) -> None:
        value = field.data or ""
        if value and not (value.isascii() and value.isdigit() and MIN_FISCAL_YEAR <= int(value) <= MAX_FISCAL_YEAR):
            raise ValidationError(_l("年度は%(lo)d〜%(hi)dの西暦（例：2024）で指定してください。", lo=MIN_FISCAL_YEAR, hi=MAX_FISCAL_YEAR))

    @property
    def year(self) -> int | None:
        """The validated fiscal year, or None when none (or an invalid one) was given."""
        value = self.fiscal_year.data or ""
        return int(value) if value and not self.fiscal_year.errors else None
