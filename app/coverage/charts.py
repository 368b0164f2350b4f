"""Server-rendered SVG bar charts (issue 5 §6): a pure builder that turns labels and values into
bars with coordinates, drawn by the macro `coverage/_chart.html` together with a table holding the
same numbers (the table is part of the macro, so a chart never comes without it).

Bar lengths are proportional to the values: length = value ÷ scale × plot length, where the scale is
`max_value` when given (e.g. 100 for %) else the largest value. `None` is "no data": no bar, "—".
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

LABEL_WIDTH, MAX_LABEL_WIDTH = 120, 300  # px for category labels (horizontal charts)
PLOT_LENGTH = 360  # px of the longest bar
VALUE_ROOM = 70  # px for the number written after the bar
BAR_THICKNESS = 18
GAP = 10  # between categories
AXIS_ROOM = 24  # px under vertical bars for the labels
COLOURS = ("#1b6e3a", "#7cc08e")  # as the tile map: series 1 dark, series 2 light (with a legend)
HORIZONTAL, VERTICAL = "horizontal", "vertical"


@dataclass(frozen=True)
class Bar:
    """One bar: category `index`, `series` (0 or 1), the value and its text, the rectangle (px) and
    where the text goes. A `None` value has a zero-length rectangle and the text "—"."""

    index: int
    series: int
    value: float | None
    text: str
    x: float
    y: float
    width: float
    height: float
    text_x: float
    text_y: float

    @property
    def fill(self) -> str:
        return COLOURS[self.series]


@dataclass(frozen=True)
class BarChart:
    """A chart ready to draw: `rows` are `(label, [text per series])` in category order, exactly
    the texts written at the bars, for the table next to the chart."""

    chart_id: str
    title: str
    orientation: str
    labels: list[str]
    series_names: list[str]
    bars: list[Bar]
    width: int
    height: int
    unit: str
    label_marks: list[tuple[str, float, float]]  # (label, x, y) of each category label in the SVG

    @property
    def legend(self) -> list[tuple[str, str]]:
        """`(series name, fill colour)` pairs."""
        return list(zip(self.series_names, COLOURS))

    @property
    def rows(self) -> list[tuple[str, list[str]]]:
        texts = {(b.index, b.series): b.text for b in self.bars}
        return [(label, [texts[i, s] for s in range(len(self.series_names))]) for i, label in enumerate(self.labels)]


def format_value(value: float | None, unit: str = "") -> str:
    """`1234` -> "1,234", `66.67` -> "66.7", with `unit` appended ("%" -> "66.7%"); None -> "—"."""
    if value is None:
        return "—"
    return (f"{value:,}" if isinstance(value, int) else f"{value:,.1f}") + unit


def bar_chart(chart_id: str, title: str, labels: list[str], series: dict[str, list[float | None]], *,
              max_value: float | None = None, unit: str = "", orientation: str = HORIZONTAL) -> BarChart:
    """Build a bar chart of one or two `series` (`{name: values}`, each value list as long as `labels`).

    `chart_id` must be unique on the page (it names the SVG title for `aria-labelledby`); `unit` is
    written after every number ("%", "千円", …). Raises ValueError for 0 or more than 2 series, value
    lists of the wrong length, negative values, or an unknown orientation.
    """
    names, columns = list(series), list(series.values())
    if not 1 <= len(names) <= len(COLOURS) or any(len(c) != len(labels) for c in columns):
        raise ValueError("bar_chart needs 1 or 2 series, each with one value per label")
    if orientation not in (HORIZONTAL, VERTICAL):
        raise ValueError(f"unknown orientation {orientation!r}")
    values = [v for c in columns for v in c if v is not None]
    if any(v < 0 for v in values):
        raise ValueError("bar_chart draws non-negative values only")
    frame = _Frame(len(names), _label_width(labels) if orientation == HORIZONTAL else 0,
                   max_value or max(values, default=0) or 1)
    place = _horizontal if orientation == HORIZONTAL else _vertical
    bars = [place(frame, i, s, v, format_value(v, unit)) for i in range(len(labels)) for s, v in enumerate(c[i] for c in columns)]
    width, height = frame.size(orientation, len(labels))
    marks = [frame.label_mark(orientation, i, label, height) for i, label in enumerate(labels)]
    return BarChart(chart_id, title, orientation, list(labels), names, bars, width, height, unit, marks)


def _label_width(labels: list[str]) -> int:
    """Room for the longest label at ~11 px a character, between LABEL_WIDTH and MAX_LABEL_WIDTH."""
    return min(max([LABEL_WIDTH] + [len(label) * 11 + 12 for label in labels]), MAX_LABEL_WIDTH)


@dataclass(frozen=True)
class _Frame:
    """Geometry shared by the bars of one chart: series count, label column (px) and the value scale."""

    n_series: int
    label_width: int
    scale: float

    @property
    def band(self) -> int:
        """px per category along the category axis (horizontal charts)."""
        return self.n_series * BAR_THICKNESS + GAP

    @property
    def slot(self) -> int:
        """px per category along the category axis (vertical charts: room for the label under it)."""
        return self.band + 2 * BAR_THICKNESS

    def length(self, value: float | None, plot: float) -> float:
        return round((value or 0) * plot / self.scale, 2)

    def size(self, orientation: str, n_labels: int) -> tuple[int, int]:
        if orientation == HORIZONTAL:
            return self.label_width + PLOT_LENGTH + VALUE_ROOM, max(n_labels, 1) * self.band + GAP
        return max(n_labels, 1) * self.slot + GAP, PLOT_LENGTH // 2 + VALUE_ROOM // 2 + AXIS_ROOM

    def label_mark(self, orientation: str, index: int, label: str, height: int) -> tuple[str, float, float]:
        if orientation == HORIZONTAL:  # right-aligned before the bars, in the middle of the band
            return label, self.label_width - 6, GAP + index * self.band + self.n_series * BAR_THICKNESS / 2 + 4
        return label, GAP + index * self.slot + BAR_THICKNESS + self.n_series * BAR_THICKNESS / 2, height - 8


def _horizontal(frame: _Frame, index: int, series: int, value, text: str) -> Bar:
    y = GAP + index * frame.band + series * BAR_THICKNESS
    length = frame.length(value, PLOT_LENGTH)
    return Bar(index, series, value, text, frame.label_width, y, length, BAR_THICKNESS - 2,
               frame.label_width + length + 4, y + BAR_THICKNESS - 5)


def _vertical(frame: _Frame, index: int, series: int, value, text: str) -> Bar:
    plot = PLOT_LENGTH // 2
    x = GAP + index * frame.slot + BAR_THICKNESS + series * BAR_THICKNESS
    length = frame.length(value, plot)
    base = VALUE_ROOM // 2 + plot
    return Bar(index, series, value, text, x, base - length, BAR_THICKNESS - 2, length,
               x + (BAR_THICKNESS - 2) / 2, base - length - 4)

def region_chart(by_region: dict[str, tuple[int, int]]) -> BarChart:
    """Coverage by region: municipalities supported in the coverage window next to all
    municipalities, per region in the order of `CoverageSummary.by_region` (`{region: (total, covered)}`)."""
    series = {str(_l("期間内に支援")): [c for _, c in by_region.values()], str(_l("市町村数")): [t for t, _ in by_region.values()]}
    return bar_chart("chart-region", str(_l("地域別の支援状況（対象期間内）")), [n or "—" for n in by_region], series)
