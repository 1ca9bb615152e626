"""What each resource looks like in JSON (and so in the OpenAPI schema). Ids are the rows'
own, stable for their life; related objects appear as their ids (`project`, `meeting`...)."""

from __future__ import annotations

import datetime as dt
from typing import Generic, TypeVar

from ninja import Field, ModelSchema, Schema

from issues.models import IssueEvent, ServiceIssue
from meetings.models import ActionItem, Meeting
from oversight.monitoring.models import Flag
from oversight.scorecards.models import ProjectFigure
from projects.models import (
    ChangeRequest,
    DecisionRequest,
    Milestone,
    MilestoneBaseline,
    Project,
    StatusUpdate,
)

T = TypeVar("T")


class Page(Schema, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(None, description="Pass as `cursor` for the next page; null on the last.")


class Error(Schema):
    detail: str


class ProjectOut(ModelSchema):
    sponsor_name: str = Field(..., alias="sponsor.name")
    cdmo_name: str = Field(..., alias="cdmo.name")

    class Meta:
        model = Project
        fields = [
            "id", "code", "name", "description", "sponsor", "cdmo", "modality", "phase", "status",
            "start_date", "update_cadence_days", "next_update_due", "last_update_published_at",
            "proposal_status", "created_at", "updated_at",
        ]  # fmt: skip


class BaselineOut(ModelSchema):
    class Meta:
        model = MilestoneBaseline
        fields = ["baseline_date", "set_at", "change_request"]


class MilestoneOut(ModelSchema):
    baselines: list[BaselineOut] = Field(..., description="Every baseline it has had, oldest first.")

    class Meta:
        model = Milestone
        fields = [
            "id", "project", "kind", "title", "baseline_date", "forecast_date", "actual_date", "status",
            "notes", "created_at", "updated_at",
        ]  # fmt: skip


class StatusUpdateOut(ModelSchema):
    class Meta:
        model = StatusUpdate
        fields = [
            "id", "project", "title", "period_start", "period_end", "overall_rag", "schedule_rag",
            "budget_rag", "quality_rag", "supply_rag", "summary", "progress", "next_steps", "risks",
            "decisions_needed", "status", "revision_of", "original", "revision_number",
            "correction_reason", "published_at", "updated_at",
        ]  # fmt: skip


class DecisionOut(ModelSchema):
    class Meta:
        model = DecisionRequest
        fields = [
            "id", "project", "update", "title", "needed_by", "status", "raised_at", "replaces",
            "decided_at", "decision_note", "recommendation", "outcome", "approved_option",
            "withdrawn_at", "withdrawn_reason",
        ]  # fmt: skip


class ChangeRequestOut(ModelSchema):
    class Meta:
        model = ChangeRequest
        fields = [
            "id", "project", "raised_by_side", "raised_at", "title", "what", "why", "needed_by",
            "recommendation", "status", "decided_at", "decision_reason", "approved_option", "revision",
        ]  # fmt: skip


class MeetingOut(ModelSchema):
    minutes_summary: str = Field("", description="The minutes' summary, once the minutes were sent.")
    minutes_next_steps: str = Field("", description="The minutes' next steps, once sent.")

    class Meta:
        model = Meeting
        fields = [
            "id", "project", "kind", "title", "starts_at", "duration_minutes", "organizer_side",
            "organizer_time_zone", "location", "status", "held_at", "minutes_sent_at",
            "minutes_confirmed_at", "cancelled_at", "created_at", "updated_at",
        ]  # fmt: skip

    @staticmethod
    def resolve_minutes_summary(meeting: Meeting) -> str:
        return meeting.summary if meeting.minutes_sent_at else ""

    @staticmethod
    def resolve_minutes_next_steps(meeting: Meeting) -> str:
        return meeting.next_steps if meeting.minutes_sent_at else ""


class ActionItemOut(ModelSchema):
    class Meta:
        model = ActionItem
        fields = [
            "id",
            "project",
            "meeting",
            "title",
            "owner",
            "due_date",
            "status",
            "completed_at",
            "created_at",
        ]


class ServiceIssueOut(ModelSchema):
    class Meta:
        model = ServiceIssue
        fields = [
            "id", "project", "category", "severity", "title", "description", "impact",
            "desired_outcome", "status", "raised_at", "acknowledge_within_hours", "plan_within_hours",
            "acknowledge_by", "plan_by", "acknowledged_at", "plan_proposed_at",
            "first_plan_proposed_at", "acknowledge_breached_at", "plan_breached_at",
            "plan_breach_count", "hours_to_acknowledge", "hours_to_first_plan", "escalation_level",
            "escalated_at", "resolution_summary", "resolved_at", "closed_at", "reopened_count",
            "updated_at",
        ]  # fmt: skip


class IssueEventOut(ModelSchema):
    class Meta:
        model = IssueEvent
        fields = ["id", "kind", "at", "summary", "note"]


class ServiceIssueDetailOut(ServiceIssueOut):
    timeline: list[IssueEventOut] = Field(
        ..., alias="visible_timeline", description="Oldest first; CDMO-internal notes only for a CDMO."
    )


class FlagOut(ModelSchema):
    subject_type: str = Field(..., description="What the flag is about, e.g. `projects.milestone`.")

    class Meta:
        model = Flag
        fields = ["id", "project", "kind", "subject_id", "severity", "explanation", "raised_at", "cleared_at"]

    @staticmethod
    def resolve_subject_type(flag: Flag) -> str:
        return f"{flag.subject_type.app_label}.{flag.subject_type.model}"


class ScorecardFigureOut(ModelSchema):
    quarter_label: str

    class Meta:
        model = ProjectFigure
        fields = ["id", "project", "measure", "quarter", "n", "kept", "computed_at"]

    @staticmethod
    def resolve_quarter_label(figure: ProjectFigure) -> str:
        return figure.period.label


class ListFilters(Schema):
    project: int | None = Field(None, description="Only this project's (its id).")
    status: str | None = Field(None, description="The resource's status value (flags: open or cleared).")
    updated_since: dt.datetime | None = Field(None, description="Changed at or after (ISO 8601).")
    cursor: str | None = None
    limit: int = Field(100, ge=1, le=100)
