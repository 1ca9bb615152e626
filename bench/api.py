"""The read API (integration/api): a page of 100 projects for a token of the organization with
the most projects, the first page and one deep in (by cursor), against the trivial page.
`bench` is a `measures.Bench`."""

from __future__ import annotations

import datetime as dt

from integration.api.models import ApiToken
from integration.api.paging import encode_cursor
from integration.api.tokens import TOKEN_START, hash_secret
from portal.core import clock
from projects.selectors import projects_visible_to_organization

# A fixed secret for the bench database alone (its row is kept between runs, as a token's is).
BENCH_PREFIX = "benchtok"
BENCH_SECRET = f"{TOKEN_START}{BENCH_PREFIX}_bench-only-token-never-valid-anywhere-else-0123456789"


def _token(bench) -> str:
    organization = bench.executive.organization
    token, _ = ApiToken.objects.get_or_create(
        prefix=BENCH_PREFIX,
        defaults={
            "organization": organization,
            "name": "Bench",
            "secret_hash": hash_secret(BENCH_SECRET),
            "created_by": bench.executive,
            "expires_at": clock.now() + dt.timedelta(days=3650),
        },
    )
    assert token.organization_id == organization.pk and token.is_active_at(clock.now())
    return BENCH_SECRET


def projects_page(bench) -> None:
    headers = {"Authorization": f"Bearer {_token(bench)}"}
    visible = projects_visible_to_organization(organization=bench.executive.organization)
    ids = list(visible.order_by("pk").values_list("pk", flat=True))
    middle = ids[len(ids) // 2] if ids else 0
    for name, url in (
        ("api_projects", "/api/v1/projects?limit=100"),
        ("api_projects_deep", f"/api/v1/projects?limit=100&cursor={encode_cursor(middle)}"),
    ):
        result = bench.page(name, bench.executive, url, headers=headers)
        result.extra["visible"] = len(ids)
