"""SVG bar charts (app.coverage.charts and the macro coverage/_chart.html): proportional bars, the
numbers written at the bars, and the same numbers in the same order in the table next to them."""
import re

import pytest
from flask import render_template_string

from app.coverage.charts import PLOT_LENGTH, VERTICAL, bar_chart, format_value, region_chart
from app.extensions import db
from tests.conftest import in_tenant
from tests.coverage.builders import municipalities, support

MACRO = '{% from "coverage/_chart.html" import bar_chart %}{{ bar_chart(c, "地域") }}'


def _render(app, chart) -> str:
    with app.test_request_context():
        return render_template_string(MACRO, c=chart)


def _svg_and_table(page: str, chart_id: str) -> tuple[list[tuple[str, str, str]], list[list[str]]]:
    """`([(series, value, text) per bar in document order], [[label, *cells] per table row])`."""
    figure = page.split(f'id="{chart_id}"', 1)[1].split("</figure>", 1)[0]
    svg, table = figure.split('class="bar-chart"', 1)[1].split("</svg>", 1)
    bars = re.findall(r'data-series="(\d)" data-value="([^"]*)">.*?<text[^>]*>([^<]*)</text>', svg, re.S)
    rows = [re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", row) for row in re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1], re.S)]
    return bars, rows


def test_bar_lengths_are_proportional_to_the_values():
    chart = bar_chart("c", "件数", ["県北", "県中", "会津"], {"件数": [10, 40, 25]})
    assert [b.width for b in chart.bars] == [PLOT_LENGTH / 4, PLOT_LENGTH, PLOT_LENGTH * 25 / 40]
    assert len({b.x for b in chart.bars}) == 1  # one baseline
    assert [b.text for b in chart.bars] == ["10", "40", "25"]


def test_a_fixed_maximum_scales_percentages():
    chart = bar_chart("c", "割合", ["令和5年度", "令和6年度"], {"割合": [50.0, None]}, max_value=100, unit="%")
    assert chart.bars[0].width == PLOT_LENGTH / 2 and chart.bars[0].text == "50.0%"
    assert chart.bars[1].width == 0 and chart.bars[1].text == "—"


def test_vertical_bars_stand_on_one_baseline_and_two_series_alternate():
    chart = bar_chart("c", "年度別", ["R4", "R5"], {"市町村": [19, 20], "事業": [19, 40]}, orientation=VERTICAL)
    assert [(b.index, b.series) for b in chart.bars] == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert len({b.y + b.height for b in chart.bars}) == 1
    heights = [b.height for b in chart.bars]
    assert heights[3] == 2 * heights[2] and heights[0] == heights[1] and heights[3] > 0
    assert chart.rows == [("R4", ["19", "19"]), ("R5", ["20", "40"])]


@pytest.mark.parametrize("series", [{}, {"a": [1], "b": [2], "c": [3]}, {"a": [1, 2]}, {"a": [-1]}])
def test_bad_input_is_refused(series):
    with pytest.raises(ValueError):
        bar_chart("c", "t", ["x"], series)


def test_numbers_are_formatted_with_separators_and_units():
    assert format_value(69545, "千円") == "69,545千円"
    assert format_value(96.94) == "96.9"
    assert format_value(None, "%") == "—"


def test_svg_and_table_show_the_same_numbers_in_the_same_order(app):
    chart = bar_chart("chart-x", "予算と配分額", ["令和5年度", "令和6年度"], {"配分額": [30000, 69525], "予算額": [None, 69545]},
                      unit="千円")
    page = _render(app, chart)
    assert 'role="img"' in page and 'aria-labelledby="chart-x-title"' in page
    assert '<title id="chart-x-title">予算と配分額</title>' in page
    bars, rows = _svg_and_table(page, "chart-x")
    assert [text for _, _, text in bars] == ["30,000千円", "—", "69,525千円", "69,545千円"]
    assert rows == [["令和5年度", "30,000千円", "—"], ["令和6年度", "69,525千円", "69,545千円"]]
    assert [s for s, _, _ in bars] == ["0", "1", "0", "1"]


def test_coverage_page_charts_regions_like_its_table(app, client):
    with in_tenant(app) as tenant:
        support(tenant, 2024, municipalities()[:3])
        db.session.commit()
    page = client.get("/t/fukushima/coverage?fiscal_year=2024").get_data(as_text=True)
    bars, rows = _svg_and_table(page, "chart-region")
    assert rows[0][0] == "県北" and [r[0] for r in rows][:7] == ["県北", "県中", "県南", "会津", "南会津", "相双", "いわき"]
    assert [text for _, _, text in bars] == [cell for row in rows for cell in row[1:]]
    assert sum(int(r[1]) for r in rows) == 3 and sum(int(r[2]) for r in rows) == 59


def test_region_chart_puts_covered_first(app):
    with app.test_request_context():
        chart = region_chart({"県北": (17, 5), "会津": (17, 0)})
    assert chart.series_names == ["期間内に支援", "市町村数"]
    assert chart.rows == [("県北", ["5", "17"]), ("会津", ["0", "17"])]
