"""The scorecard of a stored business review pack as the page and the PDF show it: each share
figure's band against the targets the pack kept, and each share measure's trend line over its
five quarters (`trend.trend_of`, the Health tab's sparkline).

Read from the snapshot only (`BusinessReview.content`), never from today's targets: a signed pack
shows what was signed. A pack prepared before packs kept their targets shows no colours and no
trend lines.
"""

from __future__ import annotations

from .targets import Targets, judge
from .trend import trend_of


def shown_scorecard(pack: dict) -> list[dict]:
    """`pack["scorecard"]`'s sides, each measure with `trend` (None without targets) and each
    quarter with `band` (None: too few records, a count, or no targets kept)."""
    sides = []
    for side in pack.get("scorecard", []):
        measures = []
        for measure in side["measures"]:
            kept = measure.get("targets")
            targets = Targets(**kept) if kept else None
            quarters = [
                {**quarter, "band": judge(quarter.get("percent"), targets) if targets else None}
                for quarter in measure["quarters"]
            ]
            trend = None
            if targets is not None:
                oldest_first = [(q["label"], q.get("percent")) for q in reversed(measure["quarters"])]
                trend = trend_of(measure["name"], oldest_first, targets)
            measures.append({**measure, "quarters": quarters, "trend": trend})
        sides.append({**side, "measures": measures})
    return sides
