"""The sponsor's engagement: updates read, minutes reviewed, the decision-maker at governance.

The sponsor's clocks run in the sponsor's business days (`ProjectFacts.sponsor_calendar`: its
main site's working hours, time zone and public holidays), as the CDMO's run in the CDMO's.
"""

from __future__ import annotations

import statistics

from django.db.models import Exists, OuterRef, Q

from meetings.models import Attendance, Invitee, Meeting, MeetingKind, MeetingStatus
from meetings.models.meetings import HELD_STATUSES
from projects.models import Side, StatusUpdate, TeamRole, UpdateAcknowledgement

from ..quarters import utc_date
from .base import SPONSOR, Measure, Record, Records, Scope, n_hours, records

ACKNOWLEDGE_WITHIN_BUSINESS_DAYS = 2
CONFIRM_WITHIN_BUSINESS_DAYS = 2


def _median_hours(label: str):
    def describe(hours) -> tuple[str, ...]:
        return (f"median {statistics.median(hours):.1f} hours {label}",) if hours else ()

    return describe


def _answered_in_time(
    scope: Scope, project_id: int, started, answered, within: int, ref: tuple[str, int]
) -> Record | None:
    """Kept if answered within `within` of the sponsor's business days of `started`; unanswered
    past them: late (no sample); unanswered within them: not counted yet (None)."""
    deadline = scope.projects[project_id].sponsor_calendar.add_business_days(started, within)
    on = utc_date(started)
    if answered is not None:
        return Record(answered <= deadline, (answered - started).total_seconds() / 3600, ref=ref, on=on)
    if deadline < scope.now:
        return Record(False, ref=ref, on=on)
    return None


def _answer_in_words(done: str, within: int):
    def explain(record: Record) -> str:
        if record.sample is None:
            return f"not {done} after {within} business days"
        return f"{done} after {n_hours(record.sample)}"

    return explain


# --- Updates acknowledged ------------------------------------------------------------------------


def _updates_acknowledged(scope: Scope) -> Records:
    """Status updates published in the quarters (the first revision of each; a correction is
    the same update), each with its first acknowledgement by one of the sponsor's people, on any
    of its revisions: one query."""
    found = records()
    first_ack = (
        UpdateAcknowledgement.objects.filter(
            Q(update_id=OuterRef("pk")) | Q(update__original_id=OuterRef("pk")),
            user__organization_id=OuterRef("project__sponsor_id"),
        )
        .order_by("acknowledged_at")
        .values("acknowledged_at")[:1]
    )
    rows = (
        StatusUpdate.objects.filter(
            project_id__in=scope.ids,
            revision_of__isnull=True,
            published_at__gte=scope.starts_at,
            published_at__lt=scope.ends_before,
        )
        .annotate(acknowledged_at=first_ack)
        .values_list("pk", "project_id", "published_at", "acknowledged_at")
    )
    for pk, project_id, published_at, acknowledged_at in rows:
        quarter = scope.bucket(utc_date(published_at))
        if quarter is None:
            continue
        record = _answered_in_time(
            scope, project_id, published_at, acknowledged_at, ACKNOWLEDGE_WITHIN_BUSINESS_DAYS, ("update", pk)
        )
        if record is not None:
            found[project_id, quarter].append(record)
    return found


UPDATES_ACKNOWLEDGED = Measure(
    "updates_acknowledged",
    "Updates acknowledged",
    SPONSOR,
    "Of the status updates published in the quarter (UTC), the share one of the sponsor's people "
    f"acknowledged within {ACKNOWLEDGE_WITHIN_BUSINESS_DAYS} of the sponsor's business days (its "
    "main site's working hours, without its public holidays), and the median hours to the first "
    "acknowledgement; acknowledging a correction counts for the update it corrects. Still "
    f"unacknowledged after {ACKNOWLEDGE_WITHIN_BUSINESS_DAYS} business days: late; within them: "
    "not counted yet.",
    ("update", "updates"),
    compute=_updates_acknowledged,
    describe=_median_hours("to acknowledge"),
    dated="Published",
    explain=_answer_in_words("acknowledged", ACKNOWLEDGE_WITHIN_BUSINESS_DAYS),
)


