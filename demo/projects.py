"""Demo milestones and months of status updates for the demo projects. Idempotent.

Everything is written with its historical timestamps (published last March,
acknowledged two days later...), so rows are inserted directly rather than
through the services, which stamp "now" and send emails. The content comes from
a small library of realistic CMC sentences per modality; a seeded random
generator per project keeps every run identical.

What the demo shows: mostly green updates with amber and red episodes, a
corrected update with its diff, milestones with slips and their reasons,
questions answered fast and slow, two still open (one overdue), decisions
open and decided, acknowledgements on most updates, one stale project (last
update 20+ days ago) and a draft in progress.
"""

from __future__ import annotations

import datetime
import random
import zoneinfo
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from portal.core.business_time import BusinessCalendar
from projects.models import (
    RAG,
    AttachmentType,
    CommentKind,
    DecisionRequest,
    DecisionStatus,
    Milestone,
    MilestoneForecastChange,
    MilestoneKind,
    MilestoneStatus,
    Modality,
    Project,
    ProjectMember,
    ProjectStatus,
    StatusUpdate,
    TeamRole,
    UpdateAcknowledgement,
    UpdateAttachment,
    UpdateComment,
    UpdateStatus,
)

HISTORY_WEEKS = 26  # at most half a year of updates per project
STALE_PROJECT = "HLX-207"  # its last update is 3+ weeks old: the stale-communication flag has a case
DRAFT_PROJECT = "KST-401"  # the CDMO project manager has a draft in progress
CORRECTED_PROJECT = "ACM-101"  # one update was corrected after publication
OVERDUE_QUESTION_PROJECT = "ACM-101"
OPEN_QUESTION_PROJECT = "NRD-310"

G, A, R = RAG.GREEN, RAG.AMBER, RAG.RED
K = MilestoneKind

# (kind, title, baseline day after the project start)
PLANS = {
    Modality.BIOLOGIC: [
        (K.TECH_TRANSFER, "Tech transfer package received and reviewed", 14),
        (K.TECH_TRANSFER, "Process fit assessment signed off", 42),
        (K.ENGINEERING_BATCH, "Engineering batch EB-01 (200 L)", 84),
        (K.ENGINEERING_BATCH, "Engineering batch EB-02 (2,000 L)", 140),
        (K.GMP_BATCH, "GMP batch GMP-01 (2,000 L)", 210),
        (K.RELEASE, "GMP-01 release and CoA", 252),
        (K.DELIVERY, "Drug substance shipment to fill-finish site", 266),
        (K.REGULATORY_FILING, "IND CMC section 3.2.S draft to sponsor", 294),
        (K.STABILITY_PULL, "GMP-01 stability T3M pull", 343),
    ],
    Modality.SMALL_MOLECULE: [
        (K.TECH_TRANSFER, "Route and analytical methods transferred", 21),
        (K.ENGINEERING_BATCH, "Non-GMP demonstration batch (2 kg)", 63),
        (K.OTHER, "Tablet formulation locked", 98),
        (K.GMP_BATCH, "GMP campaign batch 1 (8 kg API)", 140),
        (K.RELEASE, "Batch 1 release and CoA", 168),
        (K.GMP_BATCH, "GMP tablet batch for Phase 1 supply", 196),
        (K.DELIVERY, "Clinical supply delivered to depot", 224),
        (K.STABILITY_PULL, "Registration stability T6M pull", 330),
        (K.REGULATORY_FILING, "IMPD quality section to sponsor", 250),
    ],
    Modality.PEPTIDE: [
        (K.TECH_TRANSFER, "SPPS process and methods transferred", 21),
        (K.ENGINEERING_BATCH, "Engineering run ER-01 (500 g crude)", 70),
        (K.OTHER, "Lyophilisation cycle development complete", 112),
        (K.GMP_BATCH, "GMP batch PA-01", 161),
        (K.RELEASE, "PA-01 release and CoA", 189),
        (K.DELIVERY, "API delivery to drug-product site", 203),
        (K.REGULATORY_FILING, "Module 3.2.S update for the filing", 245),
        (K.STABILITY_PULL, "PA-01 stability T6M pull", 350),
    ],
    Modality.CELL_GENE: [
        (K.TECH_TRANSFER, "Upstream process transferred", 21),
        (K.OTHER, "ddPCR titre method qualified", 56),
        (K.ENGINEERING_BATCH, "Engineering run ER-01 (50 L)", 77),
        (K.ENGINEERING_BATCH, "Engineering run ER-02 (200 L)", 126),
        (K.GMP_BATCH, "GMP run GMP-01", 189),
        (K.RELEASE, "GMP-01 release (potency assay) and CoA", 231),
        (K.DELIVERY, "Vector delivery to the clinical site", 245),
        (K.STABILITY_PULL, "GMP-01 stability T3M pull", 280),
    ],
}

