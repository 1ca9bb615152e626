from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from portal.core.forms import PortalForm
from portal.organizations.models import Organization
from projects.models import RAG, ProjectStatus
from projects.selectors import counterparties_for

from .models import FlagKind
from .selectors import DashboardFilters


def _attrs(attrs: dict) -> str:
    """As django/forms/widgets/attrs.html prints them."""
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{conditional_escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


class PlainSelect(forms.Select):
    """A select printed in Python, the very HTML of Django's select templates: the filters
    render on every dashboard page, and an included template per option cost more than the rows."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
            parts.extend(
                f'\n  <option value="{conditional_escape(option["value"])}"{_attrs(option["attrs"])}>'
                f"{conditional_escape(option['label'])}</option>\n"  # the option template's last line
                for option in options
            )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308  (every value escaped above)


class ListedChoices(ModelChoiceIterator):
    """The choices from one plain query: the default iterator reads through a server-side
    cursor (three round trips) for what is a handful of organizations."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in list(self.queryset):
            yield self.choice(obj)


class CounterpartyField(forms.ModelChoiceField):
    iterator = ListedChoices
    widget = PlainSelect


class DashboardFilterForm(PortalForm):
    q = forms.CharField(
        required=False, label="Search", widget=forms.SearchInput(attrs={"placeholder": "Code or name"})
    )
    counterparty = CounterpartyField(required=False, queryset=Organization.objects.none())
    status = forms.ChoiceField(
        required=False,
        choices=[("", "Any status"), *ProjectStatus.choices],
        initial="active",
        widget=PlainSelect,
    )
    overall = forms.ChoiceField(
        required=False,
        label="Overall status",
        choices=[("", "Any"), *RAG.choices, ("none", "No update yet")],
        widget=PlainSelect,
    )
    flag_kind = forms.ChoiceField(
        required=False, label="Open flag", choices=[("", "Any"), *FlagKind.choices], widget=PlainSelect
    )
    attention_only = forms.BooleanField(required=False, label="Needs attention only")

    def __init__(self, *args, counterparties, counterparty_label: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["counterparty"].queryset = counterparties
        self.fields["counterparty"].label = counterparty_label
        self.fields["counterparty"].empty_label = f"Any {counterparty_label}"

    def to_filters(self) -> DashboardFilters:
        if not self.is_bound:
            return DashboardFilters()
        data = self.cleaned_data if self.is_valid() else {}
        counterparty = data.get("counterparty")
        return DashboardFilters(
            q=(data.get("q") or "").strip(),
            counterparty=counterparty.pk if counterparty else None,
            status=data.get("status", "active") if "status" in self.data else "active",
            overall=data.get("overall", ""),
            flag_kind=data.get("flag_kind", ""),
            attention_only=bool(data.get("attention_only")),
            sort=self.data.get("sort", ""),  # not a field: junk falls back to the default order
        )


def dashboard_filter_form(*, user, data) -> DashboardFilterForm:
    """The dashboard's filters as `user` sees them, bound to `data` (a query string) if any."""
    return DashboardFilterForm(
        data or None,
        counterparties=counterparties_for(user=user),
        counterparty_label="CDMO" if user.organization.is_sponsor else "Sponsor",
    )


def filter_parameters(data) -> dict[str, str]:
    """The dashboard's filters and order from a query string, as a document's parameters: only
    the known keys, each value as typed (cut at 200 characters). Which keys are present matters
    (no `status` means the default, active; an empty one means any)."""
    keys = (*DashboardFilterForm.base_fields, "sort")
    return {key: str(data.get(key, ""))[:200] for key in keys if key in data}
