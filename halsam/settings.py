"""Settings for HälSam, read from the environment with one-machine defaults.

Every variable is documented in README.md ("Configuration"). Without any environment
the project runs on SQLite in ``data/``, runs Celery tasks eagerly in-process and
writes e-mail to the console. ``halsam.settings_production`` hardens this module for
deployment.
"""
from __future__ import annotations

from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

DATA_DIR = Path(env.str("HALSAM_DATA_DIR", default=str(BASE_DIR / "data")))

DEBUG = env.bool("DJANGO_DEBUG", default=False)
# The fallback key is only good for a developer's machine; production settings refuse it.
INSECURE_DEV_KEY = "django-insecure-halsam-development-key-not-for-production"  # noqa: S105
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default=INSECURE_DEV_KEY)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "halsam.apps.HalsamAdminConfig",  # django.contrib.admin with halsam.admin_site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",  # Django's widget templates, for FORM_RENDERER below
    "guardian",
    "simple_history",
    "governance",
    "meetings",
    "documents",
    "portal",
    "halsam.ops",  # manage.py backup / restore / backup_manifest (docs/operations.md)
]

MIDDLEWARE = [
    # /healthz first: no host check, no HTTPS redirect, no session (halsam/health.py).
    "halsam.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "halsam.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # A NUL in a parameter: 400, not a 500 from PostgreSQL (issue 12 §6).
    "halsam.middleware.RefuseNulMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # SQLite's write lock taken past the busy timeout: 503 + Retry-After (halsam/dbbusy.py).
    "halsam.dbbusy.DatabaseBusyMiddleware",
]

ROOT_URLCONF = "halsam.urls"
WSGI_APPLICATION = "halsam.wsgi.application"
# One form template set for the portal (templates/forms/, docs/design-system.md).
FORM_RENDERER = "halsam.form_renderer.HalsamFormRenderer"
ASGI_APPLICATION = "halsam.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url(
        "DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'halsam.sqlite3'}"
    ),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Concurrent writers (web workers, eager tasks, two run_due_jobs) on one SQLite file: WAL
