"""Reads: a person sees the documents they asked for, nobody else's (404)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from .models import Document


def documents_for(*, user) -> QuerySet[Document]:
    """What `user` asked for while in their current organization, newest first."""
    if not user.is_authenticated or not user.organization_id:
        return Document.objects.none()
    return Document.objects.filter(requested_by=user, organization_id=user.organization_id)


def get_document_for_user(*, user, document_id: int) -> Document:
    """The person's own document, or Http404 (someone else's, even in the same organization)."""
    document = documents_for(user=user).filter(pk=document_id).first()
    if document is None:
        raise Http404("No such document.")
    return document
