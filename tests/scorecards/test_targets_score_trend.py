"""Colours against targets, the overall score and the trend word, on figures built by hand (no
records needed: a figure is a measure, a quarter and its tally)."""

import datetime as dt

import pytest

from oversight.scorecards.measures import (
    CADENCE,
    DECISIONS_ON_TIME,
    MEETING_DISCIPLINE,
    ON_TIME,
    RESPONSIVENESS,
    Figure,
    Tally,
)
from oversight.scorecards.quarters import Quarter, last_quarters
from oversight.scorecards.score import overall
from oversight.scorecards.selectors import Cell
from oversight.scorecards.targets import (
    BELOW,
    CLOSE,
    FALLBACK,
    ON_TARGET,
    WELL_BELOW,
    Targets,
    default,
    judge,
)
from oversight.scorecards.trend import FALLING, IMPROVING, STEADY, trend, word

Q = Quarter(2026, 4)
T = Targets(target=90, amber=80, red=65, weight=3)


def figure(measure, kept, n, quarter=Q):
    return Figure(measure, quarter, Tally(n, kept))


@pytest.mark.parametrize(
    ("percent", "band"),
    [
        (100, ON_TARGET),
        (90, ON_TARGET),  # at the target: on it
        (89, CLOSE),
        (80, CLOSE),  # at the amber threshold: still green
        (79, BELOW),
        (65, BELOW),  # at the red threshold: still amber
        (64, WELL_BELOW),
        (0, WELL_BELOW),
    ],
)
def test_a_figure_at_a_threshold_takes_the_better_band(percent, band):
    assert judge(percent, T) == band


def test_the_colour_follows_the_percentage_shown_rounded_half_up():
    # 179 of 200 = 89.5 %, shown as 90 %: on target; 178 of 200 = 89 %: close to target.
    assert figure(ON_TIME, 179, 200).percent == 90
    assert judge(figure(ON_TIME, 179, 200).percent, T) == ON_TARGET
    assert judge(figure(ON_TIME, 178, 200).percent, T) == CLOSE
    # 2 of 3 = 66.67 % -> 67 %: amber (65 <= 67 < 80).
    assert judge(figure(ON_TIME, 2, 3).percent, T) == BELOW
    # 23 of 40 = 57.5 % exactly: 58 % (a float rounding says 57; the Health tab shows this one).
    assert figure(ON_TIME, 23, 40).percent == 58
    assert Cell(figure(ON_TIME, 23, 40), None).display == "58 %"
    # too few records: no percentage, no colour.
    assert figure(ON_TIME, 2, 2).percent is None
    assert judge(figure(ON_TIME, 2, 2).percent, T) is None


def test_words_and_colours():
    assert (ON_TARGET.colour, CLOSE.colour, BELOW.colour, WELL_BELOW.colour) == (
        "green",
        "green",
        "amber",
        "red",
    )
    assert (ON_TARGET.words, BELOW.words, WELL_BELOW.words) == (
        "on target",
        "below target",
        "well below target",
    )


def test_a_measure_without_defaults_falls_back_and_targets_must_be_ordered():
    assert default("a_measure_added_later") == FALLBACK
    assert default("on_time") == Targets(90, 80, 65, 3)
    with pytest.raises(ValueError):
        Targets(target=80, amber=85, red=50, weight=1)


