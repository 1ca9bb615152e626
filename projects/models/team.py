"""The project team: who is on it, on which side, in which role."""

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.utils import timezone

from .project import Project


class Side(models.TextChoices):
    SPONSOR = "sponsor", "Sponsor"
    CDMO = "cdmo", "CDMO"


class TeamRole(models.TextChoices):
    SPONSOR_LEAD = "sponsor_lead", "Project lead"
    DECISION_MAKER = "decision_maker", "Decision-maker"
    SPONSOR_EXECUTIVE = "sponsor_executive", "Executive"
    SPONSOR_MEMBER = "sponsor_member", "Member"
    PROJECT_MANAGER = "project_manager", "Project manager"
    SME = "sme", "Subject-matter expert"
    CDMO_EXECUTIVE = "cdmo_executive", "Executive"
    CDMO_MEMBER = "cdmo_member", "Member"


SPONSOR_ROLES = frozenset(
    {TeamRole.SPONSOR_LEAD, TeamRole.DECISION_MAKER, TeamRole.SPONSOR_EXECUTIVE, TeamRole.SPONSOR_MEMBER}
)
CDMO_ROLES = frozenset(
    {TeamRole.PROJECT_MANAGER, TeamRole.SME, TeamRole.CDMO_EXECUTIVE, TeamRole.CDMO_MEMBER}
)


def side_of_role(role: str) -> Side:
    return Side.SPONSOR if role in SPONSOR_ROLES else Side.CDMO


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class ProjectMember(models.Model):
    """A person on a project team. Removal is recorded, never deleted."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships")
    side = models.CharField(max_length=10, choices=Side.choices)
    role = models.CharField(max_length=20, choices=TeamRole.choices)
    is_point_of_contact = models.BooleanField(
        "single point of contact",
        default=False,
        help_text="The one person on this side who is empowered to act.",
    )
    added_at = models.DateTimeField(default=timezone.now, editable=False)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["side", "role", "user__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "user"],
                condition=models.Q(removed_at__isnull=True),
                name="member_once_per_project",
            ),
            models.UniqueConstraint(
                fields=["project", "side"],
                condition=models.Q(is_point_of_contact=True, removed_at__isnull=True),
                name="member_one_point_of_contact_per_side",
            ),
            models.CheckConstraint(
                condition=(
                    # sorted(): a frozenset's order changes between runs, the migration must not.
                    models.Q(side=Side.SPONSOR, role__in=sorted(r.value for r in SPONSOR_ROLES))
                    | models.Q(side=Side.CDMO, role__in=sorted(r.value for r in CDMO_ROLES))
                ),
                name="member_role_matches_side",
            ),
        ]
        indexes = [
            models.Index(
                fields=["user", "project"],
                condition=models.Q(removed_at__isnull=True),
                name="member_active_idx",
            )
        ]
        triggers = [pgtrigger.Protect(name="member_no_delete", operation=pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}) on {self.project.code}"

    @property
    def is_active(self) -> bool:
        return self.removed_at is None
