"""Service issues across the rest of the portfolio: breached, escalated, reopened, resolved."""

from __future__ import annotations

from demo.issues.scenario import C, S, Scenario
from projects.models import TeamRole

PORTFOLIO = [
    Scenario(
        "HLX-207",
        6 * 24,
        S.CRITICAL,
        C.QUALITY,
        "Out-of-spec impurity result for batch HX-0417 communicated nine days late",
        "Batch HX-0417 failed the specification for impurity B (0.31% against 0.15%). The result was available on the 3rd; we heard on the 12th, and only because we asked.",
        "The full OOS investigation report, and a commitment that OOS results reach us within 24 hours.",
        impact="HX-0417 was planned for the toxicology study; the study start is now at risk.",
        steps=[
            (4.05, "sweep", {}),
            (8.05, "sweep", {}),
            (
                9,
                "internal",
                {
                    "by": TeamRole.SME,
                    "text": "Internal: the investigation owner is out sick; Kevin is covering. Phase 1 of the OOS investigation is done, report not yet reviewed by QA.",
                },
            ),
            (
                10,
                "note",
                {
                    "by": TeamRole.SPONSOR_LEAD,
                    "text": "We have now asked three times. Our CMC committee meets on Thursday and needs the investigation status.",
                },
            ),
        ],
    ),
    Scenario(
        "HLX-207",
        60 * 24,
        S.MAJOR,
        C.RESPONSIVENESS,
        "Questions on the impurity method went unanswered for a week",
        "Five questions on the impurity method sent on the 4th were answered on the 11th, after two reminders.",
        "Answers within the agreed two business days.",
        steps=[
            (2, "ack", {}),
            (
                10,
                "plan",
                {
                    "steps": "1. Questions tracked in the portal with the agreed response time.\n2. Dr. Patel named as the analytical contact.",
                    "target_days": 10,
                },
            ),
            (12, "accept", {}),
            (
                60,
                "resolve",
                {"summary": "All open questions answered; three weeks of answers within two business days."},
            ),
            (64, "close", {}),
        ],
    ),
    Scenario(
        "NRD-322",
        15 * 24,
        S.MAJOR,
        C.SCHEDULE,
        "Tech-transfer kickoff moved twice without notice",
        "The tech-transfer kickoff was moved from the 2nd to the 9th and then to the 16th. Both times we heard from our own travel team, not from Northbridge.",
        "A firm kickoff date and notice of any schedule change before it is made.",
        raiser=TeamRole.DECISION_MAKER,
        steps=[
            (8.1, "sweep", {}),
            (
                10,
                "ack",
                {
                    "note": "Apologies: the acknowledgement was late and so were both notices. The kickoff is confirmed for the 16th."
                },
            ),
            (
                20,
                "plan",
                {
                    "steps": "1. Kickoff fixed for the 16th with the full team.\n2. Any schedule change goes to the sponsor lead and decision-maker before it is made.\n3. Project manager named as single point of contact.",
                    "target_days": 9,
                },
            ),
            (24, "accept", {"note": "Accepted. Please also name the point of contact in the portal."}),
        ],
    ),
    Scenario(
        "NRD-322",
        6 * 24,
        S.MINOR,
        C.COMMUNICATION,
        "Meeting minutes arrive without action owners",
        "The minutes of the last three weekly calls list actions but no owners or due dates.",
        "Minutes with an owner and a due date for every action, within two business days.",
        steps=[
            (2, "ack", {}),
            (
                10,
                "plan",
                {"steps": "We will add owners to the action items in future minutes.", "target_days": 7},
            ),
            (
                14,
                "send_back",
                {
                    "note": "The plan does not say when minutes will arrive or that due dates will be set. We need both, within two business days of each call."
                },
            ),
        ],
    ),
    Scenario(
        "KST-401",
        25 * 24,
        S.MINOR,
        C.ACCESS_TO_EXPERTS,
        "Site visit request for the CAR-T suite unanswered",
        "We asked to visit the CAR-T suite before the engineering runs. No answer after a week.",
        "A visit date before the first engineering run.",
        steps=[
            (1, "ack", {"note": "Sorry, the request went to a shared inbox. Dr. Schulz will host you."}),
            (
                4,
                "plan",
                {
                    "owner": TeamRole.SME,
                    "steps": "1. Visit on the 14th, 10:00–15:00, with gowning training.\n2. Dr. Schulz walks you through the suite and the process.",
                    "target_days": 12,
                },
            ),
            (5, "accept", {}),
            (
                70,
                "resolve",
                {"summary": "Visit held on the 14th; questions from the visit answered in writing."},
            ),
            (72, "close", {"note": "An excellent visit."}),
            (
                73,
                "kudos",
                {
                    "note": "Dr. Schulz gave us a superb tour and answered every question on the spot. Exactly the access we hoped for."
                },
            ),
        ],
    ),
    Scenario(
        "KST-415",
        2 * 24,
        S.MAJOR,
        C.SCHEDULE,
        "Fill-finish slot moved to Q3 without discussion",
        "Our fill-finish slot moved from May to Q3 in the latest update, with no explanation and no discussion.",
        "The May slot back, or a credible alternative agreed with us before anything else is booked.",
        impact="A Q3 fill puts the Phase 2 first-patient date at risk by a full quarter.",
        raiser=TeamRole.DECISION_MAKER,
        steps=[
            (1, "ack", {"note": "Looking into this with our scheduling team now."}),
            (
                2,
                "escalate",
                {
                    "reason": "Moving the slot puts our Phase 2 start at risk by a quarter. We need Cascade management involved now, not after the plan."
                },
            ),
        ],
    ),
    Scenario(
        "ACM-087",
        90 * 24,
        S.MINOR,
        C.DOCUMENTATION,
        "Annual product review delivered without the stability trend charts",
        "The annual product review arrived without the stability trend charts required by the quality agreement.",
        "The complete APR with charts.",
        steps=[
            (3, "ack", {}),
            (12, "plan", {"steps": "Add the trend charts and reissue the APR.", "target_days": 7}),
            (14, "accept", {}),
            (40, "resolve", {"summary": "APR reissued with the charts."}),
            (41, "close", {}),
        ],
    ),
    Scenario(
        "ACM-087",
        50 * 24,
        S.MAJOR,
        C.SCHEDULE,
        "Commercial lot 25-031 shipped two weeks late",
        "Lot 25-031 shipped on the 20th instead of the 6th; we were told on the 19th.",
        "Earlier notice of slips and a plan to recover the next two lots.",
        steps=[
            (6, "ack", {}),
            (
                30,
                "plan",
                {
                    "steps": "1. Weekly supply forecast to the sponsor.\n2. Lots 25-032 and 25-033 brought forward by a week.",
                    "target_days": 30,
                },
            ),
            (32, "accept", {}),
            (200, "resolve", {"summary": "Both lots shipped on time; weekly forecast running."}),
            (202, "close", {}),
        ],
    ),
    Scenario(
        "HLX-201",
        35 * 24,
        S.MINOR,
        C.COMMUNICATION,
        "Cell-line development updates skip the titre data",
        "The last two updates said 'titre on track' without numbers.",
        "The titre numbers for each clone in every update.",
        steps=[
            (2, "ack", {}),
            (
                6,
                "plan",
                {
                    "steps": "Titre table for each clone added to the weekly update template.",
                    "target_days": 7,
                },
            ),
            (7, "accept", {}),
            (30, "resolve", {"summary": "Titre table in every update since week 41."}),
            (31, "close", {}),
        ],
    ),
]
