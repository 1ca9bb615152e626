# Image for the web server, the Celery worker and Celery beat (see docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

# WeasyPrint's system libraries and fonts (without libharfbuzz-subset0 WeasyPrint 70 warns).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
       libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-liberation2 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, in their own layer, so code changes don't reinstall them. The project is
# not a package (flat layout): install only its runtime dependencies, exactly as locked (pinned
# versions with hashes, written by scripts/lock.sh from the ranges in pyproject.toml).
COPY requirements/runtime.txt requirements/runtime.txt
RUN pip install --require-hashes -r requirements/runtime.txt

# Run as an unprivileged user that owns /app (collectstatic and uploads write below it;
# /app/media exists in the image so the compose volume mounted there starts out owned by app).
RUN useradd --create-home --uid 1000 app \
    && chown app:app /app && install -d -o app -g app /app/media
COPY --chown=app:app . .
USER app
# Static files are part of the image (whitenoise serves them, hashed and compressed); the key is
# only for this build step, never used at run time.
RUN DEBUG=0 SECRET_KEY=collectstatic-only-not-a-secret python manage.py collectstatic --noinput -v 0

# gunicorn reads gunicorn.conf.py from /app (workers, threads = the database pool).
ENV GUNICORN_BIND=0.0.0.0:8000
EXPOSE 8000
CMD ["gunicorn", "portal.wsgi:application"]