SLIP_REASONS = [
    "Media lot failed incoming QC; the replacement lot arrives in two weeks.",
    "Bioreactor BR-2000-2 is out of service for its annual requalification.",
    "The sponsor asked for three additional DoE runs on the polishing step.",
    "QC release testing queue: HPLC capacity added from next week.",
    "Single-use bag assemblies delayed by the supplier (allocation).",
    "Deviation DEV-2231 (temperature excursion in cold room 3) must close before the batch starts.",
    "Reference standard requalification took longer than planned.",
    "Customs holiday on the shipping lane; the shipment moves to the following week.",
]
EARLY_REASONS = [
    "An earlier slot freed up on the filling line.",
    "Method transfer finished early; release testing can start sooner.",
]

# Per modality: what a week looks like when things go well.
BEATS = {
    Modality.BIOLOGIC: [
        (
            "Seed train expansion on schedule",
            "Seed train for EB-02 expanded to the N-1 bioreactor; viability 97%, VCD on target.",
        ),
        (
            "EB-02 complete; titre above target",
            "Engineering batch EB-02 completed at 2,000 L; titre 3.1 g/L against a 2.8 g/L target.",
        ),
        (
            "Capture and viral inactivation done",
            "Protein A capture yield 92%; low-pH viral inactivation hold of 60 minutes validated.",
        ),
        (
            "Polishing steps confirmed at scale",
            "CEX and AEX polishing run at scale; HCP below 20 ppm and aggregates at 1.2%.",
        ),
        (
            "Release methods qualified",
            "Potency (cell-based) and SEC methods qualified; the icIEF transfer report is in review.",
        ),
        (
            "GMP-01 batch record approved",
            "Master batch record for GMP-01 approved by QA; the materials are staged and released.",
        ),
        (
            "GMP-01 inoculated",
            "GMP-01 inoculated on schedule; in-process controls are within range on day 5.",
        ),
        ("GMP-01 harvested", "GMP-01 harvested on day 14; titre 3.0 g/L, bioburden and endotoxin clear."),
    ],
    Modality.SMALL_MOLECULE: [
        (
            "Step 3 telescoped successfully",
            "Step 3 telescoped into step 4 at 2 kg scale; isolated yield 81%, purity 99.4% by HPLC.",
        ),
        (
            "Crystallisation controls form",
            "Cooling crystallisation consistently gives Form II; PSD d90 within specification.",
        ),
        ("Demo batch complete", "Non-GMP demonstration batch complete: 2.1 kg API at 99.6% purity."),
        (
            "Residual solvent investigation closed",
            "OOS investigation on residual THF closed; root cause was sampling, not the process.",
        ),
        (
            "Genotoxic impurity purge confirmed",
            "Spiking study confirms purge of the nitroso impurity to below 10% of the TTC.",
        ),
        (
            "Tablet blend uniformity met",
            "Blend uniformity RSD 1.8% on the 5 kg blend; compression trials at 60 rpm successful.",
        ),
        (
            "GMP campaign started",
            "GMP campaign batch 1 started; steps 1 and 2 complete with yields on target.",
        ),
        (
            "Dissolution method validated",
            "The dissolution method was validated; f2 of 68 against the reference batch.",
        ),
    ],
    Modality.PEPTIDE: [
        (
            "SPPS coupling efficiency improved",
            "Double coupling at positions 14 and 22 raised crude purity from 61% to 72%.",
        ),
        (
            "Engineering run ER-01 complete",
            "ER-01 gave 512 g crude peptide; purification yield 38% at 98.7% purity.",
        ),
        (
            "Purification scaled to the 30 cm column",
            "RP-HPLC purification on the 30 cm column matches the lab chromatogram.",
        ),
        (
            "Lyophilisation cycle shortened",
            "The lyophilisation cycle was cut from 72 to 54 hours with no change to moisture (0.8%).",
        ),
        ("Counter-ion exchange verified", "Acetate content 6.2% after counter-ion exchange; TFA below 0.1%."),
        (
            "GMP batch PA-01 on track",
            "PA-01 synthesis complete; cleavage and precipitation done, crude purity 70%.",
        ),
        (
            "Peptide content assay qualified",
            "Peptide content by amino-acid analysis qualified; method transfer report signed.",
        ),
    ],
    Modality.CELL_GENE: [
        (
            "Transfection efficiency on target",
            "Triple transfection at 50 L reached 78% efficiency; harvest titre 1.2e11 vg/mL.",
        ),
        (
            "Full/empty ratio improved",
            "The AEX step was optimised; full capsids rose from 28% to 61% by AUC.",
        ),
        ("ER-01 complete", "Engineering run ER-01 complete; 3.4e15 vg total yield after TFF."),
        ("Potency assay qualified", "The cell-based potency assay was qualified; inter-assay CV 14%."),
        (
            "Vector genome titre method transferred",
            "ddPCR titre method transferred; equivalence with the sponsor's lab shown.",
        ),
        ("ER-02 at 200 L on schedule", "ER-02 at 200 L inoculated; transfection done on day 3 as planned."),
        (
            "Cleanroom suite qualified",
            "Suite 4 requalification passed; environmental monitoring within limits.",
        ),
    ],
}

