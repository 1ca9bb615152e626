"""The bell, the list, mark as read, opening a notification, and email preferences."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.notifications.models import EmailMode, Notification, NotificationPreference
from tests.factories.notifications import NotificationFactory


def _bell_count(html: str) -> str | None:
    match = re.search(r'id="notification-bell".*?</a>', html, re.S)
    assert match, "no bell on the page"
    count = re.search(r'class="bell-count"[^>]*>([^<]+)<', match.group(0))
    return count.group(1) if count else None


@pytest.mark.django_db
def test_the_bell_shows_the_unread_count_on_every_page(login, sponsor_lead, project):
    NotificationFactory.create_batch(3, recipient=sponsor_lead, project=project)
    NotificationFactory(recipient=sponsor_lead, read_at="2026-03-01T10:00Z")
    NotificationFactory()  # someone else's

    client = login(sponsor_lead)
    for url in (reverse("projects:list"), project.get_absolute_url(), reverse("notifications:list")):
        html = client.get(url).content.decode()
        assert _bell_count(html) == "3", url
        assert 'aria-label="Notifications: 3 unread"' in html


@pytest.mark.django_db
def test_the_bell_says_99_plus_beyond_99(login, sponsor_lead):
    NotificationFactory.create_batch(100, recipient=sponsor_lead)
    assert _bell_count(login(sponsor_lead).get(reverse("projects:list")).content.decode()) == "99+"


@pytest.mark.django_db
def test_no_unread_means_a_quiet_bell(login, sponsor_lead):
    html = login(sponsor_lead).get(reverse("projects:list")).content.decode()
    assert _bell_count(html) is None
    assert 'aria-label="Notifications"' in html


def _queries_for(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [query["sql"] for query in captured.captured_queries]


@pytest.mark.django_db
def test_the_bell_costs_one_query_whatever_the_number_of_notifications(login, sponsor_lead, project):
    """Another app's page, with 0 and then 40 notifications: the same queries, one of them the bell's."""
    client = login(sponsor_lead)
    url = reverse("projects:list")
    client.get(url)  # warm the session
    before = _queries_for(client, url)
    NotificationFactory.create_batch(40, recipient=sponsor_lead, project=project)
    after = _queries_for(client, url)

    assert len(after) == len(before)
    bell = [sql for sql in after if '"notifications_notification"' in sql]
    assert len(bell) == 1 and bell[0].startswith("SELECT COUNT(*)")


@pytest.mark.django_db
@pytest.mark.parametrize("how_many", [3, 60])
def test_the_list_makes_a_fixed_number_of_queries(
    login, sponsor_lead, project, django_assert_num_queries, how_many
):
    NotificationFactory.create_batch(how_many, recipient=sponsor_lead, project=project)
    client = login(sponsor_lead)
    client.get(reverse("notifications:list"))
    # session, user, organization (MFA check), bell count, paginator count, the page with projects
    with django_assert_num_queries(6):
        response = client.get(reverse("notifications:list"))
    assert response.status_code == 200


@pytest.mark.django_db
def test_the_list_shows_newest_first_with_unread_highlighted_and_paginates(login, sponsor_lead, project):
    rows = [
        NotificationFactory(recipient=sponsor_lead, project=project, title=f"Item {n:02d}") for n in range(30)
    ]
    Notification.objects.filter(pk=rows[29].pk).update(read_at="2026-03-01T10:00Z")
    client = login(sponsor_lead)

    html = client.get(reverse("notifications:list")).content.decode()
    assert html.index("Item 29") < html.index("Item 28") < html.index("Item 05")
    assert "Item 04" not in html  # 25 per page
    assert "Page 1 of 2" in html
    assert html.count("notif-item is-unread") == 24
    assert "ACM-101" in html and "29 unread" in html

    page_two = client.get(reverse("notifications:list"), {"page": 2}).content.decode()
    assert "Item 04" in page_two and "Item 00" in page_two
    assert client.get(reverse("notifications:list"), {"page": "junk"}).status_code == 200


@pytest.mark.django_db
def test_unread_only_filter(login, sponsor_lead):
    NotificationFactory(recipient=sponsor_lead, title="Still unread")
    NotificationFactory(recipient=sponsor_lead, title="Already read", read_at="2026-03-01T10:00Z")
    html = login(sponsor_lead).get(reverse("notifications:list"), {"show": "unread"}).content.decode()
    assert "Still unread" in html and "Already read" not in html


@pytest.mark.django_db
def test_empty_states_say_what_happens_next(login, sponsor_lead):
    client = login(sponsor_lead)
    html = client.get(reverse("notifications:list")).content.decode()
    assert "No notifications yet" in html and "You are all caught up." in html
    NotificationFactory(recipient=sponsor_lead, read_at="2026-03-01T10:00Z")
    html = client.get(reverse("notifications:list"), {"show": "unread"}).content.decode()
    assert "Nothing unread" in html


@pytest.mark.django_db
def test_someone_elses_notifications_never_show(login, sponsor_lead, cdmo_pm):
    NotificationFactory(recipient=cdmo_pm, title="For the PM only")
    html = login(sponsor_lead).get(reverse("notifications:list")).content.decode()
    assert "For the PM only" not in html


@pytest.mark.django_db
def test_mark_read_with_htmx_swaps_the_item_and_updates_the_bell(login, sponsor_lead):
    first, _second = NotificationFactory.create_batch(2, recipient=sponsor_lead)
    response = login(sponsor_lead).post(
        reverse("notifications:mark_read", kwargs={"notification_id": first.pk}), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="notification-{first.pk}"' in html and "is-unread" not in html
    assert 'id="notification-bell"' in html and 'hx-swap-oob="true"' in html
    assert _bell_count(html) == "1"
    assert 'id="notification-summary" aria-live="polite" hx-swap-oob="true">1 unread' in html
    first.refresh_from_db()
    assert first.read_at is not None


@pytest.mark.django_db
def test_mark_read_without_javascript_comes_back_to_the_same_list_page(login, sponsor_lead):
    notification = NotificationFactory(recipient=sponsor_lead)
    url = reverse("notifications:mark_read", kwargs={"notification_id": notification.pk})
    client = login(sponsor_lead)

    response = client.post(url, {"next": "/notifications/?show=unread&page=2"})
    assert response.status_code == 302 and response["Location"] == "/notifications/?show=unread&page=2"
    response = client.post(url, {"next": "https://evil.example/phish"})
    assert response["Location"] == reverse("notifications:list")
    assert client.get(url).status_code == 405


@pytest.mark.django_db
def test_mark_all_read_touches_only_my_own(login, sponsor_lead, cdmo_pm):
    NotificationFactory.create_batch(3, recipient=sponsor_lead)
    theirs = NotificationFactory(recipient=cdmo_pm)
    client = login(sponsor_lead)

    response = client.post(reverse("notifications:mark_all_read"), follow=True)
    assert "Marked 3 notifications as read." in response.content.decode()
    assert not Notification.objects.filter(recipient=sponsor_lead, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.django_db
def test_opening_a_notification_marks_it_read_and_goes_to_the_thing(login, sponsor_lead, project):
    notification = NotificationFactory(recipient=sponsor_lead, url=project.get_absolute_url())
    response = login(sponsor_lead).get(
        reverse("notifications:open", kwargs={"notification_id": notification.pk})
    )
    assert response.status_code == 302 and response["Location"] == project.get_absolute_url()
    notification.refresh_from_db()
    assert notification.read_at is not None


@pytest.mark.django_db
def test_a_notification_never_leads_off_the_site(login, sponsor_lead):
    notification = NotificationFactory(recipient=sponsor_lead, url="//evil.example/")
    response = login(sponsor_lead).get(
        reverse("notifications:open", kwargs={"notification_id": notification.pk})
    )
    assert response["Location"] == reverse("notifications:list")


@pytest.mark.django_db
@pytest.mark.parametrize("route", ["notifications:open", "notifications:mark_read"])
def test_only_the_recipient_may_open_or_mark_a_notification(login, sponsor_lead, cdmo_pm, outsider, route):
    notification = NotificationFactory(recipient=sponsor_lead)
    url = reverse(route, kwargs={"notification_id": notification.pk})
    method = "get" if route == "notifications:open" else "post"
    for other in (cdmo_pm, outsider):  # a colleague on the same project is as much a stranger here
        response = getattr(login(other), method)(url)
        assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in(client, sponsor_lead):
    notification = NotificationFactory(recipient=sponsor_lead)
    for url in (
        reverse("notifications:list"),
        reverse("notifications:preferences"),
        reverse("notifications:open", kwargs={"notification_id": notification.pk}),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    # The bell's periodic refresh after the session ended: nothing to swap, no login page in the bar.
    assert client.get(reverse("notifications:bell")).status_code == 204


@pytest.mark.django_db
def test_the_bell_refresh_returns_just_the_bell(login, sponsor_lead):
    NotificationFactory.create_batch(2, recipient=sponsor_lead)
    html = login(sponsor_lead).get(reverse("notifications:bell")).content.decode()
    assert html.startswith('<a id="notification-bell"') and _bell_count(html) == "2"
    assert "<html" not in html


@pytest.mark.django_db
def test_preferences_default_to_immediate_emails(login, sponsor_lead):
    html = login(sponsor_lead).get(reverse("notifications:preferences")).content.decode()
    assert re.search(r'value="immediate"[^>]*checked', html)
    assert '<option value="7" selected>07:00</option>' in html
    assert "America/New_York" in html


@pytest.mark.django_db
def test_choosing_a_daily_digest_at_six(login, sponsor_lead):
    client = login(sponsor_lead)
    response = client.post(
        reverse("notifications:preferences"), {"email_mode": "daily_digest", "digest_hour": "6"}, follow=True
    )
    assert "Your email preferences are saved." in response.content.decode()
    preference = NotificationPreference.objects.get(user=sponsor_lead)
    assert (preference.email_mode, preference.digest_hour) == (EmailMode.DAILY_DIGEST, 6)
    assert re.search(r'value="daily_digest"[^>]*checked', response.content.decode())


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data",
    [
        {"email_mode": "carrier_pigeon", "digest_hour": "7"},
        {"email_mode": "daily_digest", "digest_hour": "25"},
        {"email_mode": "daily_digest", "digest_hour": "seven"},
        {},
    ],
)
def test_bad_preferences_come_back_with_errors_not_a_crash(login, sponsor_lead, data):
    response = login(sponsor_lead).post(reverse("notifications:preferences"), data)
    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()
    assert not NotificationPreference.objects.filter(user=sponsor_lead).exists()
