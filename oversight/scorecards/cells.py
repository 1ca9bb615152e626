"""A figure's table cell, printed in Python (`portal.core.fragments`): a drill-down shows one for
every project and measure (600 cells for 120 projects), and through the template engine each
cost some 0.5 ms. The markup is the Health tab's (`scorecard-value`, the band in words and colour,
`scorecard-n`, `scorecard-detail`), with the comparison's bar under a share."""

from __future__ import annotations

from django.utils.safestring import SafeString

from portal.core.fragments import esc, html

from .measures import Figure
from .targets import Targets, judge


def figure_cell(
    figure: Figure,
    *,
    targets: Targets | None = None,
    suffix: str = "",
    meter: bool = False,
    sorted_by: bool = False,
) -> SafeString:
    """`<td>` of one figure: its value, its band against `targets` (a share's, when it has enough
    records), a bar under a share (`meter`), "n = 14 milestones" and `suffix` (" / 3 projects"),
    then its details."""
    band = judge(figure.percent, targets) if targets is not None else None
    classes = " ".join(
        c
        for c in (
            "scorecard-too-few" if figure.too_few else "",
            f"band-cell band-cell-{band.colour}" if band else "",
            "compare-sorted" if sorted_by else "",
        )
        if c
    )
    parts = [
        f'<td class="{classes}">' if classes else "<td>",
        f'<span class="scorecard-value">{esc(figure.display)}</span>',
    ]
    if band:
        parts.append(f'<span class="band band-{band.colour}">{esc(band.words)}</span>')
    if meter and figure.share is not None and not figure.too_few:
        parts.append(
            f'<meter class="compare-meter" min="0" max="1" value="{figure.share:.3f}" aria-hidden="true"></meter>'
        )
    parts.append(f'<span class="scorecard-n">{esc(figure.n_label)}')
    if suffix:
        parts.append(f' <span class="nowrap">{esc(suffix)}</span>')
    parts.append("</span>")
    parts.extend(f'<span class="scorecard-detail">{esc(detail)}</span>' for detail in figure.details)
    parts.append("</td>")
    return html(parts)
