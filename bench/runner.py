"""Runs the measures at each size and prints the table (imported once Django is set up)."""

from __future__ import annotations

import logging
import sys
import time
import traceback

from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from . import databases, load, measures, report
from .timing import Result

# The Result names each measure fills: an error in the measure shows in those rows.
FILLS = {
    "dashboard": ["dashboard"],
    "csv": ["csv"],
    "pdf": ["pdf_100"],
    "pdf_full": ["pdf_full"],
    "sweep": ["sweep_reconcile", "sweep_rules", "sweep_day"],
    "feed": ["feed_first", "feed_check", "feed_rebuild", "feed_200", "feed_304"],
    "lists": list(report.LIST_PAGES),
    "project": ["project_page"],
    "scorecards": ["scorecards_sponsors", "scorecards_managers", "scorecards_projects", "scorecards_cdmos"],
    "scorecards_project": ["scorecards_health", "scorecards_evidence"],
    "scorecards_refresh": ["scorecards_refresh"],
    "scorecards_review": ["scorecards_review"],
    "sweep_notices": ["sweep_notices"],
    "api": ["api_projects", "api_projects_deep"],
    "load": ["load_trivial", "load_project"],
}
NAMES = [*measures.MEASURES, "load"]


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _record_error(bench: measures.Bench, name: str, error: BaseException) -> None:
    traceback.print_exception(error, file=sys.stderr)
    for result_name in FILLS[name]:
        bench.results.setdefault(result_name, Result(note=f"error: {type(error).__name__}"))


def _run(bench: measures.Bench, name: str, fn) -> None:
    log(f"{bench.size}: {name}")
    try:
        fn(bench)
    except Exception as error:  # one broken measure must not hide the others
        _record_error(bench, name, error)


def load_measure(args):
    def run(bench: measures.Bench) -> None:
        bench.results.update(
            load.load_run(
                bench.database,
                bench.executive,
                {
                    "load_trivial": reverse("organizations:members"),
                    "load_project": bench.project.get_absolute_url(),
                },
                seconds=args.load_seconds,
                concurrency=args.load_concurrency,
            )
        )

    return run


def run_size(size: int, base_name: str, args, chosen: list[str]) -> dict[str, Result]:
    log(f"{size}: preparing the database (seeding takes minutes the first time)")
    database = databases.prepare(base_name, size)
    bench = measures.people(size, database, args)
    log(
        f"{size}: executive {bench.executive.email}, lead {bench.lead.email}, "
        f"project {bench.project.code} (id {bench.project.pk})"
    )
    _run(bench, "trivial", measures.trivial)
    for name, fn in measures.MEASURES.items():
        if name in chosen:
            _run(bench, name, fn)
    if "load" in chosen:
        _run(bench, "load", load_measure(args))
    return bench.results


def run(args) -> None:
    if args.list:
        print("\n".join(NAMES))
        return
    unknown = set(args.only or []) - set(NAMES)
    if unknown:
        sys.exit(f"Unknown measures: {', '.join(sorted(unknown))}. Known: {', '.join(NAMES)}")
    chosen = [name for name in NAMES if (not args.only or name in args.only)]
    if args.skip_load and "load" in chosen:
        chosen.remove("load")
    logging.getLogger("portal").setLevel(logging.WARNING)
    logging.getLogger("kombu").setLevel(logging.ERROR)  # the in-memory broker has no host name
    call_command("collectstatic", "--noinput", verbosity=0)  # DEBUG off serves the manifest's names
    base_name = settings.DATABASES["default"]["NAME"]
    sizes = {}
    for size in sorted(args.sizes):
        sizes[size] = run_size(size, base_name, args, chosen)
        if size != max(args.sizes):  # the table so far, in case a larger size never finishes
            print(report.table(sizes), file=sys.stderr, flush=True)
    databases.use_database(base_name)
    print()
    print(report.table(sizes))