def test_the_overall_score_is_the_weighted_mean_of_the_measurable_figures():
    judged = [
        (figure(ON_TIME, 2, 3), Targets(90, 80, 65, 3)),  # 67 %
        (figure(CADENCE, 4, 4), Targets(95, 85, 70, 2)),  # 100 %
        (figure(RESPONSIVENESS, 1, 2), Targets(90, 80, 65, 2)),  # too few: left out
        (figure(MEETING_DISCIPLINE, 1, 2 * 2), Targets(90, 75, 60, 1)),  # 1 of 4: 25 %
    ]
    score = overall(judged)
    # (3 x 67 + 2 x 100 + 1 x 25) / 6 = (201 + 200 + 25) / 6 = 426 / 6 = 71.0 -> 71 %.
    assert score.percent == 71
    # Targets weighted alike: (3 x 90 + 2 x 95 + 1 x 90) / 6 = 550 / 6 = 91.67 -> 92;
    # amber (240 + 170 + 75) / 6 = 80.83 -> 81; red (195 + 140 + 60) / 6 = 65.83 -> 66.
    assert score.targets == Targets(92, 81, 66, 6)
    assert score.band == BELOW  # 66 <= 71 < 81
    assert score.sentence == (
        "Weighted mean of 3 of 4 measures with enough records: On-time delivery ×3, Cadence kept ×2, "
        "Meeting discipline ×1; target 92 %. Too few records: Responsiveness."
    )


def test_a_measure_weighing_0_is_left_out_and_a_side_with_none_measurable_has_no_score():
    judged = [
        (figure(ON_TIME, 3, 3), Targets(90, 80, 65, 0)),
        (figure(CADENCE, 1, 4), Targets(95, 85, 70, 1)),
    ]
    score = overall(judged)
    assert score.percent == 25 and score.band == WELL_BELOW  # only cadence: 1 of 4
    assert "Weighing 0: On-time delivery." in score.sentence
    nothing = overall([(figure(DECISIONS_ON_TIME, 0, 2), T), (figure(ON_TIME, 0, 0), T)])
    assert not nothing.measurable and nothing.band is None and nothing.display == "not measurable"
    assert nothing.sentence == "Not measurable: none of the 2 measures has enough records (3 or more)."


@pytest.mark.parametrize(
    ("now", "earlier", "expected"),
    [
        (70, [65], IMPROVING),  # +5 exactly
        (70, [66], STEADY),  # +4
        (70, [60, 70, 71], STEADY),  # mean 67, +3
        (70, [75], FALLING),  # -5 exactly
        (70, [74, 75], STEADY),  # mean 74.5: -4.5
        (70, [], None),  # nothing to compare with
        (None, [80, 90], None),  # too few this quarter
    ],
)
def test_the_trend_word(now, earlier, expected):
    assert word(now, earlier)[0] == expected


def test_the_trend_skips_quarters_with_too_few_records_and_draws_broken_lines():
    quarters = last_quarters(dt.date(2026, 11, 18))  # Q4 2026 first
    # Oldest first: Q4 2025 3/4 = 75 %, Q1 2026 too few, Q2 2026 4/5 = 80 %, Q3 2026 7/10 = 70 %,
    # Q4 2026 (this quarter) 9/10 = 90 %.
    tallies = {0: (9, 10), 1: (7, 10), 2: (4, 5), 3: (1, 2), 4: (3, 4)}
    figures = [figure(ON_TIME, *tallies[i], quarter=quarter) for i, quarter in enumerate(quarters)]
    drawn = trend(figures, T)
    # Earlier measurable: 75, 80, 70 -> mean 75; 90 - 75 = 15 points up.
    assert drawn.word == IMPROVING
    assert [point.percent for point in drawn.points] == [75, 80, 70, 90]
    assert [point.band for point in drawn.points] == [BELOW, CLOSE, BELOW, ON_TARGET]
    # Q1 2026 breaks the line: Q4 2025 alone, then Q2 -> Q3 -> Q4 2026.
    assert len(drawn.segments) == 1 and len(drawn.segments[0].split()) == 3
    # y runs 5 (100 %) to 39 (0 %): 90 % -> 5 + 10 x 34 / 100 = 8.4.
    assert drawn.target_y == 8.4 and drawn.last.y == 8.4
    assert drawn.text == (
        "On-time delivery by quarter, oldest first: Q4 2025 75 %, Q1 2026 too few records, Q2 2026 80 %, "
        "Q3 2026 70 %, Q4 2026 90 %; target 90 %. Improving: this quarter against a mean of 75 % before."
    )
