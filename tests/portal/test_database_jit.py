"""The portal's connections run with PostgreSQL's JIT off (portal/settings.py, DB_JIT)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def test_the_portal_connection_runs_without_jit():
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def _options_with(db_jit: str) -> str:
    """The connection OPTIONS production settings build with DB_JIT set (a fresh process)."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings", "DB_JIT": db_jit}
    script = "import django; django.setup(); from django.conf import settings; "
    script += "print(settings.DATABASES['default'].get('OPTIONS', {}))"
    run = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return run.stdout


def test_db_jit_turns_it_back_on():
    assert "-c jit=off" in _options_with("0")
    assert "jit" not in _options_with("1")
