"""A burst of requests never takes more database connections than the pool allows.

gunicorn serves the portal with production settings against the test database, with more
threads than the pool holds (the pool, not the thread count, must be the bound), while a sampler
watches pg_stat_activity.
"""

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
WORKERS, THREADS, POOL = 2, 8, 3
CONFIGURED_MAXIMUM = WORKERS * POOL
APP_NAME = "portal-burst-test"  # libpq's PGAPPNAME: counts the server's connections only


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def gunicorn(tmp_path):
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DEBUG": "0",
        "SECRET_KEY": "burst-test-" + "k" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.CELERY_BROKER_URL,
        "STATIC_ROOT": str(tmp_path / "static"),
        "DB_POOL_MAX_SIZE": str(POOL),
        "PGAPPNAME": APP_NAME,
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    log = open(tmp_path / "gunicorn.log", "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "portal.wsgi:application", "--bind", f"127.0.0.1:{port}"]
        + ["--workers", str(WORKERS), "--threads", str(THREADS)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=10)
                break
            except OSError:  # not listening yet, or still starting
                assert server.poll() is None and time.monotonic() < deadline, (
                    tmp_path / "gunicorn.log"
                ).read_text()
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def get(url: str, cookie: str) -> int:
    # Behind the production proxy: HTTPS is what the server is told (no redirect to https).
    request = urllib.request.Request(url, headers={"Cookie": cookie, "X-Forwarded-Proto": "https"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.mark.django_db(transaction=True)
def test_a_burst_of_50_requests_never_exceeds_the_configured_connections(gunicorn, client, cdmo_pm, project):
    client.force_login(cdmo_pm)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    paths = [
        "/healthz",
        "/projects/",
        f"/projects/{project.pk}/",
        "/accounts/login/",
        "/static/css/portal.css",
    ]
    urls = [gunicorn + paths[i % len(paths)] for i in range(50)]

    counts, stop = [], threading.Event()
    db = connection.settings_dict

    def sample():
        with psycopg.connect(
            host=db["HOST"],
            port=db["PORT"],
            user=db["USER"],
            password=db["PASSWORD"] or None,
            dbname="postgres",
            autocommit=True,
        ) as conn:
            while not stop.is_set():
                (count,) = conn.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND application_name = %s",
                    [db["NAME"], APP_NAME],
                ).fetchone()
                counts.append(count)
                time.sleep(0.005)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        start = threading.Barrier(len(urls))

        def burst(url):
            start.wait()
            return get(url, cookie)

        with ThreadPoolExecutor(max_workers=len(urls)) as pool:
            statuses = list(pool.map(burst, urls))
        time.sleep(0.3)  # connections still held after the burst count too
    finally:
        stop.set()
        sampler.join()

    print(f"connections during the burst: max {max(counts)} of {CONFIGURED_MAXIMUM}, {len(counts)} samples")
    assert all(status < 500 for status in statuses), statuses
    assert statuses.count(200) == len(urls), statuses
    assert 0 < max(counts) <= CONFIGURED_MAXIMUM
