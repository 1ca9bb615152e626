"""What the sign-in page asks a higher layer: single sign-on lives above accounts (portal/sso), so
it registers its answers here from its `AppConfig.ready()`:

    register_sign_in_route(route_for_email)   # email -> start(request, next_url) or None
    register_password_rule(password_refusal)  # user -> why their password is refused, or None

The sign-in form (portal/accounts/forms.py) sends a person whose email routes somewhere there when
they leave the password empty, and the account adapter refuses a correct password a rule refuses.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

StartSignIn = Callable[[HttpRequest, "str | None"], HttpResponse]
RouteFinder = Callable[[str], "StartSignIn | None"]
PasswordRule = Callable[[HttpRequest, object], "str | None"]

_route_finders: list[RouteFinder] = []
_password_rules: list[PasswordRule] = []


def register_sign_in_route(finder: RouteFinder) -> None:
    if finder not in _route_finders:
        _route_finders.append(finder)


def register_password_rule(rule: PasswordRule) -> None:
    if rule not in _password_rules:
        _password_rules.append(rule)


def route_for_email(email: str) -> StartSignIn | None:
    """How this address signs in elsewhere (its organization's identity provider), or None."""
    for finder in _route_finders:
        start = finder(email)
        if start is not None:
            return start
    return None


def password_refusal(request: HttpRequest, user) -> str | None:
    """Why `user`, whose password was right, may not sign in with it; None when they may."""
    for rule in _password_rules:
        reason = rule(request, user)
        if reason:
            return reason
    return None
