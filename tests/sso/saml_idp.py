"""A real SAML 2.0 identity provider for the tests: pysaml2 (tests/idp/saml_server.py, signing with
the xmlsec1 binary) in a subprocess on a free loopback port, with a key and certificate made
for the run, and a person's walk through its pages with `requests`."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path

import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from .idp import IDP_DIR, free_port


def make_certificate(folder: Path, name: str) -> tuple[Path, Path, str]:
    """A fresh RSA key and self-signed certificate: (key file, certificate file, certificate PEM)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    key_file, cert_file = folder / f"{name}.key", folder / f"{name}.crt"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    pem = certificate.public_bytes(serialization.Encoding.PEM).decode()
    cert_file.write_text(pem)
    return key_file, cert_file, pem


@dataclass
class SamlIdentityProvider:
    base: str
    folder: Path
    certificate: str
    key_file: Path
    cert_file: Path
    process: subprocess.Popen | None = None
    accounts: dict = field(default_factory=dict)

    @property
    def entity_id(self) -> str:
        return f"{self.base}/metadata"

    @property
    def sso_url(self) -> str:
        return f"{self.base}/sso/redirect"

    def add_person(self, login: str, *, email: str, name: str, password: str = "idp-password-1") -> None:
        self.accounts[login] = {"email": email, "name": name, "password": password}
        (self.folder / "saml-accounts.json").write_text(json.dumps(self.accounts))

    def start(self, sp_metadata: str) -> None:
        """Start serving, trusting the portal's service-provider metadata."""
        (self.folder / "sp-metadata.xml").write_text(sp_metadata)
        (self.folder / "saml-accounts.json").write_text(json.dumps(self.accounts))
        config = self.folder / "saml-config.json"
        config.write_text(
            json.dumps(
                {
                    "key_file": str(self.key_file),
                    "cert_file": str(self.cert_file),
                    "sp_metadata_file": str(self.folder / "sp-metadata.xml"),
                    "accounts_file": str(self.folder / "saml-accounts.json"),
                }
            )
        )
        port = self.base.rsplit(":", 1)[1]
        self.process = subprocess.Popen(
            [sys.executable, str(IDP_DIR / "saml_server.py"), port, str(config)],
            cwd=self.folder,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        line = self.process.stdout.readline()
        if line.strip() != "listening":
            self.process.kill()
            raise RuntimeError(
                f"the test SAML identity provider did not start: {self.process.stderr.read()[-2000:]}"
            )

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=5)


def new_saml_identity_provider(folder: Path) -> SamlIdentityProvider:
    key_file, cert_file, pem = make_certificate(folder, "saml-idp")
    return SamlIdentityProvider(
        base=f"http://127.0.0.1:{free_port()}",
        folder=folder,
        certificate=pem,
        key_file=key_file,
        cert_file=cert_file,
    )


FORM = re.compile(r'<form method="post" action="([^"]+)">(.*?)</form>', re.S)
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def walk_to_portal(start_url: str, *, login: str, password: str) -> tuple[str, dict]:
    """From the sign-in request the portal sent us with to the identity provider's answer: the ACS
    URL and the form fields (SAMLResponse, RelayState) its "Continue" button posts there."""
    session = requests.Session()
    response = session.get(start_url)
    form = FORM.search(response.text)
    assert form, f"the SAML identity provider stopped: {response.text[:500]}"
    fields = {k: unescape(v) for k, v in HIDDEN.findall(form.group(2))}
    response = session.post(
        requests.compat.urljoin(start_url, unescape(form.group(1))),
        data={**fields, "login": login, "password": password},
    )
    form = FORM.search(response.text)
    assert form and "SAMLResponse" in form.group(2), (
        f"the SAML identity provider stopped: {response.text[:500]}"
    )
    return unescape(form.group(1)), {k: unescape(v) for k, v in HIDDEN.findall(form.group(2))}
