"""The single sign-on page passes axe at both widths, filled in and with entries listed, and after
a save refused with errors (the accessibility walk reaches it only when it gets that far)."""

import pytest
from playwright.sync_api import Browser

from portal.sso.models import SignInEvent, SignInEventKind
from tests.browser import ConsoleWatch, log_in
from tests.test_accessibility import Audit

from .conftest import configure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_single_sign_on_page_passes_axe(browser: Browser, live_server, start_idp, orbital, orbital_admin):
    idp = start_idp(live_server.url)
    configure(orbital_admin, idp.issuer, enforce=True, break_glass_user=orbital_admin)
    SignInEvent.objects.create(
        organization=orbital, kind=SignInEventKind.OUTSIDE_DOMAINS, email="eve@elsewhere.test"
    )
    watch = ConsoleWatch()
    page = watch.watch(browser.new_context()).new_page()
    log_in(page, live_server.url, orbital_admin.email)  # the break-glass admin: a password, while enforced
    page.wait_for_url(f"{live_server.url}/projects/**")
    audit = Audit()
    page.goto(f"{live_server.url}/organization/single-sign-on/")
    audit.check(page, "org admin")
    page.get_by_label("Email domains").fill("not a domain!")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("is not a domain name").wait_for()
    audit.check(page, "org admin, refused")
    assert audit.failures == []
    assert watch.take() == []
