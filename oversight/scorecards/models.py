"""Stored scorecard figures: derived data the workers keep, so no page scans records.

`ProjectFigure` holds one measure's tally for one project and quarter, as `measures.compute` said
when the project last changed (or at the nightly refresh, for figures that move with time
alone). `RelationshipFigure` (a sponsor and a CDMO, over every project between them) and
`ManagerFigure` (a CDMO project manager, over the projects they manage) are roll-ups of those
rows, rebuilt by the hourly roll-up. Derived, never typed: a refresh replaces them.
"""

from __future__ import annotations

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.urls import reverse

from portal.core.triggers import any_changed

from .quarters import Quarter


class StoredTally(models.Model):
    measure = models.CharField(max_length=40)
    quarter = models.DateField(help_text="The quarter's first day.")
    n = models.PositiveIntegerField(default=0)
    kept = models.PositiveIntegerField(default=0)
    samples = ArrayField(models.FloatField(), default=list, blank=True)
    computed_at = models.DateTimeField()

    class Meta:
        abstract = True

    @property
    def period(self) -> Quarter:
        return Quarter.of(self.quarter)

    def __str__(self) -> str:
        return f"{self.measure} {self.period.label}: {self.kept}/{self.n}"


class ProjectFigure(StoredTally):
    project = models.ForeignKey("projects.Project", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            # Project and quarter first: pages read one quarter (or five) of some projects.
            models.UniqueConstraint(fields=["project", "quarter", "measure"], name="project_figure_once")
        ]


class RolledUpTally(StoredTally):
    """Many projects' tallies added up. `details` are the measure's details of the sum ("median
    2.5 days"), written with the roll-up: the samples grow with the projects (12,000 of them in
    one relationship's cadence at 10,000 projects), so the pages read the details, never them."""

    projects = models.PositiveIntegerField(default=0)
    details = ArrayField(models.CharField(max_length=200), default=list, blank=True)

    class Meta:
        abstract = True


class RelationshipFigure(RolledUpTally):
    """Every project between one sponsor and one CDMO: what both sides' executives compare."""

    sponsor = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT, related_name="+")
    cdmo = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["sponsor", "cdmo", "measure", "quarter"], name="relationship_figure_once"
            )
        ]
        indexes = [models.Index(fields=["cdmo", "quarter"], name="relationship_figure_cdmo")]


class ManagerFigure(RolledUpTally):
    """The projects a CDMO project manager manages: internal to the CDMO, never shown to a sponsor."""

    cdmo = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT, related_name="+")
    manager = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["cdmo", "manager", "measure", "quarter"], name="manager_figure_once"
            )
        ]


class ProjectTrend(models.Model):
    """Which of the project's share measures are falling (this quarter against the mean of the
    earlier ones, `trend.word`), as the last refresh of its figures found: the early warning the
    executive dashboard's attention score adds (`oversight.monitoring.attention`)."""

    project = models.OneToOneField(
        "projects.Project", on_delete=models.PROTECT, primary_key=True, related_name="scorecard_trend"
    )
    falling = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    computed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"falling: {', '.join(self.falling) or 'none'}"


class BusinessReview(models.Model):
    """A quarterly business review pack: one sponsor–CDMO relationship over one quarter, as the
    record stood when it was prepared (`content`, the snapshot every rendering and signature
    reads). Both sides' executives sign it off. Kept as a record: never deleted, and its content
    never changes (triggers); figures that moved later make a new edition, which replaces an
    edition nobody has signed yet."""

    sponsor = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT, related_name="+")
    cdmo = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT, related_name="+")
    quarter = models.DateField(help_text="The quarter's first day.")
    edition = models.PositiveSmallIntegerField(default=1)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    prepared_at = models.DateTimeField()
    content = models.JSONField(
        help_text="The pack as prepared: figures, flags, issues, changes, recognition."
    )
    replaced_at = models.DateTimeField(null=True, blank=True, help_text="A later edition replaced it.")

    class Meta:
        ordering = ["-quarter", "-edition"]
        constraints = [
            models.UniqueConstraint(
                fields=["sponsor", "cdmo", "quarter", "edition"], name="business_review_edition_once"
            )
        ]
        triggers = [
            pgtrigger.Protect(name="business_review_no_delete", operation=pgtrigger.Delete),
            pgtrigger.Protect(
                name="business_review_frozen",
                operation=pgtrigger.Update,
                condition=any_changed(
                    "sponsor", "cdmo", "quarter", "edition", "prepared_by", "prepared_at", "content"
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"Business review {self.period.label} (edition {self.edition})"

    @property
    def period(self) -> Quarter:
        return Quarter.of(self.quarter)

    def get_absolute_url(self) -> str:
        return reverse("scorecards:review", kwargs={"businessreview_id": self.pk})


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class OrganizationTarget(models.Model):
    """What an organization expects of its counterparts on one share measure: the target share,
    the thresholds below which a figure turns amber and red (whole percentages), and the weight
    of the measure in the side's overall score. Typed by the organization's admin on the
    scorecard-targets page; a measure without a row uses the defaults in code (`targets`)."""

    organization = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT, related_name="+")
    measure = models.CharField(max_length=40)
    target = models.PositiveSmallIntegerField(help_text="Percent.")
    amber = models.PositiveSmallIntegerField(help_text="Percent: below it, amber.")
    red = models.PositiveSmallIntegerField(help_text="Percent: below it, red.")
    weight = models.PositiveSmallIntegerField()
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "measure"], name="organization_target_once"),
            models.CheckConstraint(
                condition=models.Q(
                    red__lte=models.F("amber"), amber__lte=models.F("target"), target__lte=100
                ),
                name="organization_target_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure}: target {self.target} %, amber below {self.amber} %, red below {self.red} %"
