"""The load run: gunicorn as production runs it (gunicorn.conf.py, 2 workers, DEBUG off) on a free
loopback port with the bench database, a few client threads per URL for a bounded time, then
stopped. Requests per second of the project page against the trivial page's, same run.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.test import Client

from portal.accounts.models import User

from .databases import database_url
from .timing import Result

ROOT = Path(__file__).resolve().parents[1]
GUNICORN = Path(sys.executable).with_name("gunicorn")
STARTUP_SECONDS = 60
REQUEST_TIMEOUT = 30
ROUNDS = 2


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    log: Path

    def stop(self) -> None:
        """The server we started, and only it: its process group, by id."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def start_gunicorn(database: str, workers: int = 2) -> Server:
    port = free_port()
    log = Path(tempfile.mkstemp(prefix="bench-gunicorn-", suffix=".log")[1])
    env = {
        **os.environ,
        "DATABASE_URL": database_url(database),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(workers),
        "PYTHONUNBUFFERED": "1",
    }
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(GUNICORN), "portal.wsgi:application", "-c", str(ROOT / "gunicorn.conf.py")],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    return Server(process=process, port=port, log=log)


def session_cookie(user: User) -> str:
    """A signed-in session for `user`, as force_login makes it (stored in the shared database)."""
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def _get(conn: http.client.HTTPConnection, path: str, cookie: str) -> int:
    conn.request("GET", path, headers={"Cookie": cookie})
    response = conn.getresponse()
    response.read()
    return response.status


def wait_until_ready(server: Server, path: str, cookie: str) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.process.returncode}; see {server.log}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=REQUEST_TIMEOUT)
            if _get(conn, path, cookie) == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"gunicorn not ready after {STARTUP_SECONDS} s; see {server.log}")


@dataclass
class Tally:
    ok: int = 0
    failed: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, status: int | None, seconds: float) -> None:
        with self.lock:
            if status == 200:
                self.ok += 1
                self.latencies.append(seconds)
            else:
                self.failed += 1
                self.statuses[status or 0] = self.statuses.get(status or 0, 0) + 1


def _client_thread(port: int, path: str, cookie: str, until: float, tally: Tally) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    while time.monotonic() < until:
        start = time.perf_counter()
        try:
            status = _get(conn, path, cookie)
        except (OSError, http.client.HTTPException):
            status = None
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
        tally.add(status, time.perf_counter() - start)
    conn.close()


def hammer(port: int, path: str, cookie: str, seconds: float, concurrency: int, tally: Tally) -> float:
    """`concurrency` threads requesting `path` back to back for `seconds`, counted in `tally`;
    returns the seconds it took."""
    start = time.monotonic()
    threads = [
        threading.Thread(target=_client_thread, args=(port, path, cookie, start + seconds, tally))
        for _ in range(concurrency)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.monotonic() - start


def _result(path: str, tally: Tally, elapsed: float) -> Result:
    latencies = sorted(tally.latencies)
    result = Result(seconds=elapsed)
    result.extra.update(
        rps=tally.ok / elapsed,
        ok=tally.ok,
        failed=tally.failed,
        p50=latencies[len(latencies) // 2] if latencies else None,
        p95=latencies[int(len(latencies) * 0.95)] if latencies else None,
        url=path,
    )
    if tally.failed:
        result.note = "failures: " + ", ".join(
            f"{s or 'error'}×{n}" for s, n in sorted(tally.statuses.items())
        )
    return result


def load_run(
    database: str, user: User, urls: dict[str, str], seconds: float, concurrency: int, rounds: int = ROUNDS
) -> dict:
    """{name: Result} for each of `urls` ({name: path}), `seconds` each, taken in `rounds` turns
    that alternate between the URLs (so a neighbour's burst on a shared machine hits them all);
    one gunicorn for all, always stopped."""
    cookie = session_cookie(user)
    server = start_gunicorn(database)
    try:
        wait_until_ready(server, next(iter(urls.values())), cookie)
        for path in urls.values():  # warm up every worker's imports and templates
            for _ in range(concurrency):
                _client_thread(server.port, path, cookie, time.monotonic() + 0.01, Tally())
        tallies = {name: Tally() for name in urls}
        elapsed = dict.fromkeys(urls, 0.0)
        for _ in range(rounds):
            for name, path in urls.items():
                elapsed[name] += hammer(
                    server.port, path, cookie, seconds / rounds, concurrency, tallies[name]
                )
    finally:
        server.stop()
    server.log.unlink(missing_ok=True)  # kept when something went wrong: the error names it
    return {name: _result(path, tallies[name], elapsed[name]) for name, path in urls.items()}
