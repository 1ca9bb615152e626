"""Settings for the Sponsor–CDMO portal.

Everything that differs between machines comes from the environment; the
defaults are safe for development on a laptop. Production sets DEBUG=0,
SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, REDIS_URL and the email settings.
"""

import os
from email.utils import formataddr, parseaddr
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from portal.env import env_bool, env_list
from portal.settings_integration import *  # noqa: F403 (webhooks and the read API)

BASE_DIR = Path(__file__).resolve().parent.parent

# Development is the default; production sets DEBUG=0 and everything below tightens.
DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production-0123456789abcdef"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# The product's one name: page titles, emails (sender, subjects, footers), the authenticator app.
PORTAL_NAME = "Meridian"
# Rows the dashboard CSV reads from its cursor at a time (and flags it loads per query).
DASHBOARD_EXPORT_BATCH = 500
# Rows of programs the dashboard PDF shows at most (the CSV has them all); a PDF of thousands of
# rows is no one's reading and takes a worker minutes to lay out.
DASHBOARD_PDF_MAX_ROWS = 300
# A document being built with no progress for this long is taken over by the next worker.
DOCUMENT_STALE_SECONDS = 600
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    "django_htmx",
    "template_partials",
    "csp",
    "pgtrigger",
    "pghistory",
    "django_celery_beat",
    # The foundation
    "portal.core",
    "portal.accounts",
    "portal.organizations",
    "portal.sso",
    "portal.notifications",
    "portal.documents",
    "portal.signatures",
    # The domain apps
    "projects",
    "meetings",
    "issues",
    # The oversight layer, which reads across the domain apps
    "oversight.monitoring",
    "oversight.scorecards",
    # The integration layer: the read API (integration/api) and what serves its docs (ninja's
    # own Swagger UI files, never a CDN)
    "ninja",
    "integration.api",
    # what a customer's own systems hear from the portal (integration/webhooks)
    "integration.webhooks",
    # The demo world on top
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "portal.core.middleware.RefuseNulBytesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "portal.core.middleware.AllowedMethodsMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "portal.accounts.middleware.RequireOrganizationMFAMiddleware",
    "portal.accounts.middleware.UserTimeZoneMiddleware",
    "pghistory.middleware.HistoryMiddleware",
    "portal.core.middleware.TriggeredByMiddleware",
    "integration.api.middleware.ApiRequestLogMiddleware",  # the read API's request log
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.core.context_processors.portal",
                "portal.notifications.context_processors.notifications",
            ],
        },
    },
]
# Drop-downs written in Python, the rest as Django renders it (portal/core/form_renderer.py).
FORM_RENDERER = "portal.core.form_renderer.PortalFormRenderer"

# Connections are bounded per process by psycopg's pool: a process never holds more than
# DB_POOL_MAX_SIZE, however many threads it runs (one persistent connection per thread drove
# runserver to PostgreSQL's limit); a thread that finds them all busy waits DB_POOL_TIMEOUT
# seconds. A server's ceiling is processes x DB_POOL_MAX_SIZE: gunicorn.conf.py runs as many
# threads per process as the pool holds, the scripts give Celery processes a pool of one.
# DB_POOL_MAX_SIZE=0 turns the pool off (a connection per request, closed after it).
DB_POOL_MAX_SIZE = int(os.environ.get("DB_POOL_MAX_SIZE", "4"))
DATABASES = {
    # Health checks: with the pool, a connection PostgreSQL dropped (a restart) is replaced
    # before a request gets it.
    "default": dj_database_url.config(
        default="postgres://postgres@127.0.0.1:5432/portal", conn_max_age=0, conn_health_checks=True
    )
}
if DB_POOL_MAX_SIZE > 0:
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": DB_POOL_MAX_SIZE,
        "timeout": float(os.environ.get("DB_POOL_TIMEOUT", "30")),
    }