# lets readers go on beside the writer; IMMEDIATE takes the write lock at BEGIN, so a
# transaction never has to upgrade a read lock (which SQLite refuses at once with
# "database is locked", whatever the timeout) but waits its turn for up to
# DATABASE_SQLITE_TIMEOUT seconds. docs/operations.md says what this does not cover.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": env.int("DATABASE_SQLITE_TIMEOUT", default=20),
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A fresh clone has no data folder yet (it is not committed); SQLite needs it.
    if DATABASES["default"]["NAME"] not in ("", ":memory:"):
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"].setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # At least 12 characters (issue 12 §8).
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The site's named date formats (docs/language.md), looked up before Django's own.
FORMAT_MODULE_PATH = ["halsam.formats"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("DJANGO_MEDIA_ROOT", default=str(DATA_DIR / "media")))
STORAGES = {
    # Files saved inside a transaction are removed again if it rolls back (halsam/files.py).
    "default": {"BACKEND": "halsam.files.TransactionalFileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "DJANGO_STATICFILES_STORAGE",
            default="django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}

# E-mail: console by default. EMAIL_URL for SMTP: smtp://host:25 (plain),
# smtp+tls://user:pass@host:587 (STARTTLS), smtp+ssl://user:pass@host:465 (TLS);
# URL-encode special characters in the user name and password.
if env.str("EMAIL_URL", default=""):
    _email = env.email_url("EMAIL_URL")
    _email.pop("OPTIONS", None)  # query options: no Django setting of that name
    # EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD,
    # EMAIL_USE_TLS / EMAIL_USE_SSL.
    globals().update(_email)
    del _email
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="HälSam <noreply@halsam.example>")
# Seconds a mail server may stay silent (connect, each reply) before the send fails as
# a transient error and is retried (issue 12 §7). Unset, a server that accepts and never
# answers hangs the worker inside the delivery transaction for ever.
EMAIL_TIMEOUT = env.float("EMAIL_TIMEOUT", default=30.0)
if not 0 < EMAIL_TIMEOUT <= 600:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("EMAIL_TIMEOUT: seconds, more than 0 and at most 600.")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: eager in-process unless a broker is configured.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The queue tasks go to and workers read (several installations sharing one Redis).
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
# Periodic work: a small static schedule (CELERY_TIMEZONE, Europe/Stockholm). Each task
# sweeps what is due and is idempotent, so a retry or a second beat never does the work
# twice. Without beat, ``manage.py run_due_jobs`` from cron does the same work.
# (meetings.tasks.BEAT_SCHEDULE and documents.tasks.BEAT_SCHEDULE list the same entries;
# a test keeps them in step.)
CELERY_BEAT_SCHEDULE: dict = {
    "meetings-sweep-notices": {
        "task": "meetings.sweep_notices",
        "schedule": crontab(minute="*/5"),
    },
    "meetings-minutes-reminders": {
        "task": "meetings.send_minutes_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
    "governance-coordinator-digest": {
        "task": "governance.send_coordinator_digest",
        "schedule": crontab(hour=7, minute=0, day_of_week="mon"),
    },
    "governance-membership-permissions": {
        "task": "governance.sync_membership_permissions",
        "schedule": crontab(hour=0, minute=15),
    },
    # Login invitations and password resets (halsam/account_mail.py): due retries.
    "governance-sweep-account-mail": {
        "task": "governance.sweep_account_mail",
        "schedule": crontab(minute="*/5"),
    },
    "documents-review-reminders": {
        "task": "documents.send_review_reminders",
        "schedule": crontab(hour=7, minute=15),
    },
    "documents-unpublished-reminders": {
        "task": "documents.send_unpublished_reminders",
        "schedule": crontab(hour=7, minute=15),
    },
    "documents-validity-reminders": {
        "task": "documents.send_validity_reminders",
        "schedule": crontab(hour=7, minute=15),
    },
    "documents-review-requests": {
        "task": "documents.send_review_requests",
        "schedule": crontab(hour=7, minute=15),
    },
    # Accessibility machine checks whose task was lost (issue 12 §3).
    "documents-machine-checks": {
        "task": "documents.sweep_machine_checks",
        "schedule": crontab(minute=40),
    },
}

# simple-history: who made the change comes from the request (middleware) or the service.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
SIMPLE_HISTORY_REVERT_DISABLED = True

GUARDIAN_RAISE_403 = True

# The structure shown on "/" when several are loaded (slug); empty means the first one.
HALSAM_DEFAULT_STRUCTURE = env.str("HALSAM_DEFAULT_STRUCTURE", default="halsam-vasternorrland")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# --- Meetings -------------------------------------------------------------------------
# The absolute address of the site, for links in e-mails (notices, absence links).
HALSAM_BASE_URL = env.str("HALSAM_BASE_URL", default="http://127.0.0.1:8000")
# The domain in iCalendar UIDs (meeting-<id>@<domain>): never change it once in use.
HALSAM_CALENDAR_DOMAIN = env.str("HALSAM_CALENDAR_DOMAIN", default="halsam.example")
# Days after a meeting before a reminder that the minutes are not approved / not published.
MINUTES_APPROVAL_DAYS = env.int("MINUTES_APPROVAL_DAYS", default=14)
MINUTES_PUBLISH_DAYS = env.int("MINUTES_PUBLISH_DAYS", default=21)
# Notice e-mails are retried on transient SMTP failures with these delays (seconds).
NOTICE_RETRY_DELAYS = [60, 300, 1800, 7200]

# --- Accounts, roles and login throttling (issue 6) -----------------------------------
# Kept together at the end on purpose; docs/roles.md explains the roles.
from datetime import timedelta as _td  # noqa: E402

INSTALLED_APPS += ["axes"]
# django-axes: the throttling backend goes first, its middleware last (axes' own checks).
# halsam.accounts.LoginThrottleBackend is axes' AxesStandaloneBackend (see its docstring).
AUTHENTICATION_BACKENDS = [
    "halsam.accounts.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
# Five failed logins for one user name from one address lock that pair out for 15
# minutes; the lockout page says so (templates/registration/lockout.html, status 429).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = _td(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "halsam.accounts.lockout_response"
AXES_USERNAME_FORM_FIELD = "username"
# Behind a reverse proxy, the client's address is the proxy's X-Forwarded-For entry.
AXES_IPWARE_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)
# The one navigation in templates/base.html asks halsam.accounts.Navigation what to show.
TEMPLATES[0]["OPTIONS"]["context_processors"].append("halsam.accounts.navigation")
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/start/"  # portal/start.py: the start page of the login's role
LOGOUT_REDIRECT_URL = None  # show registration/logged_out.html
# A password reset link is valid for one day.
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=60 * 60 * 24)
# Password reset requests: at most this many per address and per client address in the
# window (seconds); more are answered alike but not sent (halsam/password_reset.py).
PASSWORD_RESET_THROTTLE_LIMIT = env.int("PASSWORD_RESET_THROTTLE_LIMIT", default=5)
PASSWORD_RESET_THROTTLE_WINDOW = env.int("PASSWORD_RESET_THROTTLE_WINDOW", default=60 * 60)

# --- Uploads and forms ----------------------------------------------------------------
MEETINGS_ATTACHMENT_MAX_BYTES = env.int("MEETINGS_ATTACHMENT_MAX_BYTES", default=20 * 1024 * 1024)
DOCUMENTS_MAX_UPLOAD_BYTES = env.int("DOCUMENTS_MAX_UPLOAD_BYTES", default=50 * 1024 * 1024)
LOGGING.setdefault("loggers", {})["weasyprint"] = {"level": "WARNING"}

# --- Web hardening and error reports (issue 12 §8) -----------------------------------
# The cache: per process by default; with several web processes give them a shared one
# (CACHE_URL=redis://127.0.0.1:6379/1) so the password reset throttle counts them all.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
# Content-Security-Policy (django-csp 4): only this site's scripts, styles and images;
# an inline script or style needs the request's nonce (``request.csp_nonce``).
from csp.constants import NONCE as _NONCE  # noqa: E402
from csp.constants import NONE as _NONE  # noqa: E402
from csp.constants import SELF as _SELF  # noqa: E402

INSTALLED_APPS += ["csp"]
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
                  "csp.middleware.CSPMiddleware")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [_SELF],
        "script-src": [_SELF, _NONCE],
        "style-src": [_SELF, _NONCE],
        "img-src": [_SELF, "data:"],
        "font-src": [_SELF],
        "connect-src": [_SELF],
        "object-src": [_NONE],
        "base-uri": [_NONE],
        "form-action": [_SELF],
        "frame-ancestors": [_NONE],
        **({"report-uri": [env.str("CSP_REPORT_URI")]} if env.str("CSP_REPORT_URI", default="")
           else {}),
    },
}
# Error reports: Django mails ADMINS ("Name <a@b>,Other <c@d>") every 500; SENTRY_DSN
# sends them to Sentry as well (pip install 'halsam[sentry]'; imported only when set).
from email.utils import getaddresses as _getaddresses  # noqa: E402

# Python 3.13 parses "" as [("", "")] (3.11: []): keep only real entries.
ADMINS = [(_n, _a) for _n, _a in _getaddresses([env.str("DJANGO_ADMINS", default="")])
          if _n or _a]
if any("@" not in address for _name, address in ADMINS):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured('DJANGO_ADMINS: write "Name <address>, Other <address>".')
LOGGING["handlers"]["mail_admins"] = {
    "class": "django.utils.log.AdminEmailHandler", "level": "ERROR",
    "filters": ["require_debug_false"]}
LOGGING.setdefault("filters", {})["require_debug_false"] = {
    "()": "django.utils.log.RequireDebugFalse"}
# On Django's own logger, in place of its default handlers (the console is the root's):
# errors of requests (500s) and of anything else of Django's mailed once each.
LOGGING["loggers"]["django"] = {"handlers": ["mail_admins"], "propagate": True}
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(dsn=SENTRY_DSN, send_default_pii=False,
                    environment=env.str("SENTRY_ENVIRONMENT", default="production"),
                    traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0))
