"""和暦 and 年度 display helpers. Fiscal years are stored as the integer start year (2024)."""
from __future__ import annotations

import datetime as dt

# (first Gregorian year of the era's fiscal-year naming, era name). A fiscal year takes the era in
# force on its first day (1 April), except FY2019, named 令和元年度 by convention (改元 on 1 May 2019).
_ERAS = ((2019, "令和"), (1989, "平成"), (1926, "昭和"))


def wareki_year(year: int) -> str:
    """Gregorian year -> 和暦 year ("令和6", "令和元", "平成31" is returned as 令和元 for 2019)."""
    for start, era in _ERAS:
        if year >= start:
            n = year - start + 1
            return f"{era}{'元' if n == 1 else n}"
    return str(year)


def fiscal_year_label(fiscal_year: int) -> str:
    """2024 -> "令和6年度"."""
    return f"{wareki_year(fiscal_year)}年度"


def fiscal_year_long(fiscal_year: int) -> str:
    """2024 -> "令和6年度（FY2024）"."""
    return f"{fiscal_year_label(fiscal_year)}（FY{fiscal_year}）"


def fiscal_year_of(day: dt.date) -> int:
    """The fiscal year (April start) a date falls in: 2025-03-31 -> 2024."""
    return day.year if day.month >= 4 else day.year - 1


def format_date(day: dt.date | dt.datetime | None) -> str:
    """Date as 2024年5月16日 (JST for datetimes); empty for None."""
    if day is None:
        return ""
    if isinstance(day, dt.datetime):
        from app.core.clock import to_jst

        day = to_jst(day)
    return f"{day.year}年{day.month}月{day.day}日"


def format_datetime(moment: dt.datetime | None) -> str:
    """Datetime as 2024年5月16日 14:05 in JST; empty for None."""
    if moment is None:
        return ""
    from app.core.clock import to_jst

    local = to_jst(moment)
    return f"{format_date(local.date())} {local:%H:%M}"
