"""Pure functions: the SVG milestone timeline and the revision diff."""

import datetime
from xml.etree import ElementTree

from projects.diffing import update_changes, word_diff
from projects.models import Milestone, MilestoneStatus, StatusUpdate
from projects.svg import milestone_timeline_svg, slip_level

TODAY = datetime.date(2026, 6, 15)
SVG = "{http://www.w3.org/2000/svg}"


def _milestone(title, baseline, forecast=None, actual=None, status=MilestoneStatus.PLANNED):
    return Milestone(
        title=title,
        kind="other",
        baseline_date=baseline,
        forecast_date=forecast or baseline,
        actual_date=actual,
        status=status,
    )


def test_timeline_is_valid_svg_with_a_row_per_milestone_a_today_line_and_month_ticks():
    milestones = [
        _milestone(
            "Tech transfer", datetime.date(2026, 3, 2), actual=datetime.date(2026, 3, 9), status="done"
        ),
        _milestone("GMP batch <GMP-01> & co", datetime.date(2026, 7, 1), datetime.date(2026, 7, 22)),
        _milestone("Delivery", datetime.date(2026, 9, 1), datetime.date(2026, 8, 28)),
    ]
    svg = str(milestone_timeline_svg(milestones, today=TODAY))
    root = ElementTree.fromstring(svg)  # well-formed XML, titles escaped
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "GMP batch <GMP-01> & co" in texts and "Tech transfer" in texts
    assert "Today" in texts
    assert {"Feb 2026", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep"} <= set(texts)
    assert "+21 d" in texts and "+7 d" in texts and "−4 d" in texts
    tooltips = [t.text for t in root.iter(f"{SVG}title")]
    assert any("baseline 1 Jul 2026, forecast 22 Jul 2026 (21 days late)" in t for t in tooltips)
    assert 'style="' not in svg and "<script" not in svg  # CSP-safe, printable attributes only


def test_timeline_colours_follow_the_slip():
    assert slip_level(0) == "green" and slip_level(-3) == "green"
    assert slip_level(1) == "amber" and slip_level(14) == "amber"
    assert slip_level(15) == "red"
    assert slip_level(40, MilestoneStatus.CANCELLED) == "grey"
    late = _milestone("Late", datetime.date(2026, 6, 1), datetime.date(2026, 7, 1))
    assert "#c0392b" in str(milestone_timeline_svg([late], today=TODAY))


def test_no_milestones_no_svg():
    assert str(milestone_timeline_svg([], today=TODAY)) == ""


def test_word_diff_marks_only_the_changed_words():
    segments = word_diff("Titre 3.1 g/L vs 2.8 target", "Titre 2.9 g/L vs 2.8 target")
    assert [(s.op, s.text) for s in segments] == [
        ("same", "Titre "),
        ("removed", "3.1"),
        ("added", "2.9"),
        ("same", " g/L vs 2.8 target"),
    ]


def _update(**fields):
    base = dict(
        title="EB-02 complete",
        period_start=datetime.date(2026, 6, 1),
        period_end=datetime.date(2026, 6, 7),
        overall_rag="green",
        schedule_rag="green",
        budget_rag="green",
        quality_rag="green",
        supply_rag="green",
        summary="All good.",
        progress="Harvest done.",
        next_steps=[{"description": "Start GMP-01", "due": "2026-06-20"}],
        risks="",
        decisions_needed=[],
    )
    base.update(fields)
    return StatusUpdate(**base)


def test_update_changes_lists_each_changed_field_in_reading_order():
    old = _update()
    new = _update(
        quality_rag="red",
        summary="All good, except one OOS.",
        next_steps=[{"description": "Start GMP-01", "due": "2026-06-27"}],
        decisions_needed=[{"title": "Approve retest", "needed_by": "2026-06-12"}],
    )
    changes = update_changes(old, new, old_files=["a.pdf"], new_files=["a.pdf", "b.pdf"])
    assert [c.label for c in changes] == [
        "Quality",
        "Summary",
        "Next steps",
        "Decisions needed from the sponsor",
        "Attachments",
    ]
    steps = changes[2]
    assert steps.removed == ["Start GMP-01 (due 20 Jun 2026)"] and steps.added == [
        "Start GMP-01 (due 27 Jun 2026)"
    ]
    assert changes[0].before == "Green" and changes[0].after == "Red"
    assert changes[4].added == ["b.pdf"] and changes[4].removed == []
    assert update_changes(old, _update()) == []