# PostgreSQL's JIT compiles the dashboard's query plan on every request: 124 ms of its 292 ms
# at 10,000 projects, for queries that then run in milliseconds. Off unless DB_JIT=1.
if not env_bool("DB_JIT", False):
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Database roles (portal/core/database.py): migrations run as the owner; the web app and the
# workers connect as the app role, which `migrate` grants row access to (README, "Production").
DATABASE_OWNER_ROLE = os.environ.get("DATABASE_OWNER_ROLE", "portal_owner")
DATABASE_APP_ROLE = os.environ.get("DATABASE_APP_ROLE", "portal_app")

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

# The cache lives in PostgreSQL, not Redis: login rate limits and sessions must
# keep working when Redis is down (the web app degrades, it does not fail).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "portal_cache",
    }
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"

# django-allauth: email is the login, sign-up is by invitation only.
ACCOUNT_ADAPTER = "portal.accounts.adapter.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{PORTAL_NAME}] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if not DEBUG else "http"
ACCOUNT_RATE_LIMITS = {
    # Failed logins per IP and per account; allauth blocks further attempts.
    "login_failed": os.environ.get("LOGIN_RATE_LIMIT", "10/m/ip,5/5m/key"),
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
}
ACCOUNT_FORMS = {"login": "portal.accounts.forms.PortalLoginForm"}
# Single sign-on per organization (portal/sso, docs/sso.md): allauth's apps are built from each
# organization's IdentityProvider row, never stored in allauth's SocialApp table.
SOCIALACCOUNT_ADAPTER = "portal.sso.adapter.SingleSignOnAdapter"
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_OPENID_CONNECT_URL_PREFIX = "oidc"
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_REQUESTS_TIMEOUT = 10
# Fernet keys for identity providers' client secrets, comma-separated, the first encrypts
# (portal/sso/secrets.py); empty derives one from SECRET_KEY.
SSO_SECRET_KEYS = env_list("SSO_SECRET_KEYS")
# Issuers on plain http (and on this machine's addresses) only in development and the tests: in
# production the portal fetches nothing but https from the addresses org admins type.
SSO_ALLOW_INSECURE_ISSUERS = env_bool("SSO_ALLOW_INSECURE_ISSUERS", DEBUG)
# How far an identity provider's clock may run behind ours when a signature asks for a fresh
# sign-in there (its auth_time / AuthnInstant against the moment the signing began).
SSO_CLOCK_SKEW_SECONDS = int(os.environ.get("SSO_CLOCK_SKEW_SECONDS", "30"))
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = PORTAL_NAME

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# The address comes from the environment (a display name given there is replaced by the product's).
DEFAULT_FROM_EMAIL = formataddr(
    (PORTAL_NAME, parseaddr(os.environ.get("DEFAULT_FROM_EMAIL", ""))[1] or "no-reply@portal.example")
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"  # never served directly; files go through permission-checked views

# Security headers. Production (DEBUG off) gets the strict set; `check --deploy` is clean.
# Secure cookies and the HTTPS redirect are on in production; scripts/run-portal.sh turns them off
# explicitly for plain http://127.0.0.1 (SESSION_COOKIE_SECURE=0 ..., never through DEBUG).
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Content Security Policy: no inline scripts or styles; everything from our origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

# Celery: Redis broker; tasks are queued after the transaction commits.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A fixed number of worker processes (not one per core), so their database connections are bounded.
CELERY_WORKER_CONCURRENCY = int(os.environ.get("CELERY_WORKER_CONCURRENCY", "2"))
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TIMEZONE = "UTC"
# DatabaseScheduler that claims each schedule slot in PostgreSQL: two beats never double a task.
CELERY_BEAT_SCHEDULER = "portal.core.beat:ClaimingScheduler"
# Transactional outbox (portal/core/queue.py): work not finished this long after it was sent
# (doubling with each send) is sent again by the relay, which runs every OUTBOX_RELAY_SECONDS.
OUTBOX_LEASE_SECONDS = float(os.environ.get("OUTBOX_LEASE_SECONDS", "60"))
# A change to a project's monitored data re-evaluates its red flags after commit (the sweep
# remains the safety net). oversight/monitoring/listeners.py.
MONITORING_RECHECK_ON_CHANGE = os.environ.get("MONITORING_RECHECK_ON_CHANGE", "1") == "1"
OUTBOX_RELAY_SECONDS = float(os.environ.get("OUTBOX_RELAY_SECONDS", "30"))

# Webhooks and the read API: portal/settings_integration.py. Plain http to this machine only when
# WEBHOOK_ALLOW_LOCAL (DEBUG, the tests).
WEBHOOK_ALLOW_LOCAL = os.environ.get("WEBHOOK_ALLOW_LOCAL", "1" if DEBUG else "0") == "1"
# An email still "sending" this long after a worker claimed it: that worker died.
NOTIFICATION_STUCK_AFTER_SECONDS = float(os.environ.get("NOTIFICATION_STUCK_AFTER_SECONDS", "75"))
# Schedules live here, in code; the DatabaseScheduler copies them into the database on start,
# where staff can see and pause them in the admin (a pause survives restarts).
CELERY_BEAT_SCHEDULE = {
    # The outbox relay (portal/core/queue.py): work lost with Redis or a dead worker is sent again.
    "core: relay background work not finished in time": {
        "task": "core.relay_outbox",
        "schedule": OUTBOX_RELAY_SECONDS,
    },
    # Monitoring (oversight/monitoring/tasks.py): red flags, their notices, and reminders before them.
    # The projects whose flags could have changed with time alone (changes re-evaluate at once).
    "monitoring: sweep the red-flag rules": {
        "task": "monitoring.sweep",
        "schedule": 15 * 60.0,
    },
    # Every rule over every project: the safety net of the quarter-hourly sweep.
    "monitoring: reconcile every project's flags (nightly)": {
        "task": "monitoring.reconcile",
        "schedule": crontab(hour=2, minute=40),
    },
    # Separate from the sweep, so flags a killed sweep raised are announced within a minute.
    "monitoring: announce new and lasting flags": {
        "task": "monitoring.send_flag_notices",
        "schedule": 60.0,
    },
    "monitoring: reminders (update due tomorrow, questions, action items)": {
        "task": "monitoring.send_reminders",
        "schedule": crontab(minute=5),
    },
    # Scorecards (oversight/scorecards/figures.py): a change refreshes its project's figures at
    # once (with its flags' recheck); every project nightly, for figures that move with time alone.
    "scorecards: refresh every project's figures, then the roll-ups (nightly)": {
        "task": "scorecards.refresh_all",
        "schedule": crontab(hour=3, minute=10),
    },
    "scorecards: roll up relationships and project managers": {
        "task": "scorecards.roll_up",
        "schedule": crontab(minute=35),
    },
    # Calendar feeds (meetings/feed.py): rebuild the stored feeds whose data changed (CHECK_EVERY).
    "meetings: refresh calendar feeds that changed": {
        "task": "meetings.tasks.check_calendar_feeds",
        "schedule": 10 * 60.0,
    },
    # Notifications (portal/notifications/tasks.py): safety nets for email delivery, daily digests.
    "notifications: send emails still pending": {
        "task": "notifications.deliver_pending",
        "schedule": 60.0,
    },
    "notifications: recover emails a dead worker left": {
        "task": "notifications.recover_stuck_deliveries",
        "schedule": 30.0,
    },
    "notifications: daily digests (hourly, each person at their hour)": {
        "task": "notifications.send_digests",
        "schedule": crontab(minute=0),
    },
}

# Audit trail: middleware records the user and URL of every write request.
PGHISTORY_MIDDLEWARE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
PGHISTORY_APPEND_ONLY = True

# Uploads: bounded request size; attachment rules live with the attachments.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