EPISODES = {
    "schedule": {
        "titles": [
            "Schedule pressure on the next batch",
            "Batch start moved; recovery plan in place",
            "Release testing in parallel to protect the end date",
            "Recovery plan on track; one week of float left",
            "Slip contained; next batch confirmed",
            "Schedule back under control",
        ],
        "summary": "Schedule is amber: {reason} The batch dates move, the end date is protected by running release testing in parallel.",
        "risk": "Schedule: the float to the delivery milestone is down to one week.",
    },
    "quality": {
        "titles": [
            "OOS investigation open on the last batch",
            "OOS-2417: phase 1 found no laboratory error",
            "OOS-2417 root cause narrowed to the drying step",
            "CAPA for OOS-2417 approved; repeat batch planned",
        ],
        "summary": "Quality is red: an out-of-specification result for related substances on the last batch is under investigation (OOS-2417). Phase 1 of the investigation found no lab error.",
        "risk": "Quality: if OOS-2417 confirms a process root cause, the batch cannot be released and a repeat batch is needed (about 6 weeks).",
    },
    "supply": {
        "titles": [
            "Raw material lead time extended",
            "Stock for the next two batches reserved",
            "Second source for the raw material in qualification",
            "Supply risk easing",
        ],
        "summary": "Supply is amber: the supplier of a critical raw material has extended lead times to 14 weeks. Enough stock is reserved for the next two batches.",
        "risk": "Supply: lead time of a critical raw material extended to 14 weeks; second source under qualification.",
    },
    "budget": {
        "titles": [
            "Change order CO-07 for additional development runs",
            "CO-07 under review by the sponsor",
            "Development runs on hold pending CO-07",
            "CO-07 signed; runs restart",
        ],
        "summary": "Budget is amber: the additional development runs requested by the sponsor need change order CO-07 (about 6% of the work order).",
        "risk": "Budget: change order CO-07 awaits approval; the runs are on hold until it is signed.",
    },
}

STANDING_RISKS = [
    "Single-use supply: bag assemblies are on allocation industry-wide; 12 weeks of stock on site.",
    "Key analyst availability in August; cross-training of a second analyst is complete.",
    "Reference standard expires in Q3; requalification is planned.",
]

NEXT_STEPS = [
    "Complete the batch record review with QA",
    "Send the draft development report to the sponsor",
    "Start release testing of the last batch",
    "Hold the technical review on impurity fate and purge",
    "Issue the stability protocol for sponsor approval",
    "Ship retained samples to the sponsor's lab",
    "Finalise the tech transfer report",
    "Run the process characterisation DoE (runs 1–6)",
    "Book the GMP suite for the next campaign",
    "Update the risk assessment (FMEA) after the last run",
]

