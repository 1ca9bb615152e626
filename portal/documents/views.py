from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from portal.accounts.decorators import organization_member_required
from portal.core.uploads import download_response
from portal.core.views_helpers import paginate

from . import services
from .registry import registered
from .selectors import documents_for, get_document_for_user


@organization_member_required
def document_list_view(request):
    page = paginate(request, documents_for(user=request.user), per_page=20)
    return render(request, "documents/list.html", {"page": page})


@organization_member_required
def document_view(request, document_id: int):
    """The document's page: its progress while a worker builds it, then the download link. The
    status part polls itself every 2 s (htmx) until the document is ready or failed."""
    document = get_document_for_user(user=request.user, document_id=document_id)
    template = "documents/detail.html#status" if request.htmx else "documents/detail.html"
    kind = registered(document.kind)
    origin = kind.origin(document.parameters) if kind and kind.origin else ""
    context = {
        "document": document,
        "origin_url": origin,
        "origin_label": kind.origin_label if origin else "",
    }
    return render(request, template, context)


@organization_member_required
def document_download_view(request, document_id: int):
    document = get_document_for_user(user=request.user, document_id=document_id)
    if not document.is_ready:
        raise Http404("Not ready.")
    return download_response(document.file, document.filename, document.content_type)


@require_POST
@organization_member_required
def document_retry_view(request, document_id: int):
    document = get_document_for_user(user=request.user, document_id=document_id)
    return redirect(services.retry_document(user=request.user, document=document))
