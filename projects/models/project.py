"""Projects: one sponsor, one CDMO, and what the program is."""

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


class ProposalStatus(models.TextChoices):
    """A project between two organizations starts as a proposal the other side accepts."""

    PROPOSED = "proposed", "Proposed"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


# What a project's edit form changes, and all project_create and project_update accept.
PROJECT_EDITABLE_FIELDS = (
    "code",
    "name",
    "description",
    "modality",
    "phase",
    "service_scope",
    "status",
    "start_date",
    "update_cadence_days",
    "question_response_days",
)


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    # Bookkeeping written by every publish; the update itself is the audited event.
    exclude=["next_update_due", "last_update_published_at"],
)
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
    # Set when an update is published (issue 3); the stale-update rule reads them.
    next_update_due = models.DateField(null=True, blank=True, db_index=True, editable=False)
    last_update_published_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The proposal (issue 12). `project_create` writes PROPOSED with who proposed it; until the other
    # side accepts, only the proposing organization sees the project (projects_visible_to). Rows
    # written without the service (demo fixtures, migrations of older data) are accepted.
    proposal_status = models.CharField(
        max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.ACCEPTED, db_index=True
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    proposed_by_org = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["sponsor", "code"], name="project_code_unique_per_sponsor"),
            models.CheckConstraint(condition=~models.Q(sponsor=models.F("cdmo")), name="project_two_parties"),
            models.CheckConstraint(
                condition=models.Q(update_cadence_days__gte=1), name="project_cadence_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(proposed_by_org__isnull=True)
                | models.Q(proposed_by_org=models.F("sponsor"))
                | models.Q(proposed_by_org=models.F("cdmo")),
                name="project_proposed_by_a_party",
            ),
            models.CheckConstraint(
                condition=~models.Q(proposal_status="declined") | ~models.Q(decline_reason=""),
                name="project_decline_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["status", "phase"])]
        triggers = [pgtrigger.Protect(name="project_no_delete", operation=pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("projects:detail", args=[self.pk])

    @property
    def is_accepted(self) -> bool:
        return self.proposal_status == ProposalStatus.ACCEPTED

    @property
    def is_proposed(self) -> bool:
        return self.proposal_status == ProposalStatus.PROPOSED

    @property
    def is_declined(self) -> bool:
        return self.proposal_status == ProposalStatus.DECLINED

    @property
    def proposing_side(self) -> str | None:
        """ "sponsor" or "cdmo": the side that proposed the project (None for older rows)."""
        if self.proposed_by_org_id is None:
            return None
        return "sponsor" if self.proposed_by_org_id == self.sponsor_id else "cdmo"

    @property
    def deciding_org(self) -> Organization | None:
        """The organization whose acceptance the proposal waits for."""
        if self.proposed_by_org_id is None:
            return None
        return self.cdmo if self.proposed_by_org_id == self.sponsor_id else self.sponsor

    def get_proposal_url(self) -> str:
        return reverse("projects:proposal", args=[self.pk])

    def scope_labels(self) -> list[str]:
        labels = dict(ServiceScope.choices)
        return [labels.get(value, value) for value in self.service_scope]
