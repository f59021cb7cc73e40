"""Production settings: the base settings, hardened.

Use with ``DJANGO_SETTINGS_MODULE=halsam.settings_production``. Requires
``DJANGO_SECRET_KEY`` and ``DJANGO_ALLOWED_HOSTS``; passes ``manage.py check --deploy``.
"""
from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from .settings import *  # noqa: F403
from .settings import INSECURE_DEV_KEY, SECRET_KEY, env

if SECRET_KEY == INSECURE_DEV_KEY or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be set to a random value of at least 50 characters."
    )

DEBUG = False
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
# Under gunicorn the scheme comes from gunicorn, which believes X-Forwarded-Proto only
# from FORWARDED_ALLOW_IPS (default 127.0.0.1). Django itself reads the header only when
# told that every request passes a proxy that sets it (issue 12 §9): otherwise anyone
# who reaches the port could claim HTTPS.
if env.bool("DJANGO_TRUST_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Compressed, hashed file names served by whitenoise (needs ``collectstatic``), unless
# DJANGO_STATICFILES_STORAGE names another backend (e.g. django-storages for S3).
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": env.str(
        "DJANGO_STATICFILES_STORAGE",
        default="whitenoise.storage.CompressedManifestStaticFilesStorage",
    )
}

# --- Accounts and login throttling (issue 6) ------------------------------------------
# Cookies only over HTTPS (above) and never readable by scripts; a login lasts eight
# hours unless DJANGO_SESSION_COOKIE_AGE says otherwise.
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_COOKIE_AGE", default=8 * 60 * 60)
# Logins are throttled in production whatever the environment says (django-axes).
AXES_ENABLED = True
