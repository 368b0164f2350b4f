"""The one place that reads the clock, so tests can freeze it. Schedules use Asia/Tokyo."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

JST = ZoneInfo("Asia/Tokyo")


def now_utc() -> dt.datetime:
    """Current time, UTC-aware."""
    return dt.datetime.now(dt.timezone.utc)


def today_jst() -> dt.date:
    """Today's date in Japan (deadlines and phase windows are JST dates)."""
    return now_utc().astimezone(JST).date()


def to_jst(moment: dt.datetime) -> dt.datetime:
    """Convert an aware datetime to JST."""
    return moment.astimezone(JST)
