"""What the projects demo says: milestone plans, weekly beats, episodes, questions and decisions, by modality."""

from __future__ import annotations

from projects.models import (
    RAG,
    MilestoneKind,
    Modality,
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

# Decisions asked as a choice: (options as (label, description), the recommended one's number, why).
DECISION_OPTIONS = {
    "Confirm the batch size for the GMP campaign: 8 kg or 12 kg": (
        [
            ("8 kg", "Two runs in the reserved slot; enough for the phase 1 study, not for toxicology."),
            ("12 kg", "Three runs; the slot is extended by a week and covers the toxicology material."),
        ],
        2,
        "The toxicology study needs about 2 kg; 12 kg avoids a second campaign next year.",
    ),
    "Choose the stability conditions for the registration batches (ICH zone II or IVb)": (
        [
            ("Zone II (25 °C / 60% RH)", "Covers the EU and US filings."),
            ("Zone IVb (30 °C / 75% RH)", "Also covers the planned filings in hot and humid markets."),
        ],
        2,
        "One protocol for every market; the extra chamber capacity is available.",
    ),
}

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


def lower_first(text: str) -> str:
    """Lower-case the first letter of a sentence, but not of an acronym ("GMP-01", "QC")."""
    if len(text) > 1 and (text[1].isupper() or text[1].isdigit()):
        return text
    return text[:1].lower() + text[1:]
