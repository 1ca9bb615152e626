"""Where a sign-in lands: executives on the dashboard, everyone else on their projects; a `next`
given to the sign-in page always wins."""

import pytest
from django.urls import reverse


def _sign_in(client, email, password, next_url=None):
    url = reverse("account_login")
    if next_url:
        url = f"{url}?next={next_url}"
    return client.post(url, {"login": email, "password": password})


@pytest.mark.django_db
def test_an_executive_lands_on_the_dashboard(client, sponsor_exec, password):
    response = _sign_in(client, "exec@acme.test", password)
    assert response.status_code == 302
    assert response["Location"] == reverse("monitoring:dashboard")
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.django_db
def test_a_project_manager_lands_on_the_projects(client, cdmo_pm, password):
    response = _sign_in(client, "pm@northbridge.test", password)
    assert response.status_code == 302
    assert client.get(response["Location"], follow=True).redirect_chain[-1][0] == reverse("projects:list")


@pytest.mark.django_db
def test_an_admin_is_not_sent_to_the_dashboard(client, cdmo_admin, password):
    response = _sign_in(client, "admin@northbridge.test", password)
    assert response.status_code == 302
    assert response["Location"] != reverse("monitoring:dashboard")


@pytest.mark.django_db
def test_next_wins_for_an_executive_and_a_project_manager(client, sponsor_exec, cdmo_pm, password, project):
    wanted = reverse("meetings:my_meetings")
    response = _sign_in(client, "exec@acme.test", password, next_url=wanted)
    assert response["Location"] == wanted
    client.logout()
    response = _sign_in(client, "pm@northbridge.test", password, next_url=wanted)
    assert response["Location"] == wanted


@pytest.mark.django_db
def test_an_outside_next_is_ignored(client, sponsor_exec, password):
    response = _sign_in(client, "exec@acme.test", password, next_url="https://evil.example/")
    assert response["Location"] == reverse("monitoring:dashboard")
