"""Back from the identity provider (docs/sso.md): the page the person was signing on, again."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib.auth.decorators import login_required
from django.http import Http404, QueryDict
from django.urls import Resolver404, resolve

from portal.sso.fresh import take_fresh_sign_in

from . import idp
from .models import SigningIntent


@login_required
def idp_return_view(request, signing_token: str):
    """GET (from the identity provider): apply its answer, then show the page the person signed on
    as it was posted, with the dialog saying whether their identity is confirmed. POST (the
    "Confirm signature" of that page, whose form posts here): the page's own view signs.

    Either way the page's own view answers, through its own checks (who may see and sign what); a
    nonce of another person is 404."""
    nonce = signing_token
    intent = SigningIntent.objects.filter(nonce=nonce, user=request.user).first()
    if intent is None:
        raise Http404("No such signing.")
    try:
        page = resolve(urlsplit(intent.return_url).path)
    except Resolver404:
        raise Http404("The page of this signing is gone.") from None
    if request.method != "POST":
        problem = idp.answered(intent, take_fresh_sign_in(request, nonce))
        data = QueryDict(mutable=True)
        for key, values in intent.data.items():
            data.setlist(key, values)
        data[f"{intent.prefix}-intent" if intent.prefix else "intent"] = nonce
        request.method = "POST"
        request.POST = data
        request.signing_replay = nonce  # the dialog shows the confirmation; nothing is signed
        request.signing_problem = problem
    return page.func(request, *page.args, **page.kwargs)
