"""The milestone timeline, drawn on the server as SVG.

One row per milestone: a hollow diamond at the baseline (as contracted), a bar
from the baseline to the forecast (or actual) date coloured by the slip, a dot
at the forecast or a filled diamond at the actual date; a dashed line for
today and month ticks on top. Plain SVG attributes (no CSS, no script), so it
renders the same inline in the page, on paper and in a PDF.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from django.utils.safestring import SafeString, mark_safe

from .models import MilestoneStatus

# Slip thresholds shared by the badges and the chart.
AMBER_SLIP_DAYS = 1
RED_SLIP_DAYS = 15

COLOURS = {
    "green": "#1e8449",
    "amber": "#b7791f",
    "red": "#c0392b",
    "grey": "#8a96a3",
    "ink": "#17212b",
    "muted": "#6b7785",
    "line": "#e2e6eb",
    "stripe": "#f7f9fb",
    "today": "#0f4c81",
}
FONT = "Liberation Sans, Helvetica Neue, Arial, DejaVu Sans, sans-serif"

WIDTH = 980
LABEL_WIDTH = 270
RIGHT_PAD = 24
HEADER = 40
ROW = 30
LEGEND = 44
LEGEND_WIDTH = 300  # the legend's line at its narrowest, from its left edge


def slip_level(days: int | None, status: str = "") -> str:
    """ "green", "amber" or "red" for a slip in days (cancelled milestones are "grey")."""
    if status == MilestoneStatus.CANCELLED:
        return "grey"
    if days is None or days < AMBER_SLIP_DAYS:
        return "green"
    return "amber" if days < RED_SLIP_DAYS else "red"


@dataclass(frozen=True)
class _Scale:
    start: datetime.date
    end: datetime.date
    width: int = WIDTH  # of the whole drawing
    left: int = LABEL_WIDTH  # where the chart starts, after the milestones' names

    @property
    def days(self) -> int:
        return max((self.end - self.start).days, 1)

    def x(self, day: datetime.date) -> float:
        span = self.width - self.left - RIGHT_PAD
        return round(self.left + span * (day - self.start).days / self.days, 1)


def _month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def _scale(milestones: Sequence, today: datetime.date) -> _Scale:
    days = [today]
    for m in milestones:
        days += [m.baseline_date, m.forecast_date] + ([m.actual_date] if m.actual_date else [])
    start = _month_start(min(days) - datetime.timedelta(days=7))
    end = _next_month(max(days) + datetime.timedelta(days=7))
    return _Scale(start, end)


def _ticks(scale: _Scale) -> list[datetime.date]:
    months = []
    day = scale.start
    while day <= scale.end:
        months.append(day)
        day = _next_month(day)
    if scale.width == WIDTH:
        step = 1 if len(months) <= 14 else 3 if len(months) <= 40 else 12
    else:  # drawn to a zoom: a tick every month, or as few months apart as keeps labels apart
        per_month = (scale.width - scale.left - RIGHT_PAD) / max(len(months), 1)
        step = next((n for n in (1, 2, 3, 6) if n * per_month >= 60), 12)
    return [m for i, m in enumerate(months) if i % step == 0]


def _truncate(text: str, limit: int = 36) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _diamond(x: float, y: float, size: float, *, fill: str, stroke: str) -> str:
    points = f"{x},{y - size} {x + size},{y} {x},{y + size} {x - size},{y}"
    return f'<polygon points="{points}" fill="{fill}" stroke="{stroke}" stroke-width="1.6"/>'


def _slip_text(days: int) -> str:
    if days > 0:
        return f"{days} day{'s' if days != 1 else ''} late"
    if days < 0:
        return f"{-days} day{'s' if days != -1 else ''} early"
    return "on baseline"


def milestone_timeline_svg(
    milestones: Sequence,
    *,
    today: datetime.date,
    title: str = "Milestone timeline",
    chart_px: int | None = None,
    label_px: int = LABEL_WIDTH,
) -> SafeString:
    """An SVG document (as safe markup) for `milestones`; an empty string if there are none.

    By default it is drawn 980 units wide and scales to its box (the page, paper, a PDF). With
    `chart_px` (the zoom of the milestones tab) it is drawn at its natural size in pixels: the
    chart `chart_px` wide after a `label_px` column of names, so the text keeps its size however
    far the chart is stretched or squeezed, and the box scrolls sideways."""
    milestones = list(milestones)
    if not milestones:
        return mark_safe("")
    whole = _scale(milestones, today)
    if chart_px is None:
        scale = whole
        size = 'width="100%"'
    else:
        width = max(label_px + chart_px + RIGHT_PAD, LEGEND_WIDTH)
        scale = _Scale(whole.start, whole.end, width=width, left=label_px)
    label_limit = 36 if scale.left >= LABEL_WIDTH else max(scale.left // 7, 8)
    height = HEADER + ROW * len(milestones) + LEGEND
    if chart_px is not None:
        size = f'width="{scale.width}" height="{height}" data-zoomed="true"'
    chart_bottom = HEADER + ROW * len(milestones)
    c = COLOURS
    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline-svg" viewBox="0 0 {scale.width} {height}" '
        f'{size} role="img" aria-labelledby="timeline-title timeline-desc" '
        # The dates and where the chart sits, for the zoom (static/js/timeline-zoom.js).
        f'data-start="{scale.start:%Y-%m-%d}" data-end="{scale.end:%Y-%m-%d}" data-today="{today:%Y-%m-%d}" '
        f'data-chart-left="{scale.left}" data-chart-right="{scale.width - RIGHT_PAD}" '
        f'font-family={quoteattr(FONT)} font-size="12">',
        f'<title id="timeline-title">{escape(title)}</title>',
        f'<desc id="timeline-desc">Baseline dates as hollow diamonds, forecast dates as dots, actual dates as filled '
        f"diamonds; bars show the slip against the baseline. Today is {today:%-d %B %Y}.</desc>",
        f'<rect x="0" y="0" width="{scale.width}" height="{height}" fill="#ffffff"/>',
    ]
    # Row stripes and labels.
    for index, m in enumerate(milestones):
        y = HEADER + index * ROW
        if index % 2 == 0:
            out.append(f'<rect x="0" y="{y}" width="{scale.width}" height="{ROW}" fill="{c["stripe"]}"/>')
        cancelled = m.status == MilestoneStatus.CANCELLED
        label_colour = c["muted"] if cancelled else c["ink"]
        decoration = ' text-decoration="line-through"' if cancelled else ""
        out.append(
            f'<text x="10" y="{y + ROW / 2 + 4}" fill="{label_colour}"{decoration}>{escape(_truncate(m.title, label_limit))}</text>'
        )
    # Month ticks (each with its year when a zoom puts them half a year or more apart).
    ticks = _ticks(scale)
    yearly = chart_px is not None and len(ticks) > 1 and (ticks[1] - ticks[0]).days > 150
    for tick in ticks:
        x = scale.x(tick)
        with_year = yearly or tick.month == 1 or tick == scale.start
        label = tick.strftime("%b %Y") if with_year else tick.strftime("%b")
        if chart_px is not None and x + 6 * len(label) > scale.width:
            label = ""  # a zoomed drawing ends where it ends: no label cut in half at its edge
        out.append(f'<line x1="{x}" y1="{HEADER - 8}" x2="{x}" y2="{chart_bottom}" stroke="{c["line"]}"/>')
        if label:
            out.append(
                f'<text x="{x + 3}" y="{HEADER - 14}" fill="{c["muted"]}" font-size="11">{escape(label)}</text>'
            )
    out.append(
        f'<line x1="{scale.left}" y1="{HEADER}" x2="{scale.width - RIGHT_PAD}" y2="{HEADER}" stroke="{c["line"]}"/>'
    )
    # Bars and markers.
    for index, m in enumerate(milestones):
        y = HEADER + index * ROW + ROW / 2
        slip = m.slip_days
        level = slip_level(slip, m.status)
        colour = c[level]
        end_day = m.actual_date or m.forecast_date
        xb, xe = scale.x(m.baseline_date), scale.x(end_day)
        tooltip = (
            f"{m.title}: baseline {m.baseline_date:%-d %b %Y}, "
            + (
                f"actual {m.actual_date:%-d %b %Y}"
                if m.actual_date
                else f"forecast {m.forecast_date:%-d %b %Y}"
            )
            + f" ({_slip_text(slip)}); {m.get_status_display().lower()}"
        )
        out.append(f"<g><title>{escape(tooltip)}</title>")
        if xb != xe:
            left, right = min(xb, xe), max(xb, xe)
            out.append(
                f'<rect x="{left}" y="{y - 4}" width="{round(right - left, 1)}" height="8" rx="3" '
                f'fill="{colour}" fill-opacity="0.35"/>'
            )
        out.append(_diamond(xb, y, 7, fill="#ffffff", stroke=c["ink"]))
        if m.actual_date:
            out.append(_diamond(xe, y, 7, fill=colour, stroke=colour))
        else:
            out.append(
                f'<circle cx="{xe}" cy="{y}" r="6" fill="{colour}" stroke="#ffffff" stroke-width="1.5"/>'
            )
        if slip:
            anchor_x = max(xb, xe) + 10
            text_anchor = "start"
            if anchor_x > scale.width - RIGHT_PAD - 40:
                anchor_x, text_anchor = min(xb, xe) - 10, "end"
            out.append(
                f'<text x="{anchor_x}" y="{y + 4}" fill="{colour}" font-size="11" font-weight="bold" '
                f'text-anchor="{text_anchor}">{"+" if slip > 0 else "−"}{abs(slip)} d</text>'
            )
        out.append("</g>")
    # Today.
    if scale.start <= today <= scale.end:
        x = scale.x(today)
        out.append(
            f'<line x1="{x}" y1="{HEADER - 6}" x2="{x}" y2="{chart_bottom}" stroke="{c["today"]}" '
            f'stroke-width="1.5" stroke-dasharray="4 3"/>'
        )
        out.append(
            f'<text x="{x}" y="{chart_bottom + 14}" fill="{c["today"]}" font-size="11" font-weight="bold" '
            f'text-anchor="middle">Today</text>'
        )
    # Legend.
    ly = height - 14
    lx = LABEL_WIDTH if chart_px is None else 10
    slip_words = "Slip against baseline" if scale.width - lx >= 420 else "Slip"
    legend = [
        _diamond(lx + 6, ly - 4, 6, fill="#ffffff", stroke=c["ink"]),
        f'<text x="{lx + 18}" y="{ly}" fill="{c["muted"]}" font-size="11">Baseline</text>',
        f'<circle cx="{lx + 90}" cy="{ly - 4}" r="5" fill="{c["amber"]}"/>',
        f'<text x="{lx + 100}" y="{ly}" fill="{c["muted"]}" font-size="11">Forecast</text>',
        _diamond(lx + 170, ly - 4, 6, fill=c["green"], stroke=c["green"]),
        f'<text x="{lx + 182}" y="{ly}" fill="{c["muted"]}" font-size="11">Actual</text>',
        f'<rect x="{lx + 236}" y="{ly - 8}" width="26" height="8" rx="3" fill="{c["red"]}" fill-opacity="0.35"/>',
        f'<text x="{lx + 268}" y="{ly}" fill="{c["muted"]}" font-size="11">{slip_words}</text>',
    ]
    out.extend(legend)
    out.append("</svg>")
    return mark_safe("".join(out))


def zoomed_chart_px(
    milestones: Sequence, *, today: datetime.date, span_days: int | None, box_px: int, label_px: int
) -> int:
    """How wide to draw the chart so that `span_days` fill a box `box_px` wide once scrolled past
    the names; all of it (span None, or a project shorter than the span) fits the box beside them."""
    fit = max(box_px - label_px - RIGHT_PAD, 120)
    milestones = list(milestones)
    if span_days is None or not milestones:
        return fit
    days = _scale(milestones, today).days
    return min(max(fit, round(box_px * days / span_days)), 40_000)
