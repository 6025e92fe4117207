"""Incidents per month by severity as an inline SVG bar chart, drawn on the server.

Severities differ by more than colour (WCAG 1.4.1): each has a fill pattern of its own (solid,
stripes, dots, lines, grid), named in the legend, and stacked parts are outlined in white.
"""

from __future__ import annotations

from dataclasses import dataclass

from reports import language as lang
from reports.language import N_
from reports.library import MonthCount
from views.language import interface_language

COLOURS = {"SEV1": "#8f1d1d", "SEV2": "#c2410c", "SEV3": "#a16207", "SEV4": "#3f6212",
           "unrated": "#6b7280"}
# The fill of each severity, drawn by templates/chart.html, and its name in the legend.
PATTERNS = {"SEV1": "solid", "SEV2": "stripes", "SEV3": "dots", "SEV4": "lines",
            "unrated": "grid"}
PATTERN_NAMES = {"solid": N_("solid"), "stripes": N_("stripes"), "dots": N_("dots"),
                 "lines": N_("lines"), "grid": N_("grid")}
WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 640, 220, 36, 28, 12


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    colour: str
    label: str
    severity: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    months: list[tuple[float, str]]  # x of the label, text
    ticks: list[tuple[float, int]]  # y, value
    months_data: list[MonthCount]
    colours: dict[str, str]
    plot_left: int
    plot_bottom: float
    patterns: dict[str, str]  # severity: pattern (solid, stripes, dots, lines, grid)
    pattern_names: dict[str, str]


def month_chart(months: list[MonthCount]) -> Chart:
    language = interface_language()
    highest = max((m.total for m in months), default=0)
    scale_max = max(4, highest + (-highest % 4))
    plot_height = HEIGHT - BOTTOM - TOP
    slot = (WIDTH - LEFT) / max(1, len(months))
    bars: list[Bar] = []
    labels: list[tuple[float, str]] = []
    for index, month in enumerate(months):
        x = LEFT + index * slot + slot * 0.15
        y = float(HEIGHT - BOTTOM)
        for severity, count in month.by_severity.items():
            if not count:
                continue
            height = plot_height * count / scale_max
            y -= height
            bars.append(Bar(round(x, 1), round(y, 1), round(slot * 0.7, 1), round(height, 1),
                            COLOURS[severity],
                            f"{lang.month(month.month, language)}: {count} {severity}",
                            severity))
        labels.append((round(LEFT + index * slot + slot / 2, 1),
                       lang.month(month.month, language, "short")))
    ticks = [(round(HEIGHT - BOTTOM - plot_height * v / scale_max, 1), v)
             for v in range(0, scale_max + 1, max(1, scale_max // 4))]
    return Chart(WIDTH, HEIGHT, bars, labels, ticks, months, COLOURS, LEFT, HEIGHT - BOTTOM,
                 PATTERNS, PATTERN_NAMES)
