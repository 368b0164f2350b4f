"""和暦 and 年度 helpers (fiscal years start on 1 April; FY2019 is 令和元年度 by convention)."""
import datetime as dt

import pytest

from app.core.wareki import fiscal_year_label, fiscal_year_long, fiscal_year_of, format_date, format_datetime, wareki_year


@pytest.mark.parametrize(("fiscal_year", "label"), [
    (2019, "令和元年度"), (2020, "令和2年度"), (2024, "令和6年度"), (2018, "平成30年度"), (1989, "平成元年度"), (1988, "昭和63年度"),
])
def test_fiscal_year_label(fiscal_year, label):
    assert fiscal_year_label(fiscal_year) == label


def test_fiscal_year_long():
    assert fiscal_year_long(2024) == "令和6年度（FY2024）"


def test_wareki_year():
    assert (wareki_year(2019), wareki_year(2026), wareki_year(1926), wareki_year(1900)) == ("令和元", "令和8", "昭和元", "1900")


@pytest.mark.parametrize(("day", "fiscal_year"), [
    (dt.date(2025, 3, 31), 2024), (dt.date(2025, 4, 1), 2025), (dt.date(2024, 12, 31), 2024),
    (dt.date(2025, 1, 1), 2024), (dt.date(2019, 4, 1), 2019), (dt.date(2019, 3, 31), 2018),
])
def test_fiscal_year_of_turns_on_1_april(day, fiscal_year):
    assert fiscal_year_of(day) == fiscal_year


def test_dates_are_shown_in_jst():
    late_utc = dt.datetime(2025, 3, 31, 15, 30, tzinfo=dt.timezone.utc)  # 2025-04-01 00:30 JST
    assert format_date(late_utc) == "2025年4月1日"
    assert format_datetime(late_utc) == "2025年4月1日 00:30"
    assert format_date(dt.date(2024, 5, 16)) == "2024年5月16日"
    assert format_date(None) == "" and format_datetime(None) == ""
