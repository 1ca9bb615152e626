"""The machinery of the hostile-input walk (tests/test_hostile_input_walk.py): the junk, a parser
for the forms and links of a page, and `Walk`, which sends the requests and records what broke.
"""

from __future__ import annotations

import time
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from django.urls import Resolver404, resolve, reverse

from .test_outsider_walk import OUR_MODULES

HUGE = "W" * 100_000
# Junk that every field of a form gets at once (one request each): emptiness, a wrong type,
# a NUL byte. Junk whose effect depends on the field goes into each field in turn, the
# others keeping their rendered values.
WHOLE_FORM_JUNK = ("", "abc", "nul\x00byte")
# Control characters and a header-injecting line break share a value: one validator refuses both.
TEXT_JUNK = ("ctl\x07\x1b[2J line\r\nBcc: victim@example.com", HUGE)
DATE_JUNK = ("0001-01-01", "9999-12-31")
TIME_JUNK = ("25:99",)
NUMBER_JUNK = ("99999999999999999999", "-1")
PATH_JUNK = ("99999999999999999999", "9" * 5000, "\x00", "x" * 5000)
QUERY_JUNK = ("nul\x00byte", "q" * 5000)
NEVER_SUBMITTED = {"csrfmiddlewaretoken"}
UNFUZZED_TYPES = {"submit", "button", "image", "reset", "file"}
SENTINEL = 987654321
# A form, path or query parameter one walker fuzzed is not fuzzed again by the next (same
# route, same fields): the roles differ in what they are shown, not in how a form is checked.
FUZZED_FORMS: set = set()
FUZZED_PARAMS: set = set()
FUZZED_PATHS: set = set()


# Parsing -------------------------------------------------------------------------------------


@dataclass
class Field:
    name: str
    kind: str  # input type, "textarea" or "select"
    values: list[str] = field(default_factory=list)
    options: list[str] = field(default_factory=list)


@dataclass
class Form:
    method: str
    action: str
    fields: dict[str, Field] = field(default_factory=dict)

    def data(self) -> dict[str, list[str]]:
        return {name: list(f.values) for name, f in self.fields.items() if f.values}


class PageParser(HTMLParser):
    """Forms (with the values they would submit as rendered) and links of one page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._form: Form | None = None
        self._textarea: Field | None = None
        self._select: Field | None = None
        self._select_multiple = False
        self._option_value: str | None = None
        self._option_text = ""
        self._option_selected = False

    def _add(self, f: Field) -> Field:
        return self._form.fields.setdefault(f.name, f) if self._form is not None else f

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag == "form":
            action = a.get("action") or a.get("hx-post") or a.get("hx-get") or ""
            method = (a.get("method") or ("post" if a.get("hx-post") else "get")).lower()
            self._form = Form(method=method, action=action)
            self.forms.append(self._form)
            return
        if self._form is None or "name" not in a:
            if tag == "option" and self._select is not None:
                self._start_option(a)
            return
        name = a["name"]
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in {"submit", "button", "image"}:
                if kind == "submit" and name not in self._form.fields:
                    self._add(Field(name, "submit", [a.get("value", "")]))
                return
            f = self._add(Field(name, kind))
            if kind in {"checkbox", "radio"}:
                f.options.append(a.get("value", "on"))
                if "checked" in a:
                    f.values.append(a.get("value", "on"))
            elif kind != "file":
                f.values.append(a.get("value", ""))
        elif tag == "button":
            if (a.get("type") or "submit") == "submit" and name not in self._form.fields:
                self._add(Field(name, "submit", [a.get("value", "")]))
        elif tag == "textarea":
            self._textarea = self._add(Field(name, "textarea", [""]))
        elif tag == "select":
            self._select = self._add(Field(name, "select"))
            self._select_multiple = "multiple" in a
        elif tag == "option" and self._select is not None:
            self._start_option(a)

    def _start_option(self, a):
        self._option_value = a.get("value")
        self._option_text = ""
        self._option_selected = "selected" in a

    def _end_option(self):
        value = self._option_value if self._option_value is not None else self._option_text.strip()
        self._select.options.append(value)
        if self._option_selected:
            self._select.values.append(value)
        self._option_value = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.values[-1] += data
        elif self._select is not None and self._option_value is not None:
            self._option_text += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            # The HTML parser keeps the newline browsers drop right after <textarea>.
            value = self._textarea.values[-1]
            self._textarea.values[-1] = value[1:] if value.startswith("\n") else value
            self._textarea = None
        elif tag == "option" and self._select is not None and self._option_value is not None:
            self._end_option()
        elif tag == "select" and self._select is not None:
            if not self._select.values and self._select.options and not self._select_multiple:
                self._select.values.append(self._select.options[0])
            self._select = None
        elif tag == "form":
            self._form = None


def parse_page(body: str) -> PageParser:
    parser = PageParser()
    parser.feed(body)
    parser.close()
    return parser


# The walk ------------------------------------------------------------------------------------


def _ours(path: str) -> str | None:
    """The route name if `path` is served by one of our views, else None."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    module = getattr(match.func, "__module__", "")
    return match.view_name if module.startswith(OUR_MODULES) else None


def _is_valid_text(value: str) -> bool:
    return bool(value) and not any(unicodedata.category(c) == "Cc" for c in value)


