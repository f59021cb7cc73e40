"""WSGI entry point (gunicorn halsam.wsgi)."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "halsam.settings")
application = get_wsgi_application()
