"""A real HTTP receiver on loopback, started by the tests: it records every POST (headers and
body) and answers with the codes it is told to, in order (then 200)."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from integration.webhooks import signing
from tests.factories.webhooks import SECRET


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)

    def verifies(self, secret: str = SECRET) -> bool:
        return signing.verify(secret, self.body, self.headers[signing.HEADER])


@dataclass
class Receiver:
    url: str
    answers: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    # The receiver's own bookkeeping, as docs/webhooks.md advises: act on an event id once.
    handled: list[str] = field(default_factory=list)
    hang_next: bool = False  # the next request is left unanswered until `release` is set
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def events(self) -> list[str]:
        return [r.json["event"] for r in self.received]


def _handler(receiver: Receiver):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with receiver.lock:
                receiver.received.append(Received(self.path, dict(self.headers.items()), body))
                hang, receiver.hang_next = receiver.hang_next, False
                code = receiver.answers.pop(0) if receiver.answers else 200
            if hang:
                receiver.release.wait(60)  # the sender is killed meanwhile; nobody reads this answer
                return
            self.send_response(code)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")
            if 200 <= code < 300:
                event_id = json.loads(body)["id"]
                with receiver.lock:
                    if event_id not in receiver.handled:
                        receiver.handled.append(event_id)

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture
def receiver():
    server = ThreadingHTTPServer(("127.0.0.1", 0), None)
    box = Receiver(url=f"http://127.0.0.1:{server.server_address[1]}/hooks")
    server.RequestHandlerClass = _handler(box)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield box
    box.release.set()
    server.shutdown()
    server.server_close()
