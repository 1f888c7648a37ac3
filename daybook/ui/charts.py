"""Charts as accessible SVG from one code path, for web pages and PDFs alike.

Drawn here rather than with a plotting library: a chart is a few hundred rectangles, which
this writes in about a millisecond where matplotlib took about 80 ms a chart (too slow for a
page that shows four). Every chart carries its title and a one-sentence description for
screen readers, and every page that shows one also gives its numbers as a table.
"""

import base64
import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import ngettext

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
HOURS = [f"{hour:02d}:00" for hour in range(24)]
# GOV.UK Frontend's colours, in an order where neighbours differ for most colour vision.
PALETTE = [
    "#1d70b8", "#f47738", "#00703c", "#4c2c92", "#d4351c", "#28a197", "#912b88", "#b58840",
    "#505a5f", "#5694ca",
]  # fmt: skip
FONT = 'font-family="Arial, Helvetica, sans-serif" font-size="11" fill="#0b0c0c"'
LEFT, TOP, BOTTOM = 44, 10, 46


@dataclass(frozen=True)
class Chart:
    title: str
    description: str
    svg: SafeString

    def __html__(self) -> str:  # a template inserts the drawing itself
        return self.svg

    def __str__(self) -> str:
        return self.svg

    @property
    def data_uri(self) -> str:
        """For an <img> in a PDF: WeasyPrint draws SVG images as vectors."""
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode()).decode()


def _document(title: str, description: str, width: int, height: int, body: list[str]) -> Chart:
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" class="daybook-chart">'
        f"<title>{escape(title)}</title><desc>{escape(description)}</desc>"
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>{"".join(body)}</svg>'
    )
    return Chart(title, description, mark_safe(svg))  # noqa: S308 - every text is escaped


def _text(x: float, y: float, label: str, anchor: str = "middle", extra: str = "") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" {FONT}{extra}>{escape(label)}</text>'
    )


