"""Signing in for the browser journeys (real Chromium against the live server)."""

import re
from urllib.parse import urlsplit

from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page

from tests.factories.organizations import DEFAULT_PASSWORD


def log_in(page: Page, base: str, email: str) -> None:
    """Sign `email` in on `page` through the real login form."""
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def sign_in(browser: Browser, live_server, user) -> Page:
    """A browser window of its own for `user`, signed in and on where sign-in lands them: the
    dashboard for an executive, their projects for everyone else."""
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    log_in(page, live_server.url, user.email)
    page.wait_for_url(re.compile(rf"^{re.escape(live_server.url)}/(projects|dashboard)/"))
    return page


# A quiet console -----------------------------------------------------------------------------
# Chromium reports a Content-Security-Policy violation to the page as a `securitypolicyviolation`
# event; the script below turns each one into a console error, so one listener sees both.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile || location.href}:${event.lineNumber}`);
});
"""


class ConsoleWatch:
    """Console errors, CSP violations and uncaught exceptions of every page of the contexts it watches.

    A page answered with an error status on purpose (a 404 a test asks for) makes Chromium log
    "Failed to load resource" for that document (and for the /favicon.ico it then asks for): those
    lines are not a problem of the page."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self._error_documents: set[str] = set()

    def watch(self, context: BrowserContext) -> BrowserContext:
        context.add_init_script(REPORT_CSP_VIOLATIONS)
        context.on("console", self._console)
        context.on("weberror", lambda error: self.problems.append(f"uncaught: {error.error}"))
        context.on("response", self._response)
        return context

    def _response(self, response) -> None:
        if response.status >= 400 and response.request.is_navigation_request():
            self._error_documents.add(response.url)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        url = message.location.get("url", "")
        if message.text.startswith("Failed to load resource") and (
            url in self._error_documents or urlsplit(url).path == "/favicon.ico"
        ):
            # The error page itself, or the icon Chromium asks for on its own for a page that names
            # none (Django's plain error pages).
            return
        self.problems.append(f"{url}: {message.text}")

    def take(self) -> list[str]:
        """The problems seen since the last call."""
        problems, self.problems = self.problems, []
        return problems
