from django.conf import settings


def portal(request):
    return {"PORTAL_NAME": "Meridian", "SITE_URL": settings.SITE_URL}
