"""Small helpers every app's views share."""

from django.core.paginator import Page, Paginator
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

from .exceptions import ServiceError

PAGE_SIZE = 25


def paginate(request: HttpRequest, object_list, per_page: int = PAGE_SIZE) -> Page:
    """The requested page of every list in the portal.

    A number past the end shows the last page (someone paging on, or following an old link after
    rows went away, stays at the end); junk (`abc`, `0`, `-1`, `2.5`) shows the first page.
    """
    paginator = Paginator(object_list, per_page)
    raw = (request.GET.get("page") or "").strip()
    try:
        number = int(raw)
    except ValueError:
        number = paginator.num_pages if raw == "last" else 1
    if number < 1:
        number = 1
    elif number > paginator.num_pages:
        number = paginator.num_pages
    return paginator.page(number)


def local_url(request: HttpRequest, target: str, fallback: str) -> str:
    """`target` if it is a path on this site (no open redirect through ?next= or a stored link), else
    `fallback`.

    Only absolute paths qualify: `redirect()` would read "abc" as a view name and fail, and a value
    with control characters would break the Location header.
    """
    if (
        target.startswith("/")
        and target.isprintable()
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return fallback


def safe_next(request: HttpRequest, fallback: str) -> str:
    """Where `?next=` (or a posted `next`) asks to go, if it stays on this site; else `fallback`."""
    return local_url(request, request.POST.get("next") or request.GET.get("next") or "", fallback)


def querystring_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def add_service_error(form, error: ServiceError) -> None:
    """Show a refused business rule on the form, keeping what the person typed."""
    form.add_error(None, str(error))
