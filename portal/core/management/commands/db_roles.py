"""Create the database's owner and app roles (idempotent); run as a superuser.

    DATABASE_URL=postgres://postgres@host/portal python manage.py db_roles --print-urls

Passwords come from DATABASE_OWNER_PASSWORD and DATABASE_APP_PASSWORD (none: trust/peer auth).
With --print-urls it prints the owner's URL, then the app role's, for the scripts to use.
"""

import os
from urllib.parse import quote

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from portal.core.database import ensure_roles, grant_app_role


def role_url(*, role: str, password: str | None) -> str:
    db = connection.settings_dict
    credentials = quote(role, safe="") + (f":{quote(password, safe='')}" if password else "")
    host = db["HOST"] or "localhost"
    host = f"[{host}]" if ":" in host else host
    return f"postgres://{credentials}@{host}:{db['PORT'] or 5432}/{quote(db['NAME'], safe='')}"


class Command(BaseCommand):
    help = "Create the owner and app database roles and give the app role its row privileges."

    def add_arguments(self, parser):
        parser.add_argument("--print-urls", action="store_true", help="print the owner's URL, then the app's")

    def handle(self, *args, print_urls: bool, **options):
        owner, app = settings.DATABASE_OWNER_ROLE, settings.DATABASE_APP_ROLE
        owner_password = os.environ.get("DATABASE_OWNER_PASSWORD") or None
        app_password = os.environ.get("DATABASE_APP_PASSWORD") or None
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            (superuser,) = cursor.fetchone()
        if not superuser:
            # Someone else manages the roles (a hosted database): use the URL as given.
            self.stderr.write(
                f"{connection.settings_dict['USER']} is not a superuser: roles left as they are"
            )
            if print_urls:
                given = role_url(
                    role=connection.settings_dict["USER"], password=connection.settings_dict["PASSWORD"]
                )
                self.stdout.write(f"{given}\n{given}")
            return
        with transaction.atomic(), connection.cursor() as cursor:
            ensure_roles(
                cursor=cursor,
                database=connection.settings_dict["NAME"],
                owner=owner,
                app=app,
                owner_password=owner_password,
                app_password=app_password,
            )
            grant_app_role(cursor=cursor, role=app)
        if print_urls:
            self.stdout.write(role_url(role=owner, password=owner_password))
            self.stdout.write(role_url(role=app, password=app_password))
