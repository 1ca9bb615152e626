"""The signing dialog's fields, for any signed action: the meaning, an optional comment, the
password and (first signing of a session, with an authenticator app) a code.

    form = SigningForm(request.POST or None, action="meetings.minutes_confirm", record=meeting, request=request)
    if request.method == "POST" and form.is_valid():
        signature = form.sign(perform=lambda: meeting_confirm_minutes(...))  # None: errors on the form

The typed comment comes back with any error; passwords never do.

When the signer's organization signs through a fresh sign-in at its identity provider (and the
signer has an account linked there), the dialog has no password: submitting it goes there and back
(portal/signatures/idp.py), and the page comes back with "Confirm signature".
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.db import models

from portal.core.exceptions import ServiceError
from portal.core.forms import PortalForm
from portal.sso.fresh import signing_identity_provider

from . import idp
from .models import Meaning, Signature
from .registry import signed_action
from .services import SigningRefused, needs_code, sign


class SigningForm(PortalForm):
    meaning = forms.ChoiceField(label="My signature means", widget=forms.RadioSelect)
    comment = forms.CharField(
        label="Comment", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    code = forms.CharField(
        label="Code from your authenticator app",
        required=False,
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    shown = forms.CharField(widget=forms.HiddenInput)

    def __init__(
        self,
        data=None,
        *,
        action: str,
        record: models.Model,
        request,
        authoring: bool = False,
        meaning: str | None = None,
        **kwargs,
    ):
        """`authoring`: the signer wrote the record on this very page (publishing an update), so
        there is no earlier reading of it to compare with. `meaning`: one of the action's meanings
        the page's button already says (an approve and a reject dialog of the same action)."""
        self.action = signed_action(action)
        self.record = record
        self.request = request
        super().__init__(data, **kwargs)
        if authoring:
            del self.fields["shown"]
        allowed = self.action.meanings
        if meaning is not None:
            if meaning not in allowed:
                raise ValueError(f"{action} is not signed with the meaning {meaning!r}.")
            allowed = [meaning]
        self.fields["meaning"].choices = [(value, Meaning(value).label) for value in allowed]
        if len(allowed) == 1:
            self.fields["meaning"].initial = allowed[0]
            self.fields["meaning"].widget = forms.HiddenInput()
        if "shown" in self.fields:
            self.fields["shown"].initial = self.action.digest(record)
        self.identity_provider = signing_identity_provider(request.user)
        self.confirmed = None  # the SigningIntent confirmed at the identity provider
        self.problem = ""
        if self.identity_provider is not None:
            self._through_identity_provider()
            return
        self.asks_code = needs_code(request.user, request.session)
        if self.asks_code:
            self.fields["code"].required = True
        else:
            del self.fields["code"]

    def _through_identity_provider(self) -> None:
        del self.fields["password"], self.fields["code"]
        self.asks_code = False
        self.fields["intent"] = forms.CharField(required=False, widget=forms.HiddenInput)
        self.intent_field = self.add_prefix("intent")
        nonce = self.data.get(self.intent_field, "") if self.is_bound else ""
        self.replay = bool(nonce) and getattr(self.request, "signing_replay", None) == nonce
        if not self.replay:
            return
        intent = idp.intent_for(
            nonce, user=self.request.user, signed=self.action, record=self.record, prefix=self.prefix
        )
        self.problem = getattr(self.request, "signing_problem", "") or (idp.usable(intent) if intent else "")
        if intent is not None and not self.problem:
            self.confirmed = intent
        else:
            self._drop_intent()

    def _drop_intent(self) -> None:
        """The next submission starts a new round trip to the identity provider."""
        self.data = self.data.copy()
        self.data[self.intent_field] = ""

    @property
    def meaning_label(self) -> str:
        """The meaning when the action has only one (shown as a sentence, not a choice)."""
        choices = self.fields["meaning"].choices
        return choices[0][1] if len(choices) == 1 else ""

    def sign(self, perform: Callable[[], object] | None = None, *, errors_on=None) -> Signature | None:
        """Sign (and run `perform` with it); None with the reasons on the form when refused.
        With `errors_on` (the action's own form), a business rule `perform` refuses (ServiceError)
        is shown there too, nothing signed; without it, the error goes to the caller."""
        data = self.cleaned_data
        try:
            if self.identity_provider is not None:
                return self._sign_through_identity_provider(data, perform)
            return sign(
                user=self.request.user,
                session=self.request.session,
                action=self.action.key,
                record=self.record,
                meaning=data["meaning"],
                password=data["password"],
                code=data.get("code", ""),
                comment=data.get("comment", ""),
                shown=data.get("shown"),
                perform=perform,
            )
        except SigningRefused as refused:
            if (
                refused.record_changed and "shown" in self.fields
            ):  # the page now shows the record as it is: that is what they sign
                self.data = self.data.copy()
                self.data["shown"] = self.action.digest(self.record)
            for field, message in refused.errors.items():
                self.add_error(field if field in self.fields else None, message)
            if self.identity_provider is not None:
                self._drop_intent()
            return None
        except ServiceError as error:
            if errors_on is None:
                raise
            errors_on.add_error(None, str(error))
            return None

    def _sign_through_identity_provider(self, data, perform) -> Signature | None:
        """Shown again after the round trip: nothing to do yet. Without an intent: go to the
        identity provider (this never returns). With one: sign with it."""
        if self.replay:
            return None
        common = {
            "signed": self.action,
            "record": self.record,
            "prefix": self.prefix,
            "field": self.intent_field,
        }
        if not data.get("intent"):
            idp.begin(
                request=self.request,
                identity_provider=self.identity_provider,
                meaning=data["meaning"],
                comment=data.get("comment", "").strip(),
                **common,
            )
        return idp.sign_with_intent(
            request=self.request,
            nonce=data["intent"],
            meaning=data["meaning"],
            comment=data.get("comment", ""),
            shown=data.get("shown") if "shown" in self.fields else None,
            perform=perform,
            **common,
        )
