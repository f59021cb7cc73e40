# HälSam: one image for the web process (gunicorn), the Celery worker and beat.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=halsam.settings_production \
    HALSAM_DATA_DIR=/data \
    DJANGO_MEDIA_ROOT=/data/media \
    DJANGO_STATIC_ROOT=/app/staticfiles \
    PYTHONPATH=/app

# WeasyPrint's libraries (Pango, HarfBuzz, fonts), gettext for the catalogues and rsync
# for the media snapshots of backups (docs/operations.md).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libjpeg62-turbo \
        libopenjp2-7 libffi8 fonts-dejavu-core gettext rsync \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, exactly the locked versions with their hashes (make lock), so
# that a change in the code does not reinstall them. The code runs from /app
# (PYTHONPATH). requirements-demo.lock adds Faker for `manage.py demo`.
ARG HALSAM_LOCK=requirements.lock
COPY requirements.lock requirements-demo.lock ./
RUN pip install --require-hashes --no-deps -r "$HALSAM_LOCK"

COPY . .
RUN if ls locale/*/LC_MESSAGES/*.po >/dev/null 2>&1; then \
        DJANGO_SECRET_KEY=build-only-key-build-only-key-build-only-key-build-only \
        python manage.py compilemessages --verbosity 0; fi \
    && DJANGO_SECRET_KEY=build-only-key-build-only-key-build-only-key-build-only \
       python manage.py collectstatic --no-input --verbosity 0 \
    && useradd --system --uid 10001 --home-dir /app halsam \
    && mkdir -p /data/media \
    && chown -R halsam:halsam /data

USER halsam
VOLUME ["/data"]
EXPOSE 8000

# /healthz (halsam/health.py) asks the database and the broker; docker-compose.yml keeps
# this for web and replaces it for the worker, beat and migrate.
HEALTHCHECK --interval=30s --timeout=10s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request as u; sys.exit(u.urlopen('http://127.0.0.1:8000/healthz', timeout=8).status != 200)"]

# X-Forwarded-Proto is believed only from FORWARDED_ALLOW_IPS (gunicorn's default:
# 127.0.0.1); set it to the address of the TLS proxy in front.
CMD ["gunicorn", "halsam.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", \
     "--access-logfile", "-"]
