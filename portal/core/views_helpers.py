"""Small helpers every app's views share."""

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

from .exceptions import ServiceError

PAGE_SIZE = 25


def paginate(request: HttpRequest, object_list, per_page: int = PAGE_SIZE) -> Page:
    """The requested page; out-of-range or junk page numbers fall back gracefully."""
    return Paginator(object_list, per_page).get_page(request.GET.get("page"))


def querystring_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def add_service_error(form, error: ServiceError) -> None:
    """Show a refused business rule on the form, keeping what the person typed."""
    form.add_error(None, str(error))
