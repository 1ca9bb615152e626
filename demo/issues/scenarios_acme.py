"""Acme's service issues: its flagship project has one in every state."""

from __future__ import annotations

from demo.issues.scenario import C, S, Scenario
from projects.models import TeamRole

ACME = [
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
]
