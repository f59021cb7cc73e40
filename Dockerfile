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

# WeasyPrint's libraries (Pango, HarfBuzz, fonts) and gettext for the catalogues.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libjpeg62-turbo \
        libopenjp2-7 libffi8 fonts-dejavu-core gettext \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first (installed through a stub of the package, which is then removed),
# so that a change in the code does not reinstall them. The code runs from /app.
COPY pyproject.toml README.md ./
RUN mkdir -p halsam governance meetings documents \
    && touch halsam/__init__.py governance/__init__.py meetings/__init__.py documents/__init__.py \
    && pip install . \
    && pip uninstall -y halsam \
    && rm -rf build halsam governance meetings documents ./*.egg-info

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

CMD ["gunicorn", "halsam.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", \
     "--access-logfile", "-", "--forwarded-allow-ips", "*"]
