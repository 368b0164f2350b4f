"""Demo needs survey (DX課題把握アンケート): the FY2025 round (Jan–Mar 2025, tenant calendar),
answered by about half of the municipalities with sample categories and maturity (サンプル)."""
from __future__ import annotations

from app.calls.services import calendar_windows
from app.calls.states import CallPhase
from app.needs.services import record_needs_response, save_needs_round

FISCAL_YEAR = 2025
# Sample answer patterns (codes of categories.csv), cycled over the answering municipalities.
PATTERNS = [("STD", "FRONT"), ("AI", "RPA", "BPR"), ("HR-DEV", "MINDSET"), ("SEC", "STD"), ("ONLINE", "MYNA", "FRONT"),
            ("PLAN", "ORG"), ("AI", "HR-DEV"), ("PAPER", "TOOLS")]


def seed_needs(tenant, municipalities: list, operator) -> None:
    """Open the FY2025 round with the calendar's dates and record answers of every other
    municipality (by 全国地方公共団体コード order) through the service, marked as samples."""
    opens_on, closes_on = calendar_windows(tenant, FISCAL_YEAR)[CallPhase.NEEDS_SURVEY]
    round_ = save_needs_round(tenant, fiscal_year=FISCAL_YEAR, opens_on=opens_on, closes_on=closes_on, actor=operator)
    answering = sorted(municipalities, key=lambda m: m.lg_code)[::2]
    for index, municipality in enumerate(answering):
        categories = PATTERNS[index % len(PATTERNS)]
        comments = {categories[0]: "担当職員が少なく、進め方の相談先がほしい。（サンプル）"} if index % 3 == 0 else {}
        record_needs_response(round_, municipality, actor=None, categories=list(categories), maturity=index % 4,
                              comments=comments, check_window=False, is_sample=True)