# --- Minutes confirmed ---------------------------------------------------------------------------


def _minutes_confirmed(scope: Scope) -> Records:
    """Minutes the CDMO sent (their last sending) in the quarters, of meetings it ran: one
    query. The sponsor's answer: the confirmation, or a correction request since that sending
    (which sends the minutes back to the CDMO: an answer too)."""
    found = records()
    rows = Meeting.objects.filter(
        project_id__in=scope.ids,
        organizer_side=Side.CDMO,
        minutes_sent_at__gte=scope.starts_at,
        minutes_sent_at__lt=scope.ends_before,
    ).values_list(
        "pk", "project_id", "status", "minutes_sent_at", "minutes_confirmed_at", "correction_requested_at"
    )
    for pk, project_id, status, sent_at, confirmed_at, correction_at in rows:
        quarter = scope.bucket(utc_date(sent_at))
        if quarter is None or status == MeetingStatus.CANCELLED:
            continue
        if status == MeetingStatus.CONFIRMED:
            answered = confirmed_at
        elif correction_at is not None and correction_at >= sent_at:
            answered = correction_at
        else:
            answered = None
        record = _answered_in_time(
            scope, project_id, sent_at, answered, CONFIRM_WITHIN_BUSINESS_DAYS, ("meeting", pk)
        )
        if record is not None:
            found[project_id, quarter].append(record)
    return found


MINUTES_CONFIRMED = Measure(
    "minutes_confirmed",
    "Minutes confirmed",
    SPONSOR,
    "Of the minutes the CDMO sent in the quarter (UTC) for the meetings it ran, the share the "
    "sponsor confirmed, or sent back with a correction request, within "
    f"{CONFIRM_WITHIN_BUSINESS_DAYS} of the sponsor's business days of their last sending, and the "
    f"median hours to that answer. Still awaiting an answer after {CONFIRM_WITHIN_BUSINESS_DAYS} "
    "business days: late; within them: not counted yet.",
    ("sending of minutes", "sendings of minutes"),
    compute=_minutes_confirmed,
    describe=_median_hours("to answer"),
    dated="Sent",
    explain=_answer_in_words("answered", CONFIRM_WITHIN_BUSINESS_DAYS),
)


# --- Decision-maker present ----------------------------------------------------------------------


def _decision_maker_present(scope: Scope) -> Records:
    """Governance meetings held, with attendance recorded, by the UTC quarter of their start,
    each with whether a sponsor decision-maker (the role as recorded on the invitation) is
    recorded as attending: one query."""
    found = records()
    present = Invitee.objects.filter(
        meeting_id=OuterRef("pk"),
        side=Side.SPONSOR,
        team_role=TeamRole.DECISION_MAKER,
        attendance=Attendance.ATTENDED,
        removed_at__isnull=True,
    )
    rows = (
        Meeting.objects.filter(
            project_id__in=scope.ids,
            kind=MeetingKind.GOVERNANCE,
            status__in=HELD_STATUSES,
            attendance_recorded_at__isnull=False,
            starts_at__gte=scope.starts_at,
            starts_at__lt=scope.ends_before,
        )
        .annotate(present=Exists(present))
        .values_list("pk", "project_id", "starts_at", "present")
    )
    for pk, project_id, starts_at, was_present in rows:
        quarter = scope.bucket(utc_date(starts_at))
        if quarter is not None:
            found[project_id, quarter].append(
                Record(was_present, ref=("meeting", pk), on=utc_date(starts_at))
            )
    return found


DECISION_MAKER_PRESENT = Measure(
    "decision_maker_present",
    "Decision-maker at governance",
    SPONSOR,
    "Of the governance meetings held in the quarter (by their start, UTC) whose attendance was "
    "recorded, the share a decision-maker of the sponsor's attended (as recorded by the side that "
    "ran the meeting). Meetings without recorded attendance and cancelled ones are not counted.",
    ("governance meeting", "governance meetings"),
    compute=_decision_maker_present,
    dated="Held",
    verdicts=("decision-maker attended", "no decision-maker"),
)
