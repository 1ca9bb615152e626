"""What the meetings demo says: topics, progress notes, decisions, actions and agendas; which project shows which situation."""

from __future__ import annotations

import datetime

from projects.models import TeamRole

WEEKS_OF_HISTORY = 10
# Minutes go out 20 hours after a call and are confirmed a day later: the latest call shown as
# held is at least this old.
SETTLED = datetime.timedelta(days=2)

TOPICS = [
    "the engineering batch schedule",
    "analytical method transfer",
    "raw material lead times",
    "the deviation raised on the last batch",
    "3-month stability results",
    "the tech transfer package",
    "sterile filter validation",
    "the certificate of analysis template",
    "cleaning validation for the shared suite",
    "the impurity profile of the latest lot",
    "cold-chain shipping for the clinical supply",
    "the batch record review cycle",
]
PROGRESS = [
    "is on track against the plan agreed last month",
    "slipped by a week because a QC instrument was out of service",
    "finished early; the report is in QA review",
    "is waiting for the sponsor's comments on the draft protocol",
    "needs one more development run before the GMP slot",
]
DECISIONS = [
    "Proceed with the engineering batch at 200 L scale in the reserved slot.",
    "Use the qualified second supplier for the chromatography resin to protect the timeline.",
    "Approve version 2 of the stability protocol; pulls start at the next time point.",
    "Hold the GMP slot until the method transfer report is signed by both QA teams.",
    "Extend the hold-time study to 72 hours before locking the process description.",
    "Ship the reference standard on dry ice with a temperature logger.",
    "Keep the weekly call at the current time; governance topics move to the steering committee.",
]
ACTIONS = [
    ("Send the updated batch record template for sponsor review", TeamRole.PROJECT_MANAGER),
    ("Share the 3-month stability data package", TeamRole.SME),
    ("Confirm the shipping temperature range with the clinical depot", TeamRole.SPONSOR_LEAD),
    ("Review and sign the method transfer protocol", TeamRole.SPONSOR_LEAD),
    ("Book the QA walkthrough of the filling line", TeamRole.PROJECT_MANAGER),
    ("Provide a revised timeline with the new resin lead time", TeamRole.PROJECT_MANAGER),
    ("Circulate the deviation investigation report", TeamRole.SME),
    ("Confirm the budget for the extra engineering run", TeamRole.DECISION_MAKER),
    ("Send comments on the draft specification", TeamRole.SPONSOR_MEMBER),
]
GOVERNANCE_DECISIONS = [
    "Approve change order CO-07 for the additional engineering run.",
    "Keep the GMP campaign start date; revisit in four weeks if the resin is late.",
    "Escalation path agreed: PM to sponsor lead within 24 hours, then to the steering committee.",
]
WEEKLY_AGENDA = [
    ("Actions from last call", TeamRole.PROJECT_MANAGER, 10),
    ("Manufacturing and QC progress", TeamRole.SME, 20),
    ("Risks, deviations and open questions", TeamRole.PROJECT_MANAGER, 15),
    ("Sponsor topics", TeamRole.SPONSOR_LEAD, 10),
    ("Next steps and confirmation of actions", TeamRole.PROJECT_MANAGER, 5),
]
GOVERNANCE_AGENDA = [
    ("Programme status against baseline (schedule, budget, quality, supply)", TeamRole.PROJECT_MANAGER, 20),
    ("Change orders and budget", TeamRole.PROJECT_MANAGER, 15),
    ("Relationship review: what works, what does not", TeamRole.SPONSOR_LEAD, 15),
    ("Decisions needed from the sponsor", TeamRole.DECISION_MAKER, 10),
]

# Which project shows which situation (codes of the demo world).
AWAITING_CONFIRMATION = {"ACM-101", "KST-415", "ACM-114"}
CORRECTION_REQUESTED = "NRD-310"
MINUTES_IN_DRAFT = "HLX-207"
DECISION_MAKER_STOPPED_COMING = "ACM-101"