@dataclass
class Walk:
    client: object
    foreign_ids: tuple[str, ...]
    routes: int = 0
    forms: int = 0
    fields: int = 0
    requests: int = 0
    phase: str = "pages"
    errors: list[str] = field(default_factory=list)
    seen_forms: set = field(default_factory=lambda: FUZZED_FORMS)
    seen_params: set = field(default_factory=lambda: FUZZED_PARAMS)
    params: int = 0
    kept_checks: int = 0
    seconds: dict = field(default_factory=dict)
    pending_forms: list = field(default_factory=list)
    pending_params: list = field(default_factory=list)

    def send(self, method: str, url: str, data=None, **extra):
        self.requests += 1
        started = time.monotonic()
        try:
            response = getattr(self.client, method)(url, data or {}, **extra)
            if getattr(response, "streaming", False):
                # A download is read to its end, as a browser does: an error midway is a 500, and
                # the test client closes the response at its end (its server-side cursor now, not
                # the garbage collector in the middle of a later query). Not response.close():
                # outside the client that closes the test's database connection.
                b"".join(response.streaming_content)
        except Exception as error:  # a test-client exception is a 500 in production
            self.errors.append(f"500 {method.upper()} {url[:200]}: {type(error).__name__}: {error}"[:400])
            return None
        finally:
            self.seconds[self.phase] = self.seconds.get(self.phase, 0) + time.monotonic() - started
        if response.status_code >= 500:
            self.errors.append(f"{response.status_code} {method.upper()} {url[:200]} {_describe(data)}")
        return response

    # Pages and what they offer ---------------------------------------------------------------

    def visit(self, url: str) -> None:
        response = self.send("get", url)
        if (
            response is not None
            and response.status_code == 302
            and "/accounts/login/" not in response["Location"]
        ):
            # htmx-only views (inline edit rows) redirect plain requests: ask as htmx does.
            response = self.send("get", url, HTTP_HX_REQUEST="true")
        if response is None or response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            return
        page = parse_page(response.content.decode())
        for form in page.forms:
            target = urlsplit(urljoin(url, form.action or url))
            route = _ours(target.path)
            if route is None:
                continue
            key = (form.method, route, tuple(sorted(form.fields)))
            if key not in self.seen_forms:
                self.seen_forms.add(key)
                self.pending_forms.append((target.path + (f"?{target.query}" if target.query else ""), form))
        for href in page.links:
            target = urlsplit(urljoin(url, href))
            if target.scheme not in {"", "http"} or not target.query or _ours(target.path) is None:
                continue
            for name, _ in parse_qsl(target.query, keep_blank_values=True):
                key = (_ours(target.path), name)
                if key not in self.seen_params:
                    self.seen_params.add(key)
                    self.pending_params.append((target.path, target.query, name))

    # Junk --------------------------------------------------------------------------------------

    def junk_for(self, f: Field) -> tuple[str, ...]:
        if f.kind in {"date", "datetime-local", "month"}:
            return DATE_JUNK
        if f.kind == "time":
            return TIME_JUNK
        if f.kind in {"number", "range", "hidden"}:
            return NUMBER_JUNK
        if f.kind in {"select", "radio", "checkbox", "submit"}:
            return self.foreign_ids  # another tenant's objects
        return TEXT_JUNK

    def fuzz(self, url: str, form: Form) -> None:
        self.forms += 1
        base = form.data()
        fuzzable = [
            f for f in form.fields.values() if f.name not in NEVER_SUBMITTED and f.kind not in UNFUZZED_TYPES
        ]
        for junk in WHOLE_FORM_JUNK:
            self.submit(url, form, {**base, **{f.name: [junk] for f in fuzzable}}, fuzzable)
        for f in fuzzable:
            self.fields += 1
            for junk in self.junk_for(f):
                self.submit(url, form, {**base, f.name: [junk]}, [f])

    def submit(self, url: str, form: Form, data: dict, fuzzed: list[Field]) -> None:
        response = self.send(form.method, url, data)
        if response is None or response.status_code != 200 or b'class="errorlist' not in response.content:
            return
        # The form came back with errors: what was typed as valid text must still be there.
        typed = [
            (f, data[f.name][0])
            for f in fuzzed
            if f.kind not in {"select", "radio", "checkbox", "password", "hidden", "submit"}
            and _is_valid_text(data[f.name][0])
        ]
        if not typed:
            return
        self.kept_checks += 1
        shown = {}
        for again in parse_page(response.content.decode()).forms:
            for g in again.fields.values():
                shown.setdefault(g.name, []).extend(g.values)
        for f, value in typed:
            if f.name in shown and value not in shown[f.name]:
                self.errors.append(
                    f"typed input lost: {url} field {f.name!r} sent {value[:40]!r}, "
                    f"shown {[v[:60] for v in shown[f.name]]}"
                )

    def fuzz_path(self, route: str, kwarg_names: list[str], kwargs: dict) -> None:
        if route in FUZZED_PATHS:
            return
        FUZZED_PATHS.add(route)
        for name in kwarg_names:
            placeholder = SENTINEL if isinstance(kwargs[name], int) else f"sentinel{SENTINEL}"
            url = reverse(route, kwargs={**kwargs, name: placeholder})
            for junk in PATH_JUNK:
                self.send("get", url.replace(str(placeholder), junk.replace("\x00", "%00")))

    def fuzz_query(self, path: str, query: str, name: str) -> None:
        self.params += 1
        params = parse_qsl(query, keep_blank_values=True)
        for junk in QUERY_JUNK:
            changed = [(k, junk if k == name else v) for k, v in params]
            self.send("get", f"{path}?{urlencode(changed)}")


def _describe(data) -> str:
    if not data:
        return ""
    shown = {k: (v[0][:30] + "…" if v and len(v[0]) > 30 else v) for k, v in data.items()}
    return str(shown)[:300]
