"""Forms for the discussion on an update: comments, questions, answers."""

from __future__ import annotations

from django import forms

from portal.core.forms import PortalForm

from ..models import CommentKind


class CommentForm(PortalForm):
    body = forms.CharField(
        label="Your comment or question",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        error_messages={"required": "Write something first."},
    )
    kind = forms.ChoiceField(
        choices=[
            (CommentKind.COMMENT, "Comment"),
            (CommentKind.QUESTION, "Question (starts the response clock)"),
        ],
        initial=CommentKind.COMMENT,
        widget=forms.RadioSelect,
        required=False,
    )
    is_internal = forms.BooleanField(required=False, label="CDMO-internal note (the sponsor never sees it)")

    def __init__(self, *args, may_ask: bool, may_post_internal: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_ask:
            del self.fields["kind"]
            self.fields["body"].label = "Your comment"
        if not may_post_internal:
            del self.fields["is_internal"]

    def clean_kind(self):
        return self.cleaned_data.get("kind") or CommentKind.COMMENT


class AnswerForm(PortalForm):
    body = forms.CharField(
        label="Answer",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        error_messages={"required": "Write the answer first."},
    )
