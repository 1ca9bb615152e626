"""Writes the API's request log once the answer is known, so every row has its status code:
let through (200, 400, 404...), refused at the door (401) or over the limit (429). Only requests
that reached the token door (`auth.OrganizationToken`) are written, except the refused ones past
their address's limit after the first (`ApiDoor.recorded`); the docs and the schema are not
behind it. One INSERT (and the token's last use) per API request, nothing for other pages."""

from __future__ import annotations

from .auth import ATTRIBUTE
from .tokens import record_request


class ApiRequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        door = getattr(request, ATTRIBUTE, None)
        if door is not None and door.recorded:
            record_request(
                token=door.token,
                request=request,
                now=door.at,
                status_code=response.status_code,
                refusal=door.refusal,
            )
        return response