DECISIONS = [
    "Approve the alternative Protein A resin (lot reservation needed)",
    "Confirm the batch size for the GMP campaign: 8 kg or 12 kg",
    "Approve change order CO-07 for the additional development runs",
    "Choose the stability conditions for the registration batches (ICH zone II or IVb)",
    "Accept the tightened specification for the main impurity (0.15% instead of 0.20%)",
    "Confirm the delivery address and importer of record for the clinical supply",
    "Approve shipping the drug substance at −70 °C instead of −20 °C",
]

QUESTIONS = [
    (
        "Can you share the chromatograms for the impurity at RRT 1.12? We want to understand if it is new.",
        "Attached to the QC report in the data room. It is not new: the same impurity at 0.04% was present in the demo batch, below the reporting threshold there.",
    ),
    (
        "What is the impact of the media lot issue on the GMP-01 start date?",
        "GMP-01 moves by 9 days; the replacement lot passed incoming QC on Tuesday. Release is still expected within the quarter.",
    ),
    (
        "Is the 92% capture yield representative, or was this a good run?",
        "It is in line with EB-01 (90%) and the lab runs (89–93%). We propose 88% as the lower limit for GMP.",
    ),
    (
        "Who at your site owns the deviation DEV-2231 and when will it close?",
        "Stefan Krüger (QA) owns it; the CAPA is approved and closure is planned for Friday.",
    ),
    (
        "Could the release testing run in parallel with the batch record review to save a week?",
        "Yes for the compendial tests; potency must wait for the QA review. We have planned it that way and gain 5 days.",
    ),
    (
        "Do you need anything from us for the stability protocol?",
        "Only the decision on the storage conditions (see the decision list) and the sponsor's sign-off on the pull points.",
    ),
]
OPEN_QUESTIONS = [
    "Please confirm the amount of material reserved for our toxicology study after the GMP batch.",
    "Can you send the updated Gantt chart with the new forecast dates before our steering committee?",
]
COMMENTS = [
    "Thanks, very clear. The team appreciates the early notice on the schedule.",
    "Good news on the titre. Please keep us posted on the release testing.",
    "We discussed this in our internal CMC meeting; no concerns from our side.",
]
INTERNAL_NOTES = [
    "Internal: the QC backlog is the real driver here, not the media lot. Keep the message factual.",
    "Internal: check with finance before we mention the change order value.",
]

# Projects whose story has a notable episode, by position from the end (weeks ago).
EPISODE_PLAN = {
    "ACM-101": [("schedule", 5, 0)],  # amber now
    "KST-415": [("quality", 2, 0), ("supply", 12, 9)],  # red now
    "NRD-310": [("budget", 9, 6)],
    "HLX-207": [("quality", 14, 11), ("schedule", 6, 4)],
    "ACM-114": [("supply", 7, 5)],
    "NRD-322": [("schedule", 3, 1)],
    "ACM-087": [("supply", 20, 17)],
}

MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R"
    b"/Resources<</Font<</F1 5 0 R>>>>>>endobj\n"
    b"4 0 obj<</Length 96>>stream\nBT /F1 18 Tf 72 770 Td (Engineering batch summary) Tj 0 -28 Td"
    b" /F1 11 Tf (Demo attachment.) Tj ET\nendstream endobj\n"
    b"5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


@dataclass
class _Team:
    pm: object
    lead: object
    dm: object | None
    sme: object | None


def _team(project: Project) -> _Team | None:
    members = {
        m.role: m.user
        for m in ProjectMember.objects.filter(project=project, removed_at__isnull=True).select_related("user")
    }
    pm, lead = members.get(TeamRole.PROJECT_MANAGER), members.get(TeamRole.SPONSOR_LEAD)
    if pm is None or lead is None:
        return None
    return _Team(pm=pm, lead=lead, dm=members.get(TeamRole.DECISION_MAKER), sme=members.get(TeamRole.SME))


def seed(world) -> None:
    today = timezone.localdate()
    for project in world.projects:
        team = _team(project)
        if team is None:
            continue
        rng = random.Random(project.code)
        with transaction.atomic():
            if not Milestone.objects.filter(project=project).exists():
                _seed_milestones(project, team, rng, today)
            if not StatusUpdate.objects.filter(project=project).exists():
                _seed_updates(project, team, rng, today)


def _lower_first(text: str) -> str:
    """Lower-case the first letter of a sentence, but not of an acronym ("GMP-01", "QC")."""
    if len(text) > 1 and (text[1].isupper() or text[1].isdigit()):
        return text
    return text[:1].lower() + text[1:]