def _every(count: int, room: int) -> int:
    """Label every n-th bar so that at most `room` labels share the axis."""
    return max(1, -(-count // room))


def ticks(largest: int, room: int = 5) -> list[int]:
    """Whole-number ticks from 0, evenly spaced by 1, 2 or 5 times a power of ten, reaching at
    least `largest` with at most `room` steps: 0, 1, 2, 3 or 0, 5, 10, 15, 20, never skipping
    or repeating a number (counts are whole, so no tick may fall between two)."""
    largest = max(largest, 1)
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            step = factor * magnitude
            if -(-largest // step) <= room:
                return list(range(0, step * -(-largest // step) + 1, step))
        magnitude *= 10


def _axis(height: int, plot_width: float, scale: list[int]) -> list[str]:
    """The value axis at the given ticks, with light guide lines."""
    body, plot_height, top_value = [], height - TOP - BOTTOM, scale[-1]
    for value in scale:
        y = TOP + plot_height * (1 - value / top_value)
        body.append(
            f'<line x1="{LEFT}" x2="{LEFT + plot_width:.1f}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="#b1b4b6" stroke-width="{1 if value == 0 else 0.5}"/>'
        )
        body.append(_text(LEFT - 6, y + 4, str(value), anchor="end"))
    return body


def bars(
    title: str,
    labels: list[str],
    values: list[int],
    *,
    description: str,
    width: int = 640,
    height: int = 200,
) -> Chart:
    """One bar per label (weeks, months, kinds), labels thinned to fit."""
    plot_width, plot_height = width - LEFT - 10, height - TOP - BOTTOM
    scale = ticks(max(values, default=0))
    top_value = scale[-1]
    step = plot_width / max(len(values), 1)
    body = _axis(height, plot_width, scale)
    every = _every(len(labels), 10)
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        bar = plot_height * value / top_value
        x = LEFT + index * step
        body.append(
            f'<rect x="{x + step * 0.1:.1f}" y="{TOP + plot_height - bar:.1f}" '
            f'width="{max(step * 0.8, 0.5):.1f}" height="{bar:.1f}" fill="{PALETTE[0]}">'
            f"<title>{escape(label)}: {value}</title></rect>"
        )
        if index % every == 0:
            body.append(_text(x + step / 2, TOP + plot_height + 16, label))
    return _document(title, description, width, height, body)


def row_bars(
    title: str, labels: list[str], values: list[int], *, description: str, width: int = 640
) -> Chart:
    """One labelled bar per row with its count: for kinds with long names (sources, orders)."""
    label_width, row_height, value_room = 250, 22, 40
    plot_width = width - label_width - value_room
    top_value = max(values, default=0) or 1
    body = []
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = TOP + index * row_height
        bar = plot_width * value / top_value
        body.append(_text(label_width - 8, y + 15, label, anchor="end"))
        body.append(
            f'<rect x="{label_width}" y="{y + 4}" width="{bar:.1f}" height="{row_height - 8}" '
            f'fill="{PALETTE[0]}"><title>{escape(label)}: {value}</title></rect>'
        )
        body.append(_text(label_width + bar + 6, y + 15, str(value), anchor="start"))
    return _document(title, description, width, TOP * 2 + row_height * len(labels), body)


def stacked_bars(
    title: str,
    labels: list[str],
    series: dict[str, list[int]],
    *,
    description: str,
    width: int = 640,
    height: int = 240,
) -> Chart:
    """Bars split by kind (behaviours or channels per month), with a legend beneath."""
    # As many legend entries to a row as the longest name leaves room for (about 6 units a letter).
    per_row = max(1, min(4, int((width - LEFT) // (max(map(len, series), default=1) * 6 + 24))))
    legend_rows = -(-len(series) // per_row)
    plot_height = height - TOP - BOTTOM - 18 * legend_rows
    plot_width = width - LEFT - 10
    totals = [sum(column) for column in zip(*series.values(), strict=True)] or [0]
    scale = ticks(max(totals))
    top_value = scale[-1]
    step = plot_width / max(len(labels), 1)
    body = _axis(TOP + plot_height + BOTTOM, plot_width, scale)
    every = _every(len(labels), 10)
    for index, label in enumerate(labels):
        x = LEFT + index * step
        floor: float = TOP + plot_height
        for colour, (name, values) in zip(PALETTE, series.items(), strict=False):
            part = plot_height * values[index] / top_value
            if part:
                floor -= part
                body.append(
                    f'<rect x="{x + step * 0.1:.1f}" y="{floor:.1f}" width="{step * 0.8:.1f}" '
                    f'height="{part:.1f}" fill="{colour}"><title>{escape(label)}, '
                    f"{escape(name)}: {values[index]}</title></rect>"
                )
        if index % every == 0:
            body.append(_text(x + step / 2, TOP + plot_height + 16, label))
    for number, (colour, name) in enumerate(zip(PALETTE, series, strict=False)):
        x = LEFT + (number % per_row) * (plot_width / per_row)
        y = TOP + plot_height + 34 + 18 * (number // per_row)
        body.append(f'<rect x="{x:.1f}" y="{y - 9:.1f}" width="10" height="10" fill="{colour}"/>')
        body.append(_text(x + 14, y, name, anchor="start"))
    return _document(title, description, width, height, body)


def heatmap(
    title: str,
    rows: list[str],
    columns: list[str],
    values: list[list[int]],
    *,
    description: str,
    width: int = 640,
) -> Chart:
    """A grid of counts, darker for more (weekday by hour of day)."""
    cell_width = (width - LEFT - 10) / len(columns)
    cell_height = 20
    height = TOP + cell_height * len(rows) + 30
    top_value = max((max(row) for row in values), default=0) or 1
    body = []
    for row_index, (row, counts) in enumerate(zip(rows, values, strict=True)):
        y = TOP + row_index * cell_height
        body.append(_text(LEFT - 6, y + 14, row, anchor="end"))
        for column_index, count in enumerate(counts):
            share = count / top_value
            # From white to GOV.UK blue (29, 112, 184) by the share of the busiest cell.
            red, green, blue = (round(255 - (255 - c) * share) for c in (29, 112, 184))
            body.append(
                f'<rect x="{LEFT + column_index * cell_width:.1f}" y="{y}" '
                f'width="{cell_width:.1f}" height="{cell_height}" '
                f'fill="rgb({red},{green},{blue})" stroke="#ffffff" stroke-width="1">'
                f"<title>{escape(row)} {escape(columns[column_index])}: {count}</title></rect>"
            )
    for column_index, column in enumerate(columns):
        if column_index % _every(len(columns), 8) == 0:
            x = LEFT + column_index * cell_width
            body.append(_text(x, TOP + cell_height * len(rows) + 16, column, anchor="start"))
    return _document(title, description, width, height, body)


# --- The charts of a log, shared by the insights page and the chronology PDF ----------------


def weekly_counts(days: list[dt.date]) -> list[tuple[dt.date, int]]:
    """Incidents per week (weeks start on Monday), including empty weeks, over the whole period."""
    return weekly_series(Counter(day - dt.timedelta(days=day.weekday()) for day in days))


def weekly_series(counts: dict[dt.date, int]) -> list[tuple[dt.date, int]]:
    """Counts keyed by each week's Monday, with the empty weeks between filled in."""
    if not counts:
        return []
    week, last = min(counts), max(counts)
    series = []
    while week <= last:
        series.append((week, counts.get(week, 0)))
        week += dt.timedelta(weeks=1)
    return series


def weekly_chart(series: list[tuple[dt.date, int]]) -> Chart:
    total, busiest = sum(n for _w, n in series), max(series, key=lambda item: item[1], default=None)
    description = (
        ngettext("%d incident", "%d incidents", total) % total
        + " over "
        + ngettext("%d week", "%d weeks", len(series)) % len(series)
        + f"; the busiest week began {busiest[0]:%d %B %Y} with {busiest[1]}."
        if busiest
        else "No incidents."
    )
    return bars(
        "Incidents per week",
        [f"{week:%d %b %y}" for week, _n in series],
        [n for _week, n in series],
        description=description,
    )


def rhythm_grid(moments: list[dt.datetime]) -> list[list[int]]:
    """Counts by weekday (rows, Monday first) and hour of day (columns)."""
    grid = [[0] * 24 for _ in WEEKDAYS]
    for moment in moments:
        grid[moment.weekday()][moment.hour] += 1
    return grid


def rhythm_chart(grid: list[list[int]]) -> Chart:
    busiest = max(
        ((count, day, hour) for day, row in enumerate(grid) for hour, count in enumerate(row)),
        default=(0, 0, 0),
    )
    description = (
        f"The busiest hour is {WEEKDAYS[busiest[1]]} {HOURS[busiest[2]]} with {busiest[0]}."
        if busiest[0]
        else "No incidents with a time."
    )
    return heatmap(
        "Incidents by weekday and hour of day", WEEKDAYS, HOURS, grid, description=description
    )
