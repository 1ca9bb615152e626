"""Benchmarks: what users feel at 1,000 and 10,000 projects, with the goals of issue 13.

    .venv/bin/python bench/run_bench.py                         # 1,000 and 10,000 projects
    .venv/bin/python bench/run_bench.py --sizes 1000            # one size
    .venv/bin/python bench/run_bench.py --only dashboard csv    # some measures (names: --list)
    .venv/bin/python bench/run_bench.py --skip-load             # no gunicorn run

Runs with DEBUG off, as production does (static files collected into .data/bench-static, the
HTTPS-only switches off so the test client and gunicorn work over plain http on loopback, the
Celery broker in memory so nothing is ever published to a real one).

Each size has its own database (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/portal_bench, "_<size>" appended to the name), seeded once with
`seed_demo --projects N` plus realistic history (demo/history.py) and kept between runs.

Measured in-process with Django's test client (signed in with force_login), each against a trivial
signed-in page (the organization's members page) timed in the same run: the dashboard, its CSV and
PDF exports (the full PDF in a child process bounded by --pdf-timeout), the sweep (rules only, and
the scheduled task with its notice step cold, on a throw-away copy of the database), the personal
calendar feed of the sponsor lead on most projects (built, then 304 when unchanged), every list
page an executive or a lead reaches and a project page. Then, unless --skip-load, a gunicorn run
(2 workers, loopback, bounded) comparing the project page's requests per second to the trivial
page's. Prints one table: measure | goal | one column per size | ratio | verdict.

Figures are printed, not asserted: this is not a timed test.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/portal_bench"
BENCH_SECRET_KEY = "bench-only-secret-key-never-used-in-production-0123456789abcdef"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000], help="projects per database")
    parser.add_argument("--only", nargs="+", metavar="MEASURE", help="run only these measures (see --list)")
    parser.add_argument("--skip-load", action="store_true", help="no gunicorn load run")
    parser.add_argument("--list", action="store_true", help="print the measure names and exit")
    parser.add_argument("--repeat", type=int, default=3, help="runs per page measure (median)")
    parser.add_argument("--pdf-timeout", type=float, default=60.0, help="seconds the full PDF may take")
    parser.add_argument("--load-seconds", type=float, default=10.0, help="load run per URL")
    parser.add_argument("--load-concurrency", type=int, default=4, help="client threads in the load run")
    return parser.parse_args(argv)


def configure_environment() -> None:
    """Production settings (DEBUG off) that work over plain http on this machine."""
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", BENCH_SECRET_KEY)
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    for switch in ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"):
        os.environ[switch] = "0"
    os.environ["SECURE_HSTS_SECONDS"] = "0"
    os.environ.setdefault("STATIC_ROOT", str(ROOT / ".data" / "bench-static"))
    os.environ["CELERY_BROKER_URL"] = "memory://"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    configure_environment()
    django = importlib.import_module("django")
    django.setup()
    # Only now may modules that import models load: bench.runner and everything it imports.
    runner = importlib.import_module("bench.runner")
    runner.run(args)


if __name__ == "__main__":
    main()
