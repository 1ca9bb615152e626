import re

from django import forms

from portal.accounts.models import OrgRole, User
from portal.core.forms import PortalForm

from .discovery import IssuerProblem, check_issuer
from .models import Protocol, SigningMethod
from .saml import certificate_body, read_metadata

DOMAIN_PATTERN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


class IdentityProviderForm(PortalForm):
    """An organization's OpenID Connect identity provider. The client secret is never shown again:
    the field is empty on every page and an empty field keeps the one stored."""

    protocol = forms.ChoiceField(choices=Protocol.choices, initial=Protocol.OIDC)
    name = forms.CharField(max_length=100, label="Name on the sign-in button", initial="Single sign-on")
    issuer_url = forms.URLField(
        required=False,
        max_length=500,
        label="Issuer URL (SAML: entity ID)",
        assume_scheme="https",
        help_text="For example https://login.example.com/. Its discovery document is checked when you save.",
    )
    client_id = forms.CharField(max_length=255, required=False, label="Client ID (OpenID Connect)")
    client_secret = forms.CharField(
        required=False,
        max_length=500,
        label="Client secret (OpenID Connect)",
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}, render_value=False),
    )
    metadata_url = forms.URLField(
        required=False,
        max_length=500,
        assume_scheme="https",
        label="SAML metadata URL",
        help_text="Read when you save: the entity ID, sign-on URL and signing certificate come from it.",
    )
    sso_url = forms.URLField(
        required=False, max_length=500, assume_scheme="https", label="SAML single sign-on URL"
    )
    certificate = forms.CharField(
        required=False,
        max_length=20000,
        label="SAML signing certificate",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="PEM. Only without a metadata URL.",
    )
    email_domains = forms.CharField(
        max_length=2000,
        label="Email domains",
        help_text="One per line or separated by commas. People whose address ends in one of them sign in here.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    default_role = forms.ChoiceField(
        choices=OrgRole.choices, initial=OrgRole.MEMBER, label="Role of people signing in for the first time"
    )
    enabled = forms.BooleanField(required=False, label="Sign in through this identity provider")
    enforce = forms.BooleanField(
        required=False, label="Enforce single sign-on (refuse password sign-in, except the break-glass admin)"
    )
    break_glass_user = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        label="Break-glass admin",
        help_text="The one admin who may still sign in with a password while single sign-on is enforced.",
    )
    signing_method = forms.ChoiceField(
        choices=SigningMethod.choices,
        initial=SigningMethod.PASSWORD,
        required=False,  # none chosen: the signing password, as before the choice existed
        widget=forms.RadioSelect,
        label="Electronic signatures",
        help_text=(
            "Signing password: people type a portal password they set for signing (and a code from "
            "their authenticator app, if they have one). Fresh sign-in: each signature sends them to "
            "this identity provider, which must ask them to sign in again (an existing session there "
            "does not count); people without an account linked to it, such as the break-glass admin, "
            "keep the signing password."
        ),
    )

    def __init__(self, *args, organization, has_secret: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.has_secret = has_secret
        self.fields["break_glass_user"].queryset = User.objects.filter(
            organization=organization, org_role=OrgRole.ADMIN, is_active=True
        ).order_by("full_name")
        self.fields["client_secret"].help_text = (
            "A secret is stored (encrypted); it is never shown. Leave this empty to keep it."
            if has_secret
            else "Stored encrypted and never shown again."
        )

    def clean_signing_method(self) -> str:
        return self.cleaned_data["signing_method"] or SigningMethod.PASSWORD

    def clean_email_domains(self) -> list[str]:
        raw = self.cleaned_data["email_domains"]
        domains = []
        for part in re.split(r"[\s,;]+", raw.lower()):
            part = part.strip().lstrip("@").rstrip(".")
            if not part:
                continue
            if not DOMAIN_PATTERN.match(part):
                raise forms.ValidationError(f"“{part[:80]}” is not a domain name (like example.com).")
            if part not in domains:
                domains.append(part)
        if not domains:
            raise forms.ValidationError("Give at least one email domain.")
        return domains

    def clean(self):
        data = super().clean()
        if data.get("enforce") and not data.get("enabled"):
            self.add_error("enforce", "Single sign-on can be enforced only while sign-in through it is on.")
        if data.get("protocol") == Protocol.SAML:
            self._clean_saml(data)
        elif data.get("protocol") == Protocol.OIDC:
            self._clean_oidc(data)
        data.pop("metadata_url", None)
        return data

    def _clean_oidc(self, data) -> None:
        for name in ("issuer_url", "client_id"):
            if not data.get(name) and name not in self.errors:
                self.add_error(name, "This field is required for OpenID Connect.")
        if not self.has_secret and not data.get("client_secret"):
            self.add_error("client_secret", "Give the client secret your identity provider issued.")
        if data.get("issuer_url") and not self.errors.get("issuer_url"):
            try:
                check_issuer(data["issuer_url"])
            except IssuerProblem as problem:
                self.add_error("issuer_url", str(problem))
        data["sso_url"], data["certificate"] = "", ""

    def _clean_saml(self, data) -> None:
        data["client_id"], data["client_secret"] = "", ""
        if data.get("metadata_url"):
            try:
                found = read_metadata(data["metadata_url"])
            except IssuerProblem as problem:
                self.add_error("metadata_url", str(problem))
                return
            data["issuer_url"], data["sso_url"], data["certificate"] = (
                found["entity_id"],
                found["sso_url"],
                found["certificate"],
            )
            return
        for name in ("issuer_url", "sso_url", "certificate"):
            if not data.get(name) and name not in self.errors:
                self.add_error(name, "Give a metadata URL, or the entity ID, sign-on URL and certificate.")
        if data.get("certificate"):
            try:
                data["certificate"] = certificate_body(data["certificate"])
            except IssuerProblem as problem:
                self.add_error("certificate", str(problem))
