"""The kinds of document the portal builds in the background: a registry apps above fill.

The documents app knows how to queue, build, store and hand over a document, not what is in
one. An app that offers a document registers its kind from its `AppConfig.ready()`:

    register_document_kind("monitoring.dashboard_pdf", build_dashboard_pdf, title="Escalation dashboard (PDF)")

The builder is called in the worker with the `Document` (its `requested_by`, `organization` and
`parameters`) and a `progress(done, total, stage="")` function, reads through the same selectors as the
page it comes from, and returns a `Built`. Raise `PermanentTaskError("...")` for a reason the
person should read ("You no longer see these programs."); any other error is retried.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Built:
    content: bytes
    filename: str
    content_type: str = "application/pdf"
    note: str = ""  # what the reader should know, e.g. "The first 300 of 5,003 programs…"
    link_url: str = ""  # where the rest is, e.g. the CSV with the same filters
    link_label: str = ""


Progress = Callable[..., None]  # progress(done, total, stage="Reading the programs")
Builder = Callable[[Any, Progress], Built]


@dataclass(frozen=True)
class DocumentKind:
    kind: str
    builder: Builder
    title: str
    # The page the document was asked for from, for a "Back to …" link (given the parameters).
    origin: Callable[[dict], str] | None = None
    origin_label: str = ""


_kinds: dict[str, DocumentKind] = {}


def register_document_kind(
    kind: str,
    builder: Builder,
    *,
    title: str,
    origin: Callable[[dict], str] | None = None,
    origin_label: str = "",
) -> None:
    """Offer documents of `kind` ("<app>.<name>"), built by `builder`."""
    _kinds[kind] = DocumentKind(kind, builder, title, origin, origin_label)


def registered(kind: str) -> DocumentKind | None:
    return _kinds.get(kind)


def kind_of(kind: str) -> DocumentKind:
    """The registered kind; LookupError (a permanent error for the task) when none is."""
    try:
        return _kinds[kind]
    except KeyError:
        raise LookupError(f"No document kind {kind!r} is registered.") from None
