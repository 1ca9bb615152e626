from django.apps import AppConfig


class SsoConfig(AppConfig):
    name = "portal.sso"
    label = "sso"
    verbose_name = "Single sign-on"

    def ready(self) -> None:
        # Accounts sits below us: it asks its sign-in questions through the registry we fill here.
        from portal.accounts.sign_in import register_password_rule, register_sign_in_route

        from .routing import password_refusal, route_for_email

        register_sign_in_route(route_for_email)
        register_password_rule(password_refusal)
