import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from portal.organizations.models import Organization


class Modality(models.TextChoices):
    SMALL_MOLECULE = "small_molecule", "Small molecule"
    PEPTIDE = "peptide", "Peptide"
    BIOLOGIC = "biologic", "Biologic"
    CELL_GENE = "cell_gene", "Cell and gene therapy"
    OTHER = "other", "Other"


class Phase(models.TextChoices):
    PRECLINICAL = "preclinical", "Preclinical"
    PHASE_1 = "phase_1", "Phase 1"
    PHASE_2 = "phase_2", "Phase 2"
    PHASE_3 = "phase_3", "Phase 3"
    COMMERCIAL = "commercial", "Commercial"


class ServiceScope(models.TextChoices):
    PROCESS_DEV = "process_dev", "Process development"
    ANALYTICAL_DEV = "analytical_dev", "Analytical development"
    SCALE_UP = "scale_up", "Scale-up and tech transfer"
    API_MANUFACTURE = "api_manufacture", "cGMP drug substance (API)"
    DRUG_PRODUCT = "drug_product", "cGMP drug product"
    FILL_FINISH = "fill_finish", "Fill-finish and packaging"
    REGULATORY = "regulatory", "Regulatory support"


class ProjectStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    ON_HOLD = "on_hold", "On hold"
    CLOSED = "closed", "Closed"


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
class Project(models.Model):
    """A program joining exactly one sponsor and one CDMO."""

    sponsor = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="sponsored_projects")
    cdmo = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="cdmo_projects")
    code = models.CharField(max_length=32, help_text="The program code both sides use, e.g. ACM-104.")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    modality = models.CharField(max_length=20, choices=Modality.choices)
    phase = models.CharField("clinical phase", max_length=20, choices=Phase.choices)
    service_scope = ArrayField(
        models.CharField(max_length=20, choices=ServiceScope.choices), default=list, blank=True
    )
    status = models.CharField(max_length=10, choices=ProjectStatus.choices, default=ProjectStatus.ACTIVE)
    start_date = models.DateField()
    update_cadence_days = models.PositiveSmallIntegerField(
        "update cadence (days)",
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text="How often the CDMO publishes a status update.",
    )
    question_response_days = models.PositiveSmallIntegerField(
        "question response time (business days)",
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text="Agreed time for the CDMO to answer a sponsor question.",
    )
    version = models.PositiveIntegerField(
        default=1, help_text="Raised on every edit; guards concurrent edits."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["sponsor", "code"], name="project_code_unique_per_sponsor"),
            models.CheckConstraint(condition=~models.Q(sponsor=models.F("cdmo")), name="project_two_parties"),
            models.CheckConstraint(
                condition=models.Q(update_cadence_days__gte=1), name="project_cadence_positive"
            ),
        ]
        indexes = [models.Index(fields=["status", "phase"])]
        triggers = [pgtrigger.Protect(name="project_no_delete", operation=pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("projects:detail", args=[self.pk])

    def scope_labels(self) -> list[str]:
        labels = dict(ServiceScope.choices)
        return [labels.get(value, value) for value in self.service_scope]


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
                    models.Q(side=Side.SPONSOR, role__in=[r.value for r in SPONSOR_ROLES])
                    | models.Q(side=Side.CDMO, role__in=[r.value for r in CDMO_ROLES])
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
