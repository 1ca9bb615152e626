"""The one table: measure | goal | one column per size | ratio | verdict, goals from issue 13.

A goal stated "at 10k" is judged at the largest size measured (the verdict says so when that is
not 10,000); a goal on every size must hold at each; a ratio between sizes needs two of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .timing import Result

MEETS, MISSES = "meets", "misses"
LIST_PAGES = {
    "list:action_items_exec": "my action items (executive)",
    "list:action_items_lead": "my action items (lead)",
    "list:issues_exec": "service-issue list (executive)",
    "list:issues_lead": "service-issue list (lead)",
    "list:projects_exec": "projects list (executive)",
    "list:projects_lead": "projects list (lead)",
    "list:decisions_exec": "decisions (executive)",
    "list:meetings_lead": "my meetings (lead)",
    "list:notifications_lead": "notifications (lead)",
    "list:updates_tab": "project: updates tab",
    "list:project_meetings": "project: meetings tab",
    "list:project_issues": "project: service issues tab",
    "list:project_flags": "project: flags tab",
}

Sizes = dict[int, dict[str, Result]]  # size -> measure name -> Result


def size_label(size: int) -> str:
    return f"{size // 1000}k" if size % 1000 == 0 else str(size)


def seconds(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def times_trivial(results: dict[str, Result], name: str) -> float | None:
    """The page's time over the trivial page's: the runs paired with it, else the run at the start."""
    result, base = results.get(name), results.get("trivial")
    baseline = (result.extra.get("trivial_s") if result else None) or (base.seconds if base else None)
    if not result or result.seconds is None or not baseline:
        return None
    return result.seconds / baseline


def _failed(result: Result) -> str | None:
    if result.seconds is None:
        return result.note or "not measured"
    if result.status is not None and result.status >= 400:
        return f"HTTP {result.status}"
    return None


def plain_cell(results: dict[str, Result], name: str) -> str:
    result = results[name]
    if failure := _failed(result):
        return failure
    return f"{seconds(result.seconds)}, {result.queries} q" + (f" ({result.note})" if result.note else "")


def page_cell(results: dict[str, Result], name: str) -> str:
    text = plain_cell(results, name)
    ratio = times_trivial(results, name)
    if results[name].ok and ratio is not None and name != "trivial":
        text += f", {ratio:.1f}× trivial"
    return text


def compare_cell(results: dict[str, Result], name: str) -> str:
    """A comparison page, with how many columns (or projects) it showed."""
    text = page_cell(results, name)
    extra = results[name].extra
    if extra.get("columns"):
        text += f", {extra['columns']} columns"
    if extra.get("projects"):
        text += f", {extra['projects']} projects"
    return text


@dataclass
class Row:
    name: str  # the Result's name; the row shows when any size has it
    label: str
    goal: str
    cell: Callable[[dict[str, Result], str], str] = page_cell
    # (ratio text, verdict) from every size's results; None: no verdict (a figure for reference)
    judge: Callable[[Sizes, str], tuple[str, str]] | None = None


def _largest(sizes: Sizes, name: str) -> tuple[int, dict[str, Result]] | None:
    have = [size for size in sorted(sizes) if name in sizes[size]]
    return (have[-1], sizes[have[-1]]) if have else None


def _at(size: int) -> str:
    return "" if size == 10000 else f" (at {size_label(size)})"


def within_times_trivial(limit: float) -> Callable[[Sizes, str], tuple[str, str]]:
    def judge(sizes: Sizes, name: str) -> tuple[str, str]:
        size, results = _largest(sizes, name)
        ratio = times_trivial(results, name)
        if ratio is None or _failed(results[name]):
            return "—", MISSES + _at(size)
        return f"{ratio:.1f}× trivial", (MEETS if ratio <= limit else MISSES) + _at(size)

    return judge


def growth(sizes: Sizes, name: str) -> float | None:
    have = [size for size in sorted(sizes) if name in sizes[size] and sizes[size][name].seconds]
    if len(have) < 2:
        return None
    return sizes[have[-1]][name].seconds / sizes[have[0]][name].seconds


def every_size(
    test: Callable[[Result], bool], *, ratio: bool = False
) -> Callable[[Sizes, str], tuple[str, str]]:
    def judge(sizes: Sizes, name: str) -> tuple[str, str]:
        results = [sizes[size][name] for size in sorted(sizes) if name in sizes[size]]
        ok = all(not _failed(result) and test(result) for result in results)
        change = growth(sizes, name)
        return (f"{change:.1f}× from {size_label(min(sizes))}" if change else "—"), MEETS if ok else MISSES

    return judge


def sweep_judge(sizes: Sizes, name: str) -> tuple[str, str]:
    ratio_text, verdict = every_size(lambda r: r.seconds <= 2)(sizes, name)
    change = growth(sizes, name)
    if change is not None and change > 3:
        verdict = MISSES
    return ratio_text, verdict + ("" if change is not None else " (one size: no ratio)")


def csv_cell(results: dict[str, Result], name: str) -> str:
    result = results[name]
    if failure := _failed(result):
        return failure
    per_row = result.extra.get("ms_per_row")
    return f"{seconds(result.seconds)}, {result.extra['rows']} rows, " + (
        f"{per_row:.2f} ms/row, {result.queries} q" if per_row is not None else f"{result.queries} q"
    )


def pdf_cell(results: dict[str, Result], name: str) -> str:
    result = results[name]
    rows = result.extra.get("rows")
    if result.seconds is None:
        return f"{result.note}, {rows} rows"
    text = f"HTTP {result.status} in {seconds(result.seconds)}, {rows} rows"
    if result.extra.get("megabytes"):
        text += f", {result.extra['megabytes']:.0f} MB"
    return text + (f", {result.queries} q" if result.queries is not None else "")


def notices_cell(results: dict[str, Result], name: str) -> str:
    result = results[name]
    if failure := _failed(result):
        return failure
    extra = result.extra
    return (
        f"{seconds(result.seconds)}, {extra['notices']} notices for {extra['due']} flags, {result.queries} q"
    )


def feed_cell(results: dict[str, Result], name: str) -> str:
    text = page_cell(results, name)
    if results[name].ok:
        text += f", {results[name].extra['bytes'] / 1e6:.1f} MB"
    return text


def feed_304_judge(sizes: Sizes, name: str) -> tuple[str, str]:
    """A 304 at every size, and within 5× the trivial page at the largest."""
    ratio, verdict = within_times_trivial(5)(sizes, name)
    if not every_size(lambda r: r.status == 304)(sizes, name)[1] == MEETS:
        return ratio, MISSES
    return ratio, verdict


def refresh_cell(results: dict[str, Result], name: str) -> str:
    extra = results[name].extra
    text = plain_cell(results, name)
    if extra.get("ms_per_project") is not None:
        text += f", {extra['ms_per_project']:.1f} ms a project, {extra['figures']:,} figures"
    return text


def review_cell(results: dict[str, Result], name: str) -> str:
    text = plain_cell(results, name)
    if results[name].extra.get("projects"):
        text += f", {results[name].extra['projects']} projects"
    return text


def status_cell(results: dict[str, Result], name: str) -> str:
    result = results[name]
    if result.seconds is None:
        return result.note or "not measured"
    return f"HTTP {result.status}, {seconds(result.seconds)}, {result.queries} q"


def load_cell(results: dict[str, Result], name: str) -> str:
    result = results[name]
    if result.seconds is None:
        return result.note or "not measured"
    base = results.get("load_trivial")
    rps = result.extra["rps"]
    text = f"{rps:.1f} req/s, p95 {seconds(result.extra['p95'])}"
    if name != "load_trivial" and base and base.extra.get("rps"):
        text += f", {100 * rps / base.extra['rps']:.0f} % of trivial"
    return text + (f" ({result.note})" if result.note else "")


def load_judge(sizes: Sizes, name: str) -> tuple[str, str]:
    size, results = _largest(sizes, name)
    base = results.get("load_trivial")
    if not base or not base.extra.get("rps") or results[name].seconds is None:
        return "—", MISSES + _at(size)
    share = results[name].extra["rps"] / base.extra["rps"]
    failed = results[name].extra.get("failed") or base.extra.get("failed")
    return f"{100 * share:.0f} % of trivial", (MEETS if share >= 0.6 and not failed else MISSES) + _at(size)


ROWS = [
    Row("trivial", "trivial signed-in page (baseline)", "—"),
    Row("dashboard", "dashboard (executive)", "≤ 5× trivial at 10k", judge=within_times_trivial(5)),
    Row(
        "csv",
        "dashboard CSV, all rows",
        "≤ 1 ms a row",
        csv_cell,
        every_size(lambda r: (r.extra.get("ms_per_row") or 0) <= 1),
    ),
    Row("pdf_100", "dashboard PDF, ~100 rows", "≤ 2 s", pdf_cell, every_size(lambda r: r.seconds <= 2)),
    Row(
        "pdf_full",
        "dashboard PDF, all rows",
        "never a 500 (≤ the timeout)",
        pdf_cell,
        every_size(lambda r: r.status is not None and r.status < 500),
    ),
    Row(
        "sweep_rules",
        "sweep, rules only (quarter-hourly: what came due)",
        "≤ 2 s; t(10k)/t(1k) ≤ 3",
        plain_cell,
        sweep_judge,
    ),
    Row("sweep_day", "sweep: a day's due projects at once (reference)", "—", plain_cell),
    Row("sweep_reconcile", "reconciliation, nightly: every rule, every project", "—", plain_cell),
    Row(
        "sweep_notices",
        "scheduled sweep + notices, cold",
        "≤ 20 s",
        notices_cell,
        every_size(lambda r: r.seconds <= 20),
    ),
    Row("feed_first", "calendar feed (lead), first poll (near weeks built)", "once a person", feed_cell),
    Row("feed_check", "calendar feed, background check of a polled feed", "—", plain_cell),
    Row("feed_rebuild", "calendar feed, background rebuild (whole window)", "—", feed_cell),
    Row(
        "feed_200",
        "calendar feed, poll after a change (stored, gzip)",
        "≤ 5× trivial",
        feed_cell,
        within_times_trivial(5),
    ),
    Row("feed_304", "calendar feed, unchanged", "304, ≤ 5× trivial", status_cell, feed_304_judge),
    *[Row(name, label, "≤ 5× trivial", judge=within_times_trivial(5)) for name, label in LIST_PAGES.items()],
    Row("project_page", "project page", "—"),
    Row(
        "scorecards_sponsors",
        "scorecards: sponsors side by side (CDMO executive)",
        "≤ 5× trivial",
        compare_cell,
        within_times_trivial(5),
    ),
    Row(
        "scorecards_managers",
        "scorecards: project managers side by side",
        "≤ 5× trivial",
        compare_cell,
        within_times_trivial(5),
    ),
    Row(
        "scorecards_projects",
        "scorecards: one relationship's projects",
        "≤ 5× trivial",
        compare_cell,
        within_times_trivial(5),
    ),
    Row(
        "scorecards_cdmos",
        "scorecards: CDMOs side by side (sponsor executive)",
        "≤ 5× trivial",
        compare_cell,
        within_times_trivial(5),
    ),
    Row(
        "scorecards_health",
        "scorecards: a project's Health tab",
        "≤ 5× trivial",
        page_cell,
        within_times_trivial(5),
    ),
    Row(
        "scorecards_evidence",
        "scorecards: one figure's evidence (computed live)",
        "≤ 5× trivial",
        page_cell,
        within_times_trivial(5),
    ),
    Row(
        "scorecards_refresh",
        "scorecards: nightly refresh of every project + roll-ups",
        "≤ 5 ms a project",
        refresh_cell,
        every_size(lambda r: r.extra.get("ms_per_project") is not None and r.extra["ms_per_project"] <= 5),
    ),
    Row(
        "scorecards_review",
        "scorecards: prepare a business review (biggest relationship)",
        "≤ 1 s",
        review_cell,
        every_size(lambda r: r.seconds <= 1),
    ),
    Row(
        "api_projects",
        "read API: 100 projects, first page (org token)",
        "≤ 5× trivial",
        page_cell,
        within_times_trivial(5),
    ),
    Row(
        "api_projects_deep",
        "read API: 100 projects, a page by cursor half-way",
        "≤ 5× trivial",
        page_cell,
        within_times_trivial(5),
    ),
    Row("load_trivial", "gunicorn: trivial page", "—", load_cell),
    Row("load_project", "gunicorn: project page", "≥ 60 % of trivial req/s", load_cell, load_judge),
]


def table(sizes: Sizes) -> str:
    order = sorted(sizes)
    header = ["measure", "goal", *[size_label(size) for size in order], "ratio", "verdict"]
    lines = []
    for row in ROWS:
        if not any(row.name in sizes[size] for size in order):
            continue
        cells = [row.cell(sizes[size], row.name) if row.name in sizes[size] else "—" for size in order]
        ratio, verdict = row.judge(sizes, row.name) if row.judge else ("—", "—")
        lines.append([row.label, row.goal, *cells, ratio, verdict])
    widths = [max(len(str(line[i])) for line in [header, *lines]) for i in range(len(header))]
    rule = "-+-".join("-" * width for width in widths)
    render = [
        " | ".join(str(cell).ljust(width) for cell, width in zip(line, widths, strict=True)) for line in lines
    ]
    return "\n".join([" | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)), rule, *render])
