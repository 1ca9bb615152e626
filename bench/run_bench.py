"""Benchmarks: the sweep and the executive dashboard at 1,000 and 10,000 projects.

    .venv/bin/python bench/run_bench.py            # both sizes (seeding 10,000 takes a few minutes once)
    .venv/bin/python bench/run_bench.py --sizes 1000

Uses its own database per size (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/portal_bench,
with "_<size>" appended to the name), seeds it once with `seed_demo --projects N` plus realistic history (demo/history.py), and prints,
for each size: the sweep's wall time and query count, the dashboard's server time and query count
for an executive of the largest organization, and a trivial signed-in page as the baseline.
Figures are printed, not asserted: this is not a timed test.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench"
)
os.environ.setdefault("DEBUG", "1")


def ensure_database(url: str, name: str) -> None:
    from urllib.parse import urlsplit

    import psycopg

    parts = urlsplit(url)
    admin = parts._replace(path="/postgres").geturl().replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def measure(fn, repeat: int = 3):
    """(median seconds, queries of one run)."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    times, queries = [], 0
    for _ in range(repeat):
        reset_queries()  # the query log keeps 9,000 entries; start each run from an empty one
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        queries = len(captured)
    return statistics.median(times), queries


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    args = parser.parse_args()

    import django

    django.setup()
    import logging

    logging.getLogger("portal").setLevel(logging.WARNING)
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, connections
    from django.db.models import Count
    from django.test import Client
    from django.urls import reverse

    from demo.history import add_history
    from oversight.monitoring.models import Flag
    from oversight.monitoring.services import sweep
    from portal.accounts.models import User
    from portal.organizations.models import OrgRole
    from projects.models import Project

    settings.ALLOWED_HOSTS = ["*"]
    base_name = settings.DATABASES["default"]["NAME"]
    print(
        f"{'projects':>9} | {'sweep s':>8} {'queries':>7} | {'dashboard s':>11} {'queries':>7} | {'baseline s':>10} {'queries':>7} | open flags"
    )
    for size in sorted(args.sizes):
        # One database per size, kept between runs: seeding 10,000 projects takes minutes.
        name = f"{base_name}_{size}"
        ensure_database(os.environ["DATABASE_URL"], name)
        connections["default"].close()
        settings.DATABASES["default"]["NAME"] = connections["default"].settings_dict["NAME"] = name
        call_command("migrate", verbosity=0)
        t0 = time.perf_counter()
        call_command("seed_demo", "--projects", str(size), "--quiet")
        added = add_history()
        if added:
            # What autovacuum does in production after a bulk load: fresh planner statistics.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        seeded = time.perf_counter() - t0
        if added:
            print(f"  (seeded history for {added} projects in {seeded:.0f} s)", file=sys.stderr)
        total = Project.objects.count()

        # The first sweep raises everything; the measured ones are the steady state every 15 minutes.
        sweep(notify=False)
        sweep_s, sweep_q = measure(lambda: sweep(notify=False))

        biggest = Project.objects.values("cdmo_id").annotate(n=Count("pk")).order_by("-n").first()["cdmo_id"]
        executive = User.objects.filter(organization_id=biggest, org_role=OrgRole.EXECUTIVE).first()
        client = Client()
        client.force_login(executive)
        dashboard = reverse("monitoring:dashboard")
        baseline = reverse("organizations:members")
        client.get(dashboard)  # warm up
        dash_s, dash_q = measure(partial(client.get, dashboard))
        base_s, base_q = measure(partial(client.get, baseline))
        flags = Flag.objects.filter(cleared_at__isnull=True).count()
        print(
            f"{total:>9} | {sweep_s:>8.2f} {sweep_q:>7} | {dash_s:>11.3f} {dash_q:>7} | {base_s:>10.3f} {base_q:>7} | {flags}"
        )
        print(
            f"  dashboard/baseline time ratio: {dash_s / base_s:.1f}x; executive sees "
            f"{Project.objects.filter(cdmo_id=biggest).count()} projects",
            file=sys.stderr,
        )


if __name__ == "__main__":
    main()
