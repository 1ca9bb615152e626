"""The scorecards' measures (oversight/scorecards): the executives' comparisons, a project's
Health tab and one figure's evidence, the nightly refresh of every project's figures with the
roll-ups, and preparing a quarterly business review. `bench` is a `measures.Bench`."""

from __future__ import annotations

from django.db.models import Count
from django.urls import reverse

from oversight.scorecards import figures
from oversight.scorecards.measures import ON_TIME
from oversight.scorecards.models import BusinessReview, RelationshipFigure
from portal.accounts.models import User
from portal.organizations.models import OrgRole
from projects.models import Project

from . import databases
from .timing import Result, body_of, timed


def _roll_ups_of_this_quarter() -> None:
    """As the hourly worker leaves them: rebuilt if the database has none for this quarter (a
    database seeded before they existed, or in an earlier quarter)."""
    if not RelationshipFigure.objects.filter(quarter=figures.window()[0].start).exists():
        figures.refresh_projects()
        figures.roll_up()


def _biggest_sponsor(bench) -> int:
    return (
        Project.objects.filter(cdmo_id=bench.executive.organization_id)
        .values("sponsor_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "sponsor_id")
        .first()["sponsor_id"]
    )


def comparisons(bench) -> None:
    """The CDMO executive's sponsors and project managers side by side, the projects of its
    biggest relationship, and that sponsor's executive's CDMOs (compare.py)."""
    _roll_ups_of_this_quarter()
    executive = bench.executive
    sponsor_id = _biggest_sponsor(bench)
    sponsor_exec = User.objects.filter(organization_id=sponsor_id, org_role=OrgRole.EXECUTIVE).first()
    for name, user, url in (
        ("scorecards_sponsors", executive, reverse("scorecards:compare") + "?sort=on_time"),
        ("scorecards_managers", executive, reverse("scorecards:compare_managers") + "?sort=on_time"),
        ("scorecards_projects", executive, reverse("scorecards:relationship", args=[sponsor_id])),
        ("scorecards_cdmos", sponsor_exec, reverse("scorecards:compare") + "?sort=on_time"),
    ):
        result = bench.page(name, user, url)
        body = body_of(bench.client(user).get(url)).decode()
        if name == "scorecards_projects":
            result.extra["projects"] = body.count('<a class="scorecard-measure"')
        else:
            result.extra["columns"] = body.count('class="compare-column"')


def project_pages(bench) -> None:
    """The bench project's Health tab (stored figures, targets, trends) and the evidence of its
    on-time delivery this quarter (that one measure computed live for the project)."""
    _roll_ups_of_this_quarter()
    project = bench.project
    quarter = figures.window()[0]
    bench.page("scorecards_health", bench.executive, reverse("scorecards:project_health", args=[project.pk]))
    evidence = reverse("scorecards:evidence", args=[project.pk, ON_TIME.key, quarter.slug])
    bench.page("scorecards_evidence", bench.executive, evidence)


def nightly_refresh(bench) -> None:
    """What the nightly task does: every project's figures recomputed and stored, then the
    roll-ups rebuilt (on a copy of the database: the bench's own stays as it was)."""
    with databases.copy_of(bench.database):
        projects = Project.objects.count()

        def run():
            return figures.refresh_projects(), figures.roll_up()

        seconds, queries, (written, rolled) = timed(run, repeat=1, warm_up=False)
    result = Result(seconds=seconds, queries=queries)
    result.extra.update(
        projects=projects, figures=written, ms_per_project=1000 * seconds / projects if projects else None
    )
    result.extra.update(rolled)
    bench.results["scorecards_refresh"] = result


def business_review(bench) -> None:
    """The sponsor executive of the biggest relationship prepares last quarter's review (the
    snapshot, and the PDF asked for): a POST, on a copy (a review is a record, never deleted)."""
    _roll_ups_of_this_quarter()
    sponsor_id = _biggest_sponsor(bench)
    sponsor_exec = User.objects.filter(organization_id=sponsor_id, org_role=OrgRole.EXECUTIVE).first()
    quarter = figures.window()[1]
    with databases.copy_of(bench.database):
        client = bench.client(sponsor_exec)
        data = {"counterpart": bench.executive.organization_id, "quarter": quarter.start.isoformat()}

        def prepare():
            return client.post(reverse("scorecards:reviews"), data)

        seconds, queries, response = timed(prepare, repeat=bench.repeat)
        result = Result(seconds=seconds, queries=queries, status=response.status_code)
        result.extra["projects"] = len(BusinessReview.objects.latest("pk").content["projects"])
    bench.results["scorecards_review"] = result
