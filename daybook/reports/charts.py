"""Charts as SVG from one code path, for web pages and PDFs alike (matplotlib, no GUI)."""

import base64
import datetime as dt
import io
from collections import Counter

import matplotlib

matplotlib.use("Agg")
from matplotlib import pyplot  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
matplotlib.rcParams.update({"font.family": "DejaVu Sans", "font.size": 8, "svg.fonttype": "none"})


def _svg(figure: Figure) -> str:
    """The figure as a `data:` URI of its SVG, usable in an <img> on a page or in a PDF."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    pyplot.close(figure)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def weekly_counts(days: list[dt.date]) -> list[tuple[dt.date, int]]:
    """Incidents per week (weeks start on Monday), including empty weeks, over the whole period."""
    if not days:
        return []
    counts = Counter(day - dt.timedelta(days=day.weekday()) for day in days)
    week, last = min(counts), max(counts)
    series = []
    while week <= last:
        series.append((week, counts.get(week, 0)))
        week += dt.timedelta(weeks=1)
    return series


def weekly_chart(days: list[dt.date]) -> str:
    series = weekly_counts(days)
    figure = pyplot.figure(figsize=(7, 2.2))
    axes = figure.add_subplot()
    axes.bar([week for week, _n in series], [n for _week, n in series], width=6, color="#1d70b8")
    axes.set_ylabel("Incidents per week")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.spines[["top", "right"]].set_visible(False)
    figure.autofmt_xdate()
    return _svg(figure)


def rhythm_grid(moments: list[dt.datetime]) -> list[list[int]]:
    """Counts by weekday (rows, Monday first) and hour of day (columns)."""
    grid = [[0] * 24 for _ in WEEKDAYS]
    for moment in moments:
        grid[moment.weekday()][moment.hour] += 1
    return grid


def rhythm_chart(moments: list[dt.datetime]) -> str:
    grid = rhythm_grid(moments)
    figure = pyplot.figure(figsize=(7, 2.2))
    axes = figure.add_subplot()
    image = axes.imshow(grid, aspect="auto", cmap="Blues")
    axes.set_yticks(range(7), WEEKDAYS)
    axes.set_xticks(range(0, 24, 3), [f"{hour:02d}:00" for hour in range(0, 24, 3)])
    axes.set_xlabel("Hour of day")
    figure.colorbar(image, ax=axes, label="Incidents")
    return _svg(figure)
