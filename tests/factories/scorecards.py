"""Scorecard records for the walks: a business review of the project's relationship."""

from oversight.scorecards.models import BusinessReview
from oversight.scorecards.quarters import Quarter
from oversight.scorecards.review_content import review_content
from portal.accounts.models import OrgRole
from portal.core import clock
from tests.factories.organizations import UserFactory


def populate_project(project) -> None:
    """A prepared review of the project's sponsor and CDMO for last quarter (its content names the
    project: a walk that leaked it would show the code)."""
    quarter = Quarter.of(clock.now().date()).previous()
    same = {"sponsor": project.sponsor, "cdmo": project.cdmo, "quarter": quarter.start}
    if BusinessReview.objects.filter(**same).exists():
        return  # one review a relationship's quarter is enough (another project of the pair)
    BusinessReview.objects.create(
        sponsor=project.sponsor,
        cdmo=project.cdmo,
        quarter=quarter.start,
        prepared_by=UserFactory(organization=project.sponsor, org_role=OrgRole.EXECUTIVE),
        prepared_at=clock.now(),
        content=review_content(sponsor=project.sponsor, cdmo=project.cdmo, quarter=quarter),
    )