def _at(day: datetime.date, hour: int, minute: int, zone: str) -> datetime.datetime:
    local = datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=zoneinfo.ZoneInfo(zone))
    return local.astimezone(datetime.UTC)


# --- Milestones -------------------------------------------------------------


def _seed_milestones(project: Project, team: _Team, rng: random.Random, today: datetime.date) -> None:
    plan = PLANS.get(project.modality, PLANS[Modality.SMALL_MOLECULE])
    zone = project.cdmo.time_zone or "UTC"
    stopped = project.status != ProjectStatus.ACTIVE
    overdue_made = False
    for index, (kind, title, offset) in enumerate(plan):
        baseline = project.start_date + datetime.timedelta(days=offset)
        roll = rng.random()
        slip = (
            0 if roll < 0.45 else rng.choice([3, 5, 7, 9, 12, 16, 21]) if roll < 0.92 else -rng.choice([2, 4])
        )
        owner = team.sme if kind in (K.RELEASE, K.STABILITY_PULL) and team.sme else team.pm
        forecast = baseline + datetime.timedelta(days=slip)
        if forecast < today - datetime.timedelta(days=3):
            status, actual = MilestoneStatus.DONE, forecast
            if (
                not overdue_made
                and project.code == "NRD-322"
                and today - forecast < datetime.timedelta(days=30)
            ):
                # Past its forecast and still not done: what the red-flag worker will catch.
                status, actual, overdue_made = MilestoneStatus.IN_PROGRESS, None, True
        elif stopped:
            status, actual = (
                MilestoneStatus.CANCELLED
                if project.status == ProjectStatus.CLOSED
                else MilestoneStatus.PLANNED,
                None,
            )
        else:
            soon = forecast - today < datetime.timedelta(days=35)
            status = (
                MilestoneStatus.AT_RISK
                if slip >= 16 and soon
                else MilestoneStatus.IN_PROGRESS
                if soon
                else MilestoneStatus.PLANNED
            )
            actual = None
        milestone = Milestone.objects.create(
            project=project,
            kind=kind,
            title=title,
            owner=owner,
            baseline_date=baseline,
            forecast_date=forecast,
            actual_date=actual,
            status=status,
            notes="",
            created_at=_at(project.start_date, 10, 0, zone),
        )
        if slip:
            _forecast_history(milestone, team, rng, baseline, slip, today, zone, index)


