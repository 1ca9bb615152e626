"""Action items: marking one done, and the person's list across projects."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from portal.accounts.decorators import organization_member_required
from portal.core.exceptions import NotAllowed, ServiceError
from portal.core.views_helpers import paginate, querystring_without_page, safe_next
from projects.selectors import get_project_for_user

from .. import services
from ..forms import ActionItemFilterForm
from ..selectors import action_item_for, action_items_for_user

# --- action items ----------------------------------------------------------------------------


@login_required
@require_POST
def action_item_toggle_view(request, project_id: int, actionitem_id: int):
    project, access = get_project_for_user(user=request.user, project_id=project_id)
    item = action_item_for(access=access, actionitem_id=actionitem_id)
    done = request.POST.get("done") == "1"
    try:
        if done:
            item = services.action_item_complete(access=access, item=item)
        else:
            item = services.action_item_reopen(access=access, item=item)
    except NotAllowed as error:
        raise PermissionDenied(str(error)) from error
    except ServiceError as error:
        if request.htmx:
            return HttpResponse(str(error), status=409)
        messages.error(request, str(error))
    if request.htmx:
        item = action_item_for(access=access, actionitem_id=item.pk)
        item.can_complete = True
        layout = request.POST.get("layout", "meeting")
        return render(
            request,
            "meetings/_action_item_row.html",
            {"item": item, "layout": layout, "today": timezone.localdate(), "next": safe_next(request, "")},
        )
    if not request.htmx and done:
        messages.success(request, f"“{item.title}” marked done.")
    return redirect(safe_next(request, item.get_absolute_url()))


@organization_member_required
def my_action_items_view(request):
    user = request.user
    form = ActionItemFilterForm(request.GET or None, user=user)
    filters = form.to_filters()
    page = paginate(request, action_items_for_user(user=user, filters=filters))
    for item in page.object_list:
        item.can_complete = item.owner_id == user.pk
    context = {
        "form": form,
        "page": page,
        "filters": filters,
        "querystring": querystring_without_page(request),
        "filtered": any(request.GET.get(name) for name in ("status", "project", "project_q", "owner")),
        "today": timezone.localdate(),
    }
    return render(request, "meetings/my_action_items.html", context)
