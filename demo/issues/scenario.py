"""A demo service-issue story: raised some hours ago, then steps in business hours after raising."""

from __future__ import annotations

from dataclasses import dataclass, field

from issues.models import Category, Severity
from projects.models import TeamRole

C, S = Category, Severity


@dataclass
class Scenario:
    project: str
    hours_ago: float  # calendar hours before now when the issue was raised
    severity: str
    category: str
    title: str
    description: str
    desired_outcome: str
    impact: str = ""
    raiser: str = TeamRole.SPONSOR_LEAD
    # (business hours after raising, step, details)
    steps: list[tuple[float, str, dict]] = field(default_factory=list)
