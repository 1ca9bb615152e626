"""The project picker: a type-ahead combobox instead of a drop-down of every visible project.

A filter form derives from `ProjectPickerForm` and gets two inputs: `project` (the chosen id,
hidden; `?project=<id>` links keep working) and `project_q` (what the person sees and types).
With JavaScript the options come from `projects:search` (static/js/project-picker.js) and a
choice fills in the id. Without it the typed text filters by code or name. Typed text wins over
the id unless it is empty or still the chosen project's label.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe

from portal.core.forms import PortalForm

from ..models import Project
from ..selectors import picked_project, project_label
from ..selectors.search import TEXT_MAX


class ProjectPickerInput(forms.TextInput):
    """The combobox's text input, with its hidden id input and the listbox htmx fills."""

    template_name = "projects/_project_picker.html"

    def __init__(self, attrs=None, *, id_name: str = "project"):
        super().__init__(attrs)
        self.id_name = id_name
        self.picked: Project | None = None
        self.picked_id: int | None = None

    def render(self, name, value, attrs=None, renderer=None):
        # The portal's own template engine (templates/), not the form renderer's built-in dirs.
        return mark_safe(render_to_string(self.template_name, self.get_context(name, value, attrs)))

    def format_value(self, value):
        if not value and self.picked is not None:
            return project_label(self.picked)
        return super().format_value(value)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        listbox_id = f"{widget_attrs.get('id', name)}-listbox"
        search_url = f"{reverse('projects:search')}?field={self.id_name}"
        widget_attrs.update(
            {
                "role": "combobox",
                "autocomplete": "off",
                "aria-autocomplete": "list",
                "aria-expanded": "false",
                "aria-controls": listbox_id,
                "data-picker-input": "",
                "hx-get": search_url,
                "hx-trigger": "input changed delay:250ms, focus once",
                "hx-target": f"#{listbox_id}",
                "hx-swap": "innerHTML",
                "hx-push-url": "false",
                "hx-sync": "this:replace",
            }
        )
        context["picker"] = {
            "id_name": self.id_name,
            "id_value": self.picked_id or "",
            "listbox_id": listbox_id,
        }
        return context


@dataclass(frozen=True)
class ProjectChoice:
    """What a picker filters by: a project id, or typed text matched against code and name."""

    project_id: int | None = None
    text: str = ""


class ProjectPickerForm(PortalForm):
    project = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput)
    project_q = forms.CharField(
        required=False,
        max_length=TEXT_MAX,
        label="Project",
        widget=ProjectPickerInput(attrs={"placeholder": "Code or name"}),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._picker_user = user
        self._project_choice: ProjectChoice | None = None
        if user is None:
            del self.fields["project"]
            del self.fields["project_q"]

    @property
    def has_project_picker(self) -> bool:
        return "project_q" in self.fields

    def project_choice(self) -> ProjectChoice:
        """The id or the text to filter by; reads the chosen project (one query) to show its label."""
        if self._project_choice is not None:
            return self._project_choice
        choice = ProjectChoice()
        if self.has_project_picker and self.is_bound and self.is_valid():
            project_id = self.cleaned_data.get("project")
            text = (self.cleaned_data.get("project_q") or "").strip()
            picked = picked_project(user=self._picker_user, project_id=project_id)
            if text and (picked is None or text != project_label(picked)):
                choice = ProjectChoice(text=text)  # typed after (or without) choosing: the text wins
            else:
                choice = ProjectChoice(project_id=project_id)
                widget = self.fields["project_q"].widget
                widget.picked, widget.picked_id = picked, project_id
        self._project_choice = choice
        return choice
