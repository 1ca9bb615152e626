from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from portal.accounts import views as account_views
from portal.core import views as core_views
from portal.sso import views as sso_views

admin.site.site_header = f"{settings.PORTAL_NAME} portal administration"
admin.site.site_title = f"{settings.PORTAL_NAME} admin"

urlpatterns = [
    path("", core_views.home_view, name="home"),
    path("healthz", core_views.healthz_view, name="healthz"),
    # Before allauth's own: its last SAML step answers a replayed response with a bare 403.
    path("accounts/saml/<str:slug>/acs/finish/", sso_views.saml_finish_view, name="sso_saml_finish"),
    path("accounts/", include("allauth.urls")),
    path("account/", include("portal.accounts.urls")),
    path("", include("portal.organizations.urls")),
    path("", include("portal.sso.urls")),  # /organization/single-sign-on/
    path("projects/", include("projects.urls")),
    path("", include("meetings.urls")),  # /meetings/… and /projects/<id>/meetings/…
    path("", include("issues.urls")),  # /service-issues/… and /projects/<id>/service-issues/…
    path("", include("oversight.monitoring.urls")),  # /dashboard/… and /projects/<id>/flags/
    path("", include("oversight.scorecards.urls")),  # /projects/<id>/health/
    path("", include("integration.api.urls")),  # /api/v1/… and /organization/api-tokens/
    path("", include("integration.webhooks.urls")),  # /organization/webhooks/…
    path("notifications/", include("portal.notifications.urls")),
    path("documents/", include("portal.documents.urls")),
    path("", include("portal.signatures.urls")),  # /signatures/idp/<nonce>/: back from the identity provider
    # Before the admin's own login, which has no rate limit and no second factor.
    path("admin/login/", account_views.admin_login_view, name="admin_login"),
    path("admin/", admin.site.urls),
]