def _forecast_history(milestone, team, rng, baseline, slip, today, zone, index) -> None:
    """One or two recorded moves from the baseline to today's forecast, each with its reason."""
    steps = [slip] if abs(slip) < 9 or index % 2 else [slip // 2, slip]
    previous = baseline
    for number, total in enumerate(steps):
        new = baseline + datetime.timedelta(days=total)
        if new == previous:
            continue
        # At the latest yesterday: a morning change dated today could still lie ahead of now.
        changed_on = min(
            today - datetime.timedelta(days=1),
            previous - datetime.timedelta(days=rng.randint(6, 20) - number * 3),
        )
        changed_on = max(changed_on, milestone.project.start_date)
        reason = rng.choice(EARLY_REASONS if total < 0 else SLIP_REASONS)
        MilestoneForecastChange.objects.create(
            milestone=milestone,
            old_forecast_date=previous,
            new_forecast_date=new,
            reason=reason,
            changed_by=team.pm,
            changed_at=_at(changed_on, 9 + number * 2, 15, zone),
        )
        previous = new


# --- Status updates ---------------------------------------------------------


def _rags(project: Project, weeks_ago: int) -> tuple[dict, str | None]:
    rags = {"overall_rag": G, "schedule_rag": G, "budget_rag": G, "quality_rag": G, "supply_rag": G}
    episode = None
    for name, start, end in EPISODE_PLAN.get(project.code, []):
        if end <= weeks_ago <= start:
            episode = name
            level = R if name == "quality" else A
            rags[f"{name}_rag"] = level
            rags["overall_rag"] = level
    return rags, episode


def _period_ends(project: Project, today: datetime.date) -> list[datetime.date]:
    cadence = datetime.timedelta(days=project.update_cadence_days)
    # The last period ended on the most recent Friday (or earlier for stale, paused and closed projects).
    last = today - datetime.timedelta(days=(today.weekday() - 4) % 7 or 7)
    if project.code == STALE_PROJECT:
        last -= datetime.timedelta(days=21)
    if project.status == ProjectStatus.ON_HOLD:
        last -= datetime.timedelta(days=35)
    if project.status == ProjectStatus.CLOSED:
        last -= datetime.timedelta(days=70)
    ends = []
    end = last
    while end - cadence >= project.start_date and len(ends) < HISTORY_WEEKS:
        ends.append(end)
        end -= cadence
    return list(reversed(ends))


def _seed_updates(project: Project, team: _Team, rng: random.Random, today: datetime.date) -> None:
    zone = project.cdmo.time_zone or "UTC"
    calendar = BusinessCalendar.for_organization(project.cdmo)
    beats = BEATS.get(project.modality, BEATS[Modality.SMALL_MOLECULE])
    ends = _period_ends(project, today)
    cadence = datetime.timedelta(days=project.update_cadence_days)
    published: list[StatusUpdate] = []
    acknowledgements, comments = [], []
    risk = rng.choice(STANDING_RISKS)
    episode_weeks: dict[str, int] = {}
    to_insert: list[StatusUpdate] = []
    sponsor_calendar = BusinessCalendar.for_organization(project.sponsor)
    for number, end in enumerate(ends):
        weeks_ago = len(ends) - 1 - number
        rags, episode = _rags(project, weeks_ago)
        beat_title, beat_text = beats[number % len(beats)]
        start = end - cadence + datetime.timedelta(days=1)
        published_at = _at(end, 15, rng.randint(0, 50), zone)
        reason = rng.choice(SLIP_REASONS)
        if episode:
            story = EPISODES[episode]
            episode_week = episode_weeks.get(episode, 0)
            episode_weeks[episode] = episode_week + 1
            title = story["titles"][min(episode_week, len(story["titles"]) - 1)]
            reason = _lower_first(reason)
            summary = story["summary"].format(reason=reason) + f" Otherwise: {_lower_first(beat_text)}"
            risks = f"{story['risk']}\n{risk}"
        else:
            title = beat_title
            summary = f"All workstreams on track. {beat_text}"
            risks = risk
        progress = "\n".join(
            [beat_text, beats[(number + 3) % len(beats)][1], "Weekly call held; minutes sent and confirmed."]
        )
        steps = [
            {"description": step, "due": (end + datetime.timedelta(days=rng.randint(3, 21))).isoformat()}
            for step in rng.sample(NEXT_STEPS, 3)
        ]
        update = StatusUpdate(
            project=project,
            title=title,
            period_start=start,
            period_end=end,
            summary=summary,
            progress=progress,
            next_steps=steps,
            risks=risks,
            created_by=team.pm,
            created_at=published_at - datetime.timedelta(hours=3),
            updated_at=published_at,
            last_saved_by=team.pm,
            **rags,
        )
        raises_decision = number % 5 == 2 or weeks_ago == 1
        has_file = project.code == "ACM-101" and weeks_ago == 0
        if raises_decision or has_file:
            # As in the product: decisions and files go on the draft, then it is published and frozen.
            update.save()
            decisions = []
            if raises_decision:
                title_index = (number + sum(map(ord, project.code))) % len(DECISIONS)
                decisions = _raise_decision(
                    update, team, DECISIONS[title_index], rng, today, published_at, decided=weeks_ago > 2
                )
            if has_file:
                _attach(update, team, published_at)
            StatusUpdate.objects.filter(pk=update.pk).update(
                status=UpdateStatus.PUBLISHED,
                published_at=published_at,
                published_by=team.pm,
                decisions_needed=decisions,
            )
            update.decisions_needed = decisions
        else:
            to_insert.append(update)
        update.status, update.published_at, update.published_by = (
            UpdateStatus.PUBLISHED,
            published_at,
            team.pm,
        )
        published.append(update)
        # Acknowledged by the lead on most updates, sometimes the decision-maker too; the latest often not yet.
        if (weeks_ago > 0 and rng.random() < 0.9) or (weeks_ago == 0 and rng.random() < 0.3):
            acknowledgements.append(
                UpdateAcknowledgement(
                    update=update,
                    user=team.lead,
                    acknowledged_at=published_at + datetime.timedelta(hours=rng.choice([2, 5, 18, 26, 50])),
                )
            )
            if team.dm and rng.random() < 0.35:
                acknowledgements.append(
                    UpdateAcknowledgement(
                        update=update,
                        user=team.dm,
                        acknowledged_at=published_at + datetime.timedelta(hours=30),
                    )
                )
        if number % 3 == 1 and weeks_ago > 1:
            comments += _answered_question(
                update, team, rng, calendar, sponsor_calendar, published_at, number
            )
        elif number % 4 == 3:
            comments.append(
                UpdateComment(
                    update=update,
                    author=team.lead,
                    body=rng.choice(COMMENTS),
                    created_at=published_at + datetime.timedelta(hours=20),
                )
            )
        if episode and rng.random() < 0.5:
            comments.append(
                UpdateComment(
                    update=update,
                    author=team.sme or team.pm,
                    body=rng.choice(INTERNAL_NOTES),
                    is_internal=True,
                    created_at=published_at + datetime.timedelta(hours=1),
                )
            )
    if not published:
        return
    StatusUpdate.objects.bulk_create(to_insert)
    latest = published[-1]
    if project.code == OVERDUE_QUESTION_PROJECT and len(published) > 1:
        # Asked the day after the previous update: well past the agreed response time by now.
        previous = published[-2]
        asked = sponsor_calendar.next_opening(previous.published_at + datetime.timedelta(hours=20))
        asked += datetime.timedelta(hours=2)
        comments.append(_question(previous, team, OPEN_QUESTIONS[0], asked, calendar))
    if project.code == OPEN_QUESTION_PROJECT:
        asked = max(
            timezone.now() - datetime.timedelta(hours=3), latest.published_at + datetime.timedelta(hours=1)
        )
        comments.append(_question(latest, team, OPEN_QUESTIONS[1], asked, calendar))
    UpdateAcknowledgement.objects.bulk_create(acknowledgements)
    _save_comments(comments)
    if project.code == CORRECTED_PROJECT and len(published) > 4:
        _correct(published[:-1], team)
    if project.code == DRAFT_PROJECT and project.status == ProjectStatus.ACTIVE:
        _draft(project, team, latest, today)
    Project.objects.filter(pk=project.pk).update(
        last_update_published_at=latest.published_at,
        next_update_due=timezone.localtime(latest.published_at).date() + cadence,
    )


def _raise_decision(update, team, title, rng, today, published_at, *, decided: bool) -> list[dict]:
    needed_by = update.period_end + datetime.timedelta(days=rng.choice([5, 7, 10, 14]))
    if not decided and update.project.code == "ACM-101":
        needed_by = today - datetime.timedelta(days=2)  # one decision is already late
    request = DecisionRequest.objects.create(
        project=update.project, update=update, title=title, needed_by=needed_by, raised_at=published_at
    )
    if decided:
        decider = team.dm or team.lead
        decided_at = published_at + datetime.timedelta(days=rng.choice([1, 2, 4, 6]), hours=3)
        DecisionRequest.objects.filter(pk=request.pk).update(
            status=DecisionStatus.DECIDED,
            decided_at=decided_at,
            decided_by=decider,
            decision_note=rng.choice(
                [
                    "Approved. Please proceed as proposed and reserve the material.",
                    "Agreed, with the condition that the sponsor's QA reviews the protocol first.",
                    "Go with the larger batch size; the toxicology study needs the extra material.",
                    "Approved at the steering committee; the signed copy is in the data room.",
                ]
            ),
        )
    # The published record names the request it raised, as the publish service does.
    return [
        {
            "title": title,
            "needed_by": needed_by.isoformat(),
            "source_decision": None,
            "decision_id": request.pk,
        }
    ]


def _question(update, team, body, asked, calendar) -> UpdateComment:
    return UpdateComment(
        update=update,
        author=team.lead,
        kind=CommentKind.QUESTION,
        body=body,
        created_at=asked,
        respond_by=calendar.add_business_days(asked, update.project.question_response_days),
    )


def _answered_question(
    update, team, rng, calendar, sponsor_calendar, published_at, number
) -> list[UpdateComment]:
    body, answer = QUESTIONS[number % len(QUESTIONS)]
    # Asked during the sponsor's working day, some hours after the update came out.
    asked = sponsor_calendar.next_opening(
        published_at + datetime.timedelta(hours=rng.choice([2, 18, 22, 40]))
    )
    asked += datetime.timedelta(minutes=rng.choice([20, 75, 130]))
    question = _question(update, team, body, asked, calendar)
    # Mostly answered within hours; now and then it takes more than the agreed time.
    took = datetime.timedelta(hours=rng.choice([2, 3, 5, 20, 26, 30, 75]))
    question.answered_at = asked + took
    question.answered_by = team.pm if rng.random() < 0.7 or team.sme is None else team.sme
    question._answer = UpdateComment(
        update=update,
        author=question.answered_by,
        kind=CommentKind.ANSWER,
        body=answer,
        created_at=question.answered_at,
    )
    return [question]


def _save_comments(comments: list[UpdateComment]) -> None:
    UpdateComment.objects.bulk_create(comments)
    answers = []
    for comment in comments:
        answer = getattr(comment, "_answer", None)
        if answer is not None:
            answer.parent = comment
            answers.append(answer)
    UpdateComment.objects.bulk_create(answers)


def _correct(candidates: list[StatusUpdate], team: _Team) -> None:
    """Revision 2 of an update: a titre figure corrected the day after publication."""
    wrong, right = "3.1 g/L against a 2.8 g/L target", "2.9 g/L against a 2.8 g/L target"
    original = next((u for u in reversed(candidates) if wrong in u.summary + u.progress), candidates[-3])
    corrected_at = original.published_at + datetime.timedelta(days=1, hours=2)
    note = " (corrected: the first figure included the wash fraction)"
    fields = {
        name: getattr(original, name)
        for name in (
            "project",
            "title",
            "period_start",
            "period_end",
            "overall_rag",
            "schedule_rag",
            "budget_rag",
            "quality_rag",
            "supply_rag",
            "next_steps",
            "risks",
            "decisions_needed",
        )
    }
    if wrong in original.summary + original.progress:
        summary = original.summary.replace(wrong, right + note)
        progress = original.progress.replace(wrong, right)
    else:
        summary = original.summary + " Titre corrected to 2.9 g/L" + note + "."
        progress = original.progress
    correction = StatusUpdate.objects.create(
        **fields,
        summary=summary,
        progress=progress,
        revision_of=original,
        original=original,
        revision_number=2,
        correction_reason="The titre reported in this update included the wash fraction; the correct figure is 2.9 g/L.",
        status=UpdateStatus.PUBLISHED,
        created_by=team.pm,
        created_at=corrected_at - datetime.timedelta(hours=1),
        updated_at=corrected_at,
        published_at=corrected_at,
        published_by=team.pm,
        last_saved_by=team.pm,
    )
    StatusUpdate.objects.filter(pk=original.pk).update(
        status=UpdateStatus.SUPERSEDED, superseded_at=corrected_at
    )
    UpdateAcknowledgement.objects.create(
        update=correction, user=team.lead, acknowledged_at=corrected_at + datetime.timedelta(hours=5)
    )


def _attach(update: StatusUpdate, team: _Team, published_at) -> None:
    path = f"updates/{update.project_id}/demo/engineering-batch-summary.pdf"
    if not default_storage.exists(path):
        path = default_storage.save(path, ContentFile(MINIMAL_PDF))
    UpdateAttachment.objects.create(
        update=update,
        file=path,
        original_name="engineering-batch-summary.pdf",
        size_bytes=len(MINIMAL_PDF),
        file_type=AttachmentType.PDF,
        uploaded_by=team.pm,
        uploaded_at=published_at - datetime.timedelta(hours=1),
    )


def _draft(project: Project, team: _Team, latest: StatusUpdate, today: datetime.date) -> None:
    StatusUpdate.objects.create(
        project=project,
        title="Engineering run ER-02 underway",
        period_start=latest.period_end + datetime.timedelta(days=1),
        period_end=max(today, latest.period_end + datetime.timedelta(days=1)),
        overall_rag=G,
        schedule_rag=G,
        budget_rag=G,
        quality_rag=G,
        supply_rag=A,
        summary="ER-02 is running at 200 L; transfection done on day 3.",
        progress="",
        next_steps=[
            {"description": "Harvest ER-02", "due": (today + datetime.timedelta(days=6)).isoformat()}
        ],
        risks=latest.risks,
        created_by=team.pm,
        last_saved_by=team.pm,
    )
