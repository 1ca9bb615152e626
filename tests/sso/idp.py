"""A real OpenID Provider for the tests: panva's `oidc-provider` (tests/idp/oidc_server.js) on Node,
on a free loopback port, and a person's walk through its sign-in and consent pages with `requests`
(the browser test walks them in Chromium).

scripts/run-tests.sh installs its packages (`npm ci` in tests/idp, ensure_test_idp); nothing is
downloaded while the tests run.
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests

IDP_DIR = Path(__file__).resolve().parent.parent / "idp"
CLIENT_ID = "meridian-portal"
CLIENT_SECRET = "test-client-secret-0123456789"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class OpenIDProvider:
    issuer: str
    accounts_file: Path
    process: subprocess.Popen
    accounts: dict = field(default_factory=dict)

    def add_person(self, login: str, *, email: str, name: str, password: str = "idp-password-1") -> None:
        self.accounts[login] = {"email": email, "name": name, "password": password}
        self.accounts_file.write_text(json.dumps(self.accounts))

    def remove_person(self, login: str) -> None:
        self.accounts.pop(login, None)
        self.accounts_file.write_text(json.dumps(self.accounts))

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_openid_provider(folder: Path, redirect_uris: list[str]) -> OpenIDProvider:
    if not (IDP_DIR / "node_modules" / "oidc-provider").is_dir():
        raise RuntimeError("tests/idp has no node_modules: run scripts/run-tests.sh (it runs npm ci there)")
    port = free_port()
    accounts_file = folder / "idp-accounts.json"
    accounts_file.write_text("{}")
    config = folder / "idp-config.json"
    config.write_text(
        json.dumps(
            {
                "clients": [
                    {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "redirect_uris": redirect_uris}
                ],
                "accounts_file": str(accounts_file),
            }
        )
    )
    process = subprocess.Popen(
        ["node", str(IDP_DIR / "oidc_server.js"), str(port), str(config)],
        cwd=IDP_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    line = process.stdout.readline()
    if line.strip() != "listening":
        process.kill()
        raise RuntimeError(f"the test OpenID Provider did not start: {line!r}")
    return OpenIDProvider(issuer=f"http://127.0.0.1:{port}", accounts_file=accounts_file, process=process)


FORM = re.compile(r'<form method="post" action="([^"]+)"')


def walk_to_portal(
    start_url: str, portal_prefix: str, *, login: str, password: str, session=None, pages: list | None = None
) -> str:
    """Follow the identity provider from the authorization URL the portal sent us to, sign in as
    `login` and allow access, until it sends us back to the portal: that URL (the callback with
    its code). Raises AssertionError with the page when the provider stops us (wrong password,
    person removed). `pages`: the titles of the provider's pages shown on the way are added to it."""
    session = session or requests.Session()
    url, data = start_url, None
    for _ in range(12):
        if url.startswith(portal_prefix):
            return url
        response = (
            session.post(url, data=data, allow_redirects=False)
            if data is not None
            else session.get(url, allow_redirects=False)
        )
        if response.is_redirect:
            url, data = urljoin(url, response.headers["Location"]), None
            continue
        form = FORM.search(response.text)
        if pages is not None:
            pages.extend(re.findall(r"<h1>(.*?)</h1>", response.text))
        assert response.status_code == 200 and form, f"the identity provider stopped: {response.text[:500]}"
        action = urljoin(url, unescape(form.group(1)))
        if urlsplit(action).path.endswith("/login"):
            data = {"login": login, "password": password}
        else:
            data = {}
        url = action
    raise AssertionError("the identity provider never sent us back")
