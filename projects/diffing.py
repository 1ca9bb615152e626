"""What changed between two revisions of a status update, field by field.

Pure functions over already-loaded updates: no queries. Text fields are
compared word by word so a reader sees exactly which words a correction
changed; lists (next steps, decisions) line by line.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from .models import RAG, StatusUpdate, item_options, json_date

_TOKENS = re.compile(r"\s+|[^\s]+")


@dataclass
class Segment:
    op: str  # "same", "added" or "removed"
    text: str


@dataclass
class FieldDiff:
    label: str
    before: str
    after: str
    segments: list[Segment] = field(default_factory=list)  # text fields: word-level changes
    removed: list[str] = field(default_factory=list)  # list fields: lines taken out
    added: list[str] = field(default_factory=list)  # list fields: lines put in

    @property
    def is_list(self) -> bool:
        return bool(self.removed or self.added)


def word_diff(before: str, after: str) -> list[Segment]:
    a, b = _TOKENS.findall(before or ""), _TOKENS.findall(after or "")
    segments: list[Segment] = []

    def push(op: str, text: str) -> None:
        if not text:
            return
        if segments and segments[-1].op == op:
            segments[-1].text += text
        else:
            segments.append(Segment(op, text))

    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            push("same", "".join(a[i1:i2]))
        else:
            push("removed", "".join(a[i1:i2]))
            push("added", "".join(b[j1:j2]))
    return segments


def _date(value) -> str:
    if not value:
        return "no date"
    day = json_date(value)
    return day.strftime("%-d %b %Y") if day else str(value)


def next_step_lines(update: StatusUpdate) -> list[str]:
    return [f"{s.get('description', '')} (due {_date(s.get('due'))})" for s in update.next_steps or []]


def _decision_line(item: dict) -> str:
    line = f"{item.get('title', '')} (needed by {_date(item.get('needed_by'))})"
    options = item_options(item)
    if options:
        recommended = item.get("recommended") or 0
        labels = [
            o["label"] + (" [recommended]" if n == recommended else "")
            for n, o in enumerate(options, start=1)
        ]
        line += f"; options: {', '.join(labels)}; why: {(item.get('recommendation') or '').strip()}"
    return line


def decision_lines(update: StatusUpdate) -> list[str]:
    """One line a decision needed: a changed option or recommendation shows as a changed line."""
    return [_decision_line(d) for d in update.decisions_needed or []]


def _period(update: StatusUpdate) -> str:
    return f"{update.period_start:%-d %b %Y} – {update.period_end:%-d %b %Y}"


def update_changes(
    old: StatusUpdate, new: StatusUpdate, *, old_files: list[str] = (), new_files: list[str] = ()
) -> list[FieldDiff]:
    """Every field that differs between `old` and `new`, in the order the update reads."""
    rag = dict(RAG.choices)
    changes: list[FieldDiff] = []

    def text(label: str, before: str, after: str) -> None:
        if (before or "").strip() != (after or "").strip():
            changes.append(FieldDiff(label, before, after, segments=word_diff(before, after)))

    def value(label: str, before: str, after: str) -> None:
        if before != after:
            changes.append(FieldDiff(label, before, after))

    def lines(label: str, before: list[str], after: list[str]) -> None:
        if before != after:
            removed = [line for line in before if line not in after]
            added = [line for line in after if line not in before]
            if not removed and not added:  # same lines, new order
                removed, added = before, after
            changes.append(
                FieldDiff(label, "\n".join(before), "\n".join(after), removed=removed, added=added)
            )

    text("Headline", old.title, new.title)
    value("Period", _period(old), _period(new))
    for name in ("overall_rag", "schedule_rag", "budget_rag", "quality_rag", "supply_rag"):
        label = str(StatusUpdate._meta.get_field(name).verbose_name).capitalize()
        value(label, rag.get(getattr(old, name), "Not set"), rag.get(getattr(new, name), "Not set"))
    text("Summary", old.summary, new.summary)
    text("Progress since the last update", old.progress, new.progress)
    lines("Next steps", next_step_lines(old), next_step_lines(new))
    text("Risks and issues", old.risks, new.risks)
    lines("Decisions needed from the sponsor", decision_lines(old), decision_lines(new))
    lines("Attachments", list(old_files), list(new_files))
    return changes
