"""The quick dates and links of long lists (portal.core.list_formats) say what Django's say."""

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse, set_script_prefix
from django.utils import dateformat, timezone, translation

from portal.core.list_formats import ListDates, ListLinks, link

MOMENTS = [
    dt.datetime(2026, 1, 1, 0, 0, tzinfo=dt.UTC),
    dt.datetime(2026, 3, 29, 0, 59, tzinfo=dt.UTC),  # an hour before summer time in Europe
    dt.datetime(2026, 3, 29, 1, 0, tzinfo=dt.UTC),
    dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC),  # already next year east of UTC
    dt.datetime(2027, 5, 9, 9, 5, tzinfo=dt.UTC),
]


@pytest.mark.parametrize("zone", ["UTC", "Europe/Paris", "Asia/Kolkata", "America/Los_Angeles"])
@pytest.mark.parametrize("language", ["en-us", "de"])
def test_dates_match_djangos_formats(zone, language):
    with timezone.override(zoneinfo.ZoneInfo(zone)), translation.override(language):
        dates = ListDates()
        for moment in MOMENTS:
            local = timezone.localtime(moment)
            assert dates.day(moment) == dateformat.format(local, "j M Y")
            assert dates.day_time(moment) == dateformat.format(local, "j M Y, H:i")
            assert dates.weekday_time(moment) == dateformat.format(local, "D j M, H:i")
            assert dates.day(moment.date()) == dateformat.format(moment.date(), "j M Y")
            assert dates.day_month(moment) == dateformat.format(local, "j M")
            assert dates.day_month(moment.date()) == dateformat.format(moment.date(), "j M")


def test_links_match_reverse():
    detail = ListLinks("issues:detail", "project_id", "serviceissue_id")
    tab = ListLinks("issues:project_issues", "project_id")
    for project_id, issue_id in [(1, 2), (918273645, 7), (10, 10), (546372819, 918273645)]:
        assert detail(project_id=project_id, serviceissue_id=issue_id) == reverse(
            "issues:detail", kwargs={"project_id": project_id, "serviceissue_id": issue_id}
        )
        assert tab(project_id=project_id) == reverse(
            "issues:project_issues", kwargs={"project_id": project_id}
        )


def test_link_matches_reverse_under_any_script_prefix():
    cases = [
        ("projects:decisions", {}),
        ("projects:detail", {"project_id": 7}),
        ("projects:update", {"project_id": 7, "statusupdate_id": 918273645}),
        ("issues:detail", {"serviceissue_id": 3, "project_id": 12}),
    ]
    for prefix in ("/", "/portal/"):
        set_script_prefix(prefix)
        try:
            for name, ids in cases:
                assert link(name, **ids) == reverse(name, kwargs=ids)
        finally:
            set_script_prefix("/")
