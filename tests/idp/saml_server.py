"""A real SAML 2.0 identity provider for the tests: pysaml2's IdP (signing with the xmlsec1 binary),
served by wsgiref on a loopback port.

    python saml_server.py <port> <config.json>

config.json: {"key_file", "cert_file", "sp_metadata_file", "accounts_file"}. The accounts file
({"<login>": {"password", "email", "name"}}) is read on every sign-in, so a test removes a person
by rewriting it. The pages are plain forms without scripts: the sign-in form, then a "Continue"
button that posts the signed response to the portal. Prints "listening" when ready.
"""

import base64
import json
import sys
from html import escape
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, make_server

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_PERSISTENT
from saml2.server import Server
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

port = int(sys.argv[1])
with open(sys.argv[2]) as f:
    settings = json.load(f)
base = f"http://127.0.0.1:{port}"

config = IdPConfig()
config.load(
    {
        "entityid": f"{base}/metadata",
        "service": {
            "idp": {
                "endpoints": {"single_sign_on_service": [(f"{base}/sso/redirect", BINDING_HTTP_REDIRECT)]},
                "policy": {"default": {"lifetime": {"minutes": 5}, "name_form": NAME_FORMAT_URI}},
                "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                "want_authn_requests_signed": False,
            }
        },
        "key_file": settings["key_file"],
        "cert_file": settings["cert_file"],
        "metadata": {"local": [settings["sp_metadata_file"]]},
        "xmlsec_binary": "/usr/bin/xmlsec1",
    }
)
server = Server(config=config)
with open(settings["cert_file"]) as f:
    CERT = f.read()


def metadata_xml() -> str:
    sso = f"{base}/sso/redirect"
    cert = "".join(line for line in CERT.splitlines() if "-----" not in line)
    return (
        '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
        f'xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="{base}/metadata">'
        '<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
        '<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>'
        f"{cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
        f'<md:SingleSignOnService Binding="{BINDING_HTTP_REDIRECT}" Location="{sso}"/>'
        "</md:IDPSSODescriptor></md:EntityDescriptor>"
    )


def page(title: str, body: str) -> bytes:
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title></head>'
        f"<body><main><h1>{escape(title)}</h1>{body}</main></body></html>"
    ).encode()


def sign_in_form(saml_request: str, relay_state: str, problem: str = "") -> bytes:
    alert = f'<p role="alert">{escape(problem)}</p>' if problem else ""
    return page(
        "Sign in to the test SAML identity provider",
        f'{alert}<form method="post" action="/sso/login">'
        f'<input type="hidden" name="SAMLRequest" value="{escape(saml_request)}">'
        f'<input type="hidden" name="RelayState" value="{escape(relay_state)}">'
        '<label>Login <input name="login" autocomplete="username"></label>'
        '<label>Password <input name="password" type="password"></label>'
        '<button type="submit">Sign in</button></form>',
    )


def app(environ, start_response):
    path = environ["PATH_INFO"]
    html = [("Content-Type", "text/html; charset=utf-8")]
    if path == "/metadata":
        start_response("200 OK", [("Content-Type", "application/samlmetadata+xml")])
        return [metadata_xml().encode()]
    if path == "/sso/redirect":
        query = parse_qs(environ.get("QUERY_STRING", ""))
        start_response("200 OK", html)
        return [sign_in_form(query["SAMLRequest"][0], query.get("RelayState", [""])[0])]
    if path == "/sso/login" and environ["REQUEST_METHOD"] == "POST":
        length = int(environ.get("CONTENT_LENGTH") or 0)
        form = {k: v[0] for k, v in parse_qs(environ["wsgi.input"].read(length).decode()).items()}
        with open(settings["accounts_file"]) as f:
            person = json.load(f).get(form.get("login", ""))
        if not person or person["password"] != form.get("password"):
            start_response("200 OK", html)
            return [sign_in_form(form["SAMLRequest"], form.get("RelayState", ""), "Wrong login or password.")]
        request = server.parse_authn_request(form["SAMLRequest"], BINDING_HTTP_REDIRECT)
        args = server.response_args(request.message, [BINDING_HTTP_POST])
        response = server.create_authn_response(
            {
                "urn:oid:0.9.2342.19200300.100.1.3": [person["email"]],
                "urn:oid:2.16.840.1.113730.3.1.241": [person["name"]],
            },
            userid=form["login"],
            authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:Password", "authn_auth": base},
            sign_assertion=True,
            sign_response=True,
            sign_alg=SIG_RSA_SHA256,
            digest_alg=DIGEST_SHA256,
            **args,
        )
        encoded = base64.b64encode(str(response).encode()).decode()
        start_response("200 OK", html)
        return [
            page(
                "Continue to the portal",
                f'<form method="post" action="{escape(args["destination"])}">'
                f'<input type="hidden" name="SAMLResponse" value="{encoded}">'
                f'<input type="hidden" name="RelayState" value="{escape(form.get("RelayState", ""))}">'
                '<button type="submit">Continue</button></form>',
            )
        ]
    start_response("404 Not Found", html)
    return [page("Not found", "")]


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


httpd = make_server("127.0.0.1", port, app, handler_class=QuietHandler)
print("listening", flush=True)
httpd.serve_forever()
