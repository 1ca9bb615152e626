import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "x" * 20 + "production-like-secret-key-with-enough-entropy-1234567890",
    "ALLOWED_HOSTS": "portal.example.com",
}


def _production_env(**overrides):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return {**env, **PRODUCTION_ENV, **overrides}


def test_check_deploy_is_clean_with_production_settings():
    env = _production_env()
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = _production_env(SECRET_KEY="")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.django_db
def test_pages_send_a_content_security_policy_without_inline_scripts(client, sponsor_lead):
    client.force_login(sponsor_lead)
    response = client.get(reverse("projects:list"))
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    script_src = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    body = response.content.decode()
    assert "<script>" not in body and " style=" not in body


@pytest.mark.django_db
def test_htmx_requests_carry_the_csrf_token(client, sponsor_lead):
    client.force_login(sponsor_lead)
    body = client.get(reverse("projects:list")).content.decode()
    assert 'hx-headers=\'{"X-CSRFToken": "' in body


@pytest.mark.django_db
def test_posts_without_csrf_token_are_refused(sponsor_lead, project):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(sponsor_lead)
    response = client.post(reverse("projects:team", args=[project.pk]), {"side": "sponsor"})
    assert response.status_code == 403
