"""The demo projects' working agreements: drafted by the CDMO project manager at kickoff and signed
by both leads (the CDMO's that day, the sponsor's the next), replayed through the same services and
the signing service, so each demo project has a version in force with its two signatures. One of them
(`SCORECARD_TERMS_PROJECT`) also agrees an on-time tolerance, an on-time target and a longer
notice of a slip."""

from __future__ import annotations

import datetime as dt

from demo.common import DEMO_PASSWORD, at_local, replayed
from portal.core import clock
from portal.signatures.models import Meaning
from portal.signatures.services import SigningRefused, sign
from projects import services
from projects.models import DEFAULT_RESPONSE_HOURS, Project
from projects.selectors import access_for

from .team import Team

ESCALATION = (
    "Raise it with the other side's escalation contact by phone or email; they answer within one "
    "business day. If it is not settled within five business days, it goes to the next governance meeting."
)


# The flagship agreed scorecard terms of its own at kickoff: milestones done within 3 calendar days
# of their baseline count as on time, a stricter on-time target than the sponsor's default, and
# slips announced 21 calendar days ahead rather than 14 (the Health tab says "agreed in the
# working agreement v1").
SCORECARD_TERMS_PROJECT = "ACM-101"
SCORECARD_TERMS = {
    "on_time_tolerance_days": 3,
    "scorecard_targets": {"on_time": [92, 85, 70]},
    "slip_notice_days": 21,
}


def _sign(user, agreement, project: Project) -> None:
    sign(
        user=user,
        session={},
        action="projects.agreement_sign",
        record=agreement,
        meaning=Meaning.AGREED,
        password=DEMO_PASSWORD,
        perform=lambda: services.agreement_sign(
            access=access_for(user=user, project=project), agreement=agreement
        ),
    )


def seed_agreement(project: Project, team: Team) -> None:
    kickoff = at_local(project.start_date, 10, 0, project.cdmo.time_zone)
    if kickoff + dt.timedelta(days=1) > clock.now():
        return  # a kickoff still ahead: nothing is signed yet
    terms = services.AgreementTerms(
        update_cadence_days=project.update_cadence_days,
        question_response_days=project.question_response_days,
        response_hours={severity.value: list(hours) for severity, hours in DEFAULT_RESPONSE_HOURS.items()},
        governance_every_weeks=13,  # the demo meets quarterly (demo/meetings: "Quarterly steering committee")
        governance_forum="Quarterly steering committee, video call",
        sponsor_escalation=team.dm or team.lead,
        cdmo_escalation=team.pm,
        escalation_steps=ESCALATION,
        **(SCORECARD_TERMS if project.code == SCORECARD_TERMS_PROJECT else {}),
    )
    try:
        with replayed(kickoff):
            draft = services.agreement_draft(access=access_for(user=team.pm, project=project), terms=terms)
            _sign(team.pm, draft, project)
        with replayed(kickoff + dt.timedelta(days=1)):
            _sign(team.lead, draft, project)
    except SigningRefused:
        return  # a demo person who signs with an authenticator code: left for them to sign
