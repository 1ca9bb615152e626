"""Demo service issues: every state, some within the agreed times, some breached and escalated.

Each scenario is a story told in business hours after the issue was raised.
All steps of all scenarios are replayed in time order through the real
services (with `now=` the moment the step happened and no emails), and the
monitoring sweep runs at the moments a deadline passed, so breaches and
escalations are exactly what the portal would have recorded.

Idempotent: a scenario whose issue already exists on its project is skipped.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from issues import services
from issues.models import Category, PlanStatus, ServiceIssue, Severity
from issues.recognition import Target, credited_person
from projects.models import Project, ProjectMember, Side, TeamRole
from projects.selectors import access_for

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


SCENARIOS = [
    Scenario(
        "ACM-101",
        40 * 24,
        S.MINOR,
        C.COMMUNICATION,
        "Weekly update arrived three days late, twice in a row",
        "The weekly updates for weeks 36 and 37 arrived on Monday instead of Thursday. Nobody told us they would be late.",
        "Updates every Thursday as agreed, or a short note when one will slip.",
        impact="Our Friday steering committee ran twice without current status.",
        steps=[
            (
                1.5,
                "ack",
                {
                    "note": "Sorry about this. Our reporting lead was out; I am taking over the weekly update myself from this week."
                },
            ),
            (
                5,
                "plan",
                {
                    "steps": "1. Lena publishes the update every Thursday by 15:00 CET.\n2. Jonas Weber is named back-up and has access.\n3. If an update will be late, the sponsor lead hears by Wednesday noon.",
                    "target_days": 21,
                },
            ),
            (7, "accept", {"note": "Works for us. Thank you."}),
            (
                112,
                "resolve",
                {
                    "summary": "Updates published on time for three consecutive weeks; back-up in place and tested."
                },
            ),
            (116, "close", {"note": "Confirmed: three on time in a row."}),
            (
                117,
                "kudos",
                {
                    "note": "Lena turned this around within a day and the updates have been on time ever since. Thank you!"
                },
            ),
        ],
    ),
    Scenario(
        "ACM-101",
        12 * 24,
        S.MAJOR,
        C.DOCUMENTATION,
        "Certificate of analysis for engineering batch EB-02 still missing",
        "EB-02 was released internally three weeks ago but we still have no CoA. We asked twice in the weekly call.",
        "The signed CoA, and a date we can rely on for EB-03.",
        impact="Our stability protocol cannot start without the CoA; the IND timeline has no slack left.",
        steps=[
            (3, "ack", {"note": "Acknowledged. QA is looking into why the CoA is held."}),
            (
                4,
                "internal",
                {
                    "by": "cdmo_member",
                    "text": "Internal: QA release of EB-02 is blocked by the open OOT investigation INV-118. Do not commit to a date before Friday.",
                },
            ),
            (
                12,
                "plan",
                {
                    "owner": TeamRole.SME,
                    "steps": "1. Close INV-118 (root cause identified, report in review).\n2. QA signs the CoA within two days of closure.\n3. EB-03 CoA issued with the batch record, no separate request needed.",
                    "target_days": 10,
                },
            ),
            (16, "accept", {"note": "Accepted. Please send the draft CoA as soon as QA signs."}),
            (
                20,
                "note",
                {
                    "by": TeamRole.PROJECT_MANAGER,
                    "text": "Draft CoA is with QA for review; on track for the target date.",
                },
            ),
        ],
    ),
    Scenario(
        "ACM-101",
        5 * 24,
        S.MAJOR,
        C.ACCESS_TO_EXPERTS,
        "No access to the process development lead before the tech-transfer review",
        "We asked for a call with the process development lead to go through the scale-up data before the tech-transfer review. Two weeks on, no slot.",
        "A call with the process development lead before the review on the 28th.",
        steps=[
            (1, "ack", {"note": "Dr. Schulz is on a site visit until Wednesday; I will set up the call."}),
            (
                6,
                "plan",
                {
                    "owner": TeamRole.SME,
                    "steps": "1. 60-minute call with Dr. Schulz on Thursday, 16:00 CET.\n2. Written answers to your eleven questions by Friday.\n3. Dr. Schulz joins the tech-transfer review in person.",
                    "target_days": 6,
                },
            ),
        ],
    ),
    Scenario(
        "ACM-101",
        0.75,
        S.CRITICAL,
        C.QUALITY,
        "Deviation DEV-2231 notified nine days after it occurred",
        "We learned of deviation DEV-2231 (temperature excursion in the cold room holding drug substance lot 23-117) from a batch record, nine days after it happened. Our quality agreement requires notice within 24 hours.",
        "Immediate written notice of the excursion and its impact assessment; a plan so significant deviations reach us within 24 hours.",
        impact="Lot 23-117 is earmarked for the Phase 2 clinical supply; a quality-agreement breach has to be reported to our QA head.",
    ),
    Scenario(
        "ACM-101",
        20 * 24,
        S.MINOR,
        C.DOCUMENTATION,
        "Batch record review comments returned only in German",
        "The comments on our batch record review came back in German only. Our reviewers could not act on them.",
        "Comments in English, as agreed in the quality agreement.",
        steps=[
            (2, "ack", {}),
            (
                8,
                "plan",
                {
                    "steps": "1. Translate the 34 open comments.\n2. Make English the default language for all sponsor-facing reviews.",
                    "target_days": 5,
                },
            ),
            (10, "accept", {}),
            (
                60,
                "resolve",
                {
                    "summary": "All 34 comments translated and resent; English is now the default for your reviews."
                },
            ),
        ],
    ),
    Scenario(
        "ACM-114",
        30 * 24,
        S.MAJOR,
        C.QUALITY,
        "Dissolution method transfer: results not reproducible at our lab",
        "The transferred dissolution method gives 8–12% lower release at 30 minutes in our lab than in Cascade's report.",
        "A joint investigation and a method both labs can run with the same results.",
        impact="We cannot release the Phase 1 tablets until the method is aligned.",
        steps=[
            (4, "ack", {"note": "Understood; our analytical lead will compare the raw data with yours."}),
            (
                20,
                "plan",
                {
                    "owner": TeamRole.SME,
                    "steps": "1. Exchange raw data and equipment qualification records.\n2. Side-by-side run on the same lot.\n3. Update the method with the root cause.",
                    "target_days": 14,
                },
            ),
            (22, "accept", {}),
            (
                100,
                "resolve",
                {
                    "summary": "Root cause: paddle height tolerance differed between labs. Method updated to 25 ± 1 mm; side-by-side results now agree within 2%."
                },
            ),
            (104, "close", {"note": "Confirmed on our side."}),
            (
                150,
                "reopen",
                {
                    "reason": "The new lot 24-003 shows the same 9% gap at 30 minutes with the updated method. The paddle height was not the whole story."
                },
            ),
        ],
    ),
    Scenario(
        "ACM-114",
        3,
        S.MINOR,
        C.ADVERTISED_VS_DELIVERED,
        "Invoice lists analytical work packages that were not delivered",
        "Invoice 2026-0412 charges for forced-degradation studies WP-7 and WP-8. We have no reports for either.",
        "A corrected invoice, or the two reports.",
        raiser=TeamRole.SPONSOR_MEMBER,
    ),
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


def _person(project: Project, role: str):
    member = (
        ProjectMember.objects.filter(project=project, role=role, removed_at__isnull=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if member is None and role in (TeamRole.SPONSOR_MEMBER, TeamRole.DECISION_MAKER):
        return _person(project, TeamRole.SPONSOR_LEAD)
    if member is None and role in (TeamRole.SME, "cdmo_member"):
        return _person(project, TeamRole.PROJECT_MANAGER)
    return member.user if member else None


def _cdmo_person(project: Project, role: str):
    if role == "cdmo_member":
        member = (
            ProjectMember.objects.filter(
                project=project, side=Side.CDMO, role=TeamRole.CDMO_MEMBER, removed_at__isnull=True
            )
            .select_related("user")
            .first()
        )
        return member.user if member else _person(project, TeamRole.PROJECT_MANAGER)
    return _person(project, role)


def _access(project: Project, user):
    return access_for(user=user, project=project)


def seed(world) -> None:
    now = timezone.now()
    projects = {
        p.code: p
        for p in Project.objects.filter(code__in={s.project for s in SCENARIOS}).select_related(
            "sponsor", "cdmo"
        )
    }
    timeline: list[tuple[dt.datetime, int, int, str, dict]] = []
    raises: list[tuple[dt.datetime, int]] = []
    for index, scenario in enumerate(SCENARIOS):
        project = projects.get(scenario.project)
        if project is None or ServiceIssue.objects.filter(project=project, title=scenario.title).exists():
            continue
        raised_at = now - dt.timedelta(hours=scenario.hours_ago)
        raises.append((raised_at, index))
        calendar = services.calendar_for(project)
        for order, (hours, step, details) in enumerate(scenario.steps):
            at = calendar.add_business_hours(raised_at, hours)
            if at >= now:
                break  # the story has not got this far yet
            timeline.append((at, index, order, step, details))

    events = [(at, index, -1, "raise", {}) for at, index in raises] + timeline
    issues: dict[int, ServiceIssue] = {}
    for at, index, _, step, details in sorted(events, key=lambda e: (e[0], e[1], e[2])):
        scenario = SCENARIOS[index]
        project = projects[scenario.project]
        if step == "raise":
            raiser = _person(project, scenario.raiser)
            issues[index] = services.issue_raise(
                access=_access(project, raiser),
                category=scenario.category,
                severity=scenario.severity,
                title=scenario.title,
                description=scenario.description,
                impact=scenario.impact,
                desired_outcome=scenario.desired_outcome,
                now=at,
                notify=False,
            )
            continue
        if step == "sweep":
            services.issue_mark_breaches(now=at, notify=False)
            continue
        issue = ServiceIssue.objects.get(pk=issues[index].pk)
        _play(step, details, issue=issue, project=project, at=at)

    # The monitor would have swept up to now: anything overdue is recorded.
    services.issue_mark_breaches(now=now, notify=False)


def _play(step: str, details: dict, *, issue: ServiceIssue, project: Project, at: dt.datetime) -> None:
    pm = _person(project, TeamRole.PROJECT_MANAGER)
    lead = _person(project, TeamRole.SPONSOR_LEAD)
    decider = _person(project, TeamRole.DECISION_MAKER) if issue.raised_by_id != lead.pk else lead
    if step == "ack":
        services.issue_acknowledge(
            access=_access(project, pm), issue=issue, note=details.get("note", ""), now=at, notify=False
        )
    elif step == "plan":
        owner = _person(project, details.get("owner", TeamRole.PROJECT_MANAGER))
        target = (at + dt.timedelta(days=details["target_days"])).date()
        while target.weekday() >= 5:  # targets land on working days
            target += dt.timedelta(days=1)
        services.issue_propose_plan(
            access=_access(project, pm),
            issue=issue,
            owner=owner,
            steps=details["steps"],
            target_date=target,
            now=at,
            notify=False,
        )
    elif step in ("accept", "send_back"):
        plan = issue.plans.get(status=PlanStatus.PROPOSED)
        if step == "accept":
            services.issue_accept_plan(
                access=_access(project, lead),
                issue=issue,
                plan=plan,
                note=details.get("note", ""),
                now=at,
                notify=False,
            )
        else:
            services.issue_send_back_plan(
                access=_access(project, lead),
                issue=issue,
                plan=plan,
                note=details["note"],
                now=at,
                notify=False,
            )
    elif step == "resolve":
        services.issue_resolve(
            access=_access(project, pm), issue=issue, summary=details["summary"], now=at, notify=False
        )
    elif step == "close":
        services.issue_confirm_closed(
            access=_access(project, lead), issue=issue, note=details.get("note", ""), now=at, notify=False
        )
    elif step == "reopen":
        services.issue_reopen(
            access=_access(project, lead), issue=issue, reason=details["reason"], now=at, notify=False
        )
    elif step == "escalate":
        services.issue_escalate(issue=issue, reason=details["reason"], actor=decider, now=at, notify=False)
    elif step in ("note", "internal"):
        author = _cdmo_person(project, details.get("by", TeamRole.PROJECT_MANAGER))
        services.issue_add_note(
            access=_access(project, author),
            issue=issue,
            text=details["text"],
            internal=step == "internal",
            now=at,
            notify=False,
        )
    elif step == "kudos":
        target = Target(label="issues.serviceissue", obj=issue)
        services.recognition_give(
            access=_access(project, lead),
            target=target,
            recipient=credited_person(target, cdmo_id=project.cdmo_id),
            note=details["note"],
            now=at,
            notify=False,
        )
    else:  # pragma: no cover - a typo in a scenario
        raise ValueError(f"Unknown demo step {step!r}")
