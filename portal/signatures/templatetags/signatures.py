"""`{% signed_by record as shown %}`: the record's signatures, each checked against the record as it
is now. Pages and PDFs then `{% include "signatures/_manifest.html" %}`; emails write each
`item.manifestation` ("Signed by <name>, <date time zone>, meaning <meaning>", 11.50) and say
"record changed after signing" when `item.intact` is False."""

from django import template

from ..services import signatures_of

register = template.Library()


@register.simple_tag
def signed_by(record):
    return signatures_of(record)
