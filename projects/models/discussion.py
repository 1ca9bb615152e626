"""The discussion on an update: comments, sponsor questions with a response clock, answers."""

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.utils import timezone

from portal.core.triggers import any_changed

from .updates import StatusUpdate


class CommentKind(models.TextChoices):
    COMMENT = "comment", "Comment"
    QUESTION = "question", "Question"
    ANSWER = "answer", "Answer"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class UpdateComment(models.Model):
    """The discussion on an update: comments, sponsor questions with a response clock, answers.

    `is_internal` notes are CDMO-only and never shown to sponsor users, anywhere.
    """

    update = models.ForeignKey(StatusUpdate, on_delete=models.PROTECT, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=CommentKind.choices, default=CommentKind.COMMENT)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="answers"
    )
    body = models.TextField()
    is_internal = models.BooleanField(
        "CDMO-internal note", default=False, help_text="Only the CDMO team sees it."
    )
    created_at = models.DateTimeField(default=timezone.now)
    respond_by = models.DateTimeField(
        null=True, blank=True, help_text="Questions: when the agreed response time runs out."
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind=CommentKind.QUESTION, respond_by__isnull=False)
                | (~models.Q(kind=CommentKind.QUESTION) & models.Q(respond_by__isnull=True)),
                name="comment_question_has_clock",
            ),
            models.CheckConstraint(
                condition=models.Q(kind=CommentKind.ANSWER, parent__isnull=False)
                | (~models.Q(kind=CommentKind.ANSWER) & models.Q(parent__isnull=True)),
                name="comment_answer_has_question",
            ),
            models.CheckConstraint(
                condition=models.Q(is_internal=False) | models.Q(kind=CommentKind.COMMENT),
                name="comment_internal_notes_are_comments",
            ),
            models.CheckConstraint(
                condition=models.Q(answered_at__isnull=True)
                | models.Q(kind=CommentKind.QUESTION, answered_by__isnull=False),
                name="comment_only_questions_are_answered",
            ),
            models.CheckConstraint(condition=~models.Q(body=""), name="comment_has_body"),
        ]
        indexes = [
            # The stale-communication worker scans only questions still waiting for an answer.
            models.Index(
                fields=["respond_by"],
                condition=models.Q(kind=CommentKind.QUESTION, answered_at__isnull=True),
                name="question_unanswered_idx",
            ),
            models.Index(fields=["update", "created_at"], name="comment_update_idx"),
        ]
        triggers = [
            pgtrigger.Protect(name="comment_no_delete", operation=pgtrigger.Delete),
            pgtrigger.Protect(
                name="comment_is_immutable",
                operation=pgtrigger.Update,
                condition=any_changed(
                    "update", "author", "kind", "parent", "body", "is_internal", "created_at", "respond_by"
                ),
            ),
            pgtrigger.Protect(
                name="comment_answer_time_is_final",
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(old__answered_at__isnull=False)
                & any_changed("answered_at", "answered_by"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.author} on {self.update}"

    @property
    def is_question(self) -> bool:
        return self.kind == CommentKind.QUESTION

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None

    @property
    def answer_time(self):
        """How long the answer took (a timedelta), or None while open."""
        if self.answered_at is None:
            return None
        return self.answered_at - self.created_at

    @property
    def answered_in_time(self) -> bool | None:
        if self.answered_at is None or self.respond_by is None:
            return None
        return self.answered_at <= self.respond_by

    def is_overdue(self, now=None) -> bool:
        now = now or timezone.now()
        return self.is_question and self.answered_at is None and self.respond_by < now
