"""The red-flag rules. Each finds every current case with a few set-based queries.

A rule never loops over projects with a query each: it asks the database for
all the rows that break the rule right now (over stored, indexed deadlines such
as `next_update_due` or `respond_by`) and returns findings. The sweep compares
the findings with the open flags and raises, refreshes or clears in bulk.

Rules are grouped by the domain they watch (projects, meetings, issues, requests, agreements); `RULES` is the order the
sweep runs them in.
"""

from __future__ import annotations

from .agreements import EscalationContactLeftRule, GovernanceRhythmMissedRule
from .base import (
    MILESTONE_SLIP_CRITICAL_DAYS,
    MILESTONE_SLIP_THRESHOLD_DAYS,
    UPDATE_GRACE_DAYS,
    Finding,
    Rule,
)
from .issues import IssueAcknowledgeBreachRule, IssuePlanBreachRule
from .meetings import (
    MINUTES_BUSINESS_DAYS,
    ActionItemOverdueRule,
    DecisionMakerAbsentRule,
    GovernanceWithoutDecisionMakerRule,
    MinutesNotConfirmedRule,
    MinutesNotSentRule,
)
from .projects import (
    MilestonePastDueRule,
    MilestoneSlipRule,
    NoCDMOContactRule,
    NoDecisionMakerRule,
    NoSponsorContactRule,
    QuestionUnansweredRule,
    StaleUpdateRule,
)
from .requests import REQUEST_CRITICAL_AFTER_DAYS, ChangePastNeededByRule, DecisionPastNeededByRule

__all__ = [
    "MILESTONE_SLIP_CRITICAL_DAYS",
    "MILESTONE_SLIP_THRESHOLD_DAYS",
    "MINUTES_BUSINESS_DAYS",
    "REQUEST_CRITICAL_AFTER_DAYS",
    "RULES",
    "UPDATE_GRACE_DAYS",
    "Finding",
    "Rule",
]

RULES: list[Rule] = [
    StaleUpdateRule(),
    QuestionUnansweredRule(),
    NoDecisionMakerRule(),
    NoSponsorContactRule(),
    NoCDMOContactRule(),
    MilestoneSlipRule(),
    MilestonePastDueRule(),
    GovernanceWithoutDecisionMakerRule(),
    DecisionMakerAbsentRule(),
    MinutesNotSentRule(),
    MinutesNotConfirmedRule(),
    ActionItemOverdueRule(),
    IssueAcknowledgeBreachRule(),
    IssuePlanBreachRule(),
    ChangePastNeededByRule(),
    DecisionPastNeededByRule(),
    GovernanceRhythmMissedRule(),
    EscalationContactLeftRule(),
]
