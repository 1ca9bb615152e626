"""Server-side SVG charts: drawn in Python, so they look the same in the page and the PDF."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .selectors import WeeklyTrend

RAISED_COLOUR = "#c0392b"
CLEARED_COLOUR = "#1e8449"


def trend_svg(trend: WeeklyTrend, *, width: int = 640, height: int = 220) -> SafeString:
    """Grouped weekly bars: flags raised (red) and cleared (green), with a labelled axis."""
    left, right, top, bottom = 36, 10, 16, 42
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max([*trend.raised, *trend.cleared, 1])
    step = max(1, -(-peak // 4))  # about four gridlines, whole numbers
    axis_max = step * -(-peak // step)
    n = max(len(trend.weeks), 1)
    slot = plot_w / n
    bar = max(2.0, slot * 0.32)

    def y(value: float) -> float:
        return top + plot_h - plot_h * value / axis_max

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" class="chart" role="img" '
        f'aria-labelledby="trend-title trend-desc">',
        '<title id="trend-title">Flags raised and cleared per week</title>',
        f'<desc id="trend-desc">{escape(_describe(trend))}</desc>',
    ]
    for tick in range(0, axis_max + 1, step):
        ty = y(tick)
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{ty:.1f}" y2="{ty:.1f}" stroke="#e2e6eb"/>')
        parts.append(
            f'<text x="{left - 6}" y="{ty + 4:.1f}" text-anchor="end" font-size="11" fill="#6b7785">{tick}</text>'
        )
    for i, week in enumerate(trend.weeks):
        x0 = left + i * slot + slot / 2
        for offset, value, colour, label in (
            (-bar - 1, trend.raised[i], RAISED_COLOUR, "raised"),
            (1, trend.cleared[i], CLEARED_COLOUR, "cleared"),
        ):
            top_y = y(value)
            parts.append(
                f'<rect x="{x0 + offset:.1f}" y="{top_y:.1f}" width="{bar:.1f}" height="{top + plot_h - top_y:.1f}" '
                f'fill="{colour}" rx="1.5"><title>Week of {week:%d %b}: {value} {label}</title></rect>'
            )
        if i % 2 == 0 or n <= 8:
            parts.append(
                f'<text x="{x0:.1f}" y="{height - bottom + 16}" text-anchor="middle" font-size="11" '
                f'fill="#6b7785">{week:%d %b}</text>'
            )
    parts.append(
        f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="#cfd6de"/>'
    )
    legend_y = height - 6
    parts.append(f'<rect x="{left}" y="{legend_y - 9}" width="10" height="10" fill="{RAISED_COLOUR}"/>')
    parts.append(f'<text x="{left + 14}" y="{legend_y}" font-size="11" fill="#3c4a57">raised</text>')
    parts.append(f'<rect x="{left + 70}" y="{legend_y - 9}" width="10" height="10" fill="{CLEARED_COLOUR}"/>')
    parts.append(f'<text x="{left + 84}" y="{legend_y}" font-size="11" fill="#3c4a57">cleared</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every interpolated value is a number or escaped text


def _describe(trend: WeeklyTrend) -> str:
    return f"Over {len(trend.weeks)} weeks, {sum(trend.raised)} flags were raised and {sum(trend.cleared)} cleared."
