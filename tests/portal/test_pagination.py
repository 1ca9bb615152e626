"""`?page=` on every list (portal.core.views_helpers.paginate), through a real list view."""

import pytest
from django.urls import reverse

from tests.factories.notifications import NotificationFactory


@pytest.fixture
def two_pages(login, sponsor_lead, project):
    """30 notifications: 25 on page 1 (Item 29 … Item 05), 5 on page 2 (Item 04 … Item 00)."""
    for n in range(30):
        NotificationFactory(recipient=sponsor_lead, project=project, title=f"Item {n:02d}")
    return login(sponsor_lead)


def _page(client, value) -> str:
    response = client.get(reverse("notifications:list"), {"page": value})
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["3", "99", "99999999999999999999999", "last"])
def test_a_page_past_the_end_shows_the_last_page(two_pages, value):
    html = _page(two_pages, value)
    assert "Page 2 of 2" in html
    assert "Item 04" in html and "Item 05" not in html


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["abc", "-1", "0", "2.5", "", " ", "1e3"])
def test_a_junk_page_number_shows_the_first_page(two_pages, value):
    html = _page(two_pages, value)
    assert "Page 1 of 2" in html
    assert "Item 05" in html and "Item 04" not in html


@pytest.mark.django_db
def test_a_real_page_number_shows_that_page(two_pages):
    assert "Page 2 of 2" in _page(two_pages, "2")
    assert "Page 1 of 2" in _page(two_pages, "1")


@pytest.mark.django_db
def test_a_single_page_list_asked_for_page_two_shows_its_rows(login, sponsor_lead, project):
    NotificationFactory(recipient=sponsor_lead, project=project, title="The only one")
    assert "The only one" in _page(login(sponsor_lead), "2")
