"""The dashboard as a PDF, rendered by WeasyPrint from the same context as the page."""

from django.conf import settings
from django.template.loader import render_to_string


def render_dashboard_pdf(context: dict, *, request=None) -> bytes:
    from weasyprint import HTML  # imported here: it takes ~0.4 s and only this view needs it

    html = render_to_string("monitoring/dashboard_pdf.html", context, request=request)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
