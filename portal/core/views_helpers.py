"""Small helpers every app's views share."""

from django.core.paginator import Page, Paginator
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

from .exceptions import ServiceError

PAGE_SIZE = 25


def paginate(request: HttpRequest, object_list, per_page: int = PAGE_SIZE) -> Page:
    """The requested page; out-of-range or junk page numbers fall back gracefully."""
    return Paginator(object_list, per_page).get_page(request.GET.get("page"))


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
