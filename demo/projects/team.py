"""The people a demo project story needs: its project manager, sponsor lead, decision-maker and expert."""

from __future__ import annotations

from dataclasses import dataclass

from projects.models import (
    Project,
    ProjectMember,
    TeamRole,
)


@dataclass
class Team:
    pm: object
    lead: object
    dm: object | None
    sme: object | None


def team_of(project: Project) -> Team | None:
    members = {
        m.role: m.user
        for m in ProjectMember.objects.filter(project=project, removed_at__isnull=True).select_related("user")
    }
    pm, lead = members.get(TeamRole.PROJECT_MANAGER), members.get(TeamRole.SPONSOR_LEAD)
    if pm is None or lead is None:
        return None
    return Team(pm=pm, lead=lead, dm=members.get(TeamRole.DECISION_MAKER), sme=members.get(TeamRole.SME))
