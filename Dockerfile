# copbot on the official Python image: `docker build -t copbot .`
# Run one container per instance, all on the same PostgreSQL database (docs/operators.md#deployment).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --system --create-home --home-dir /srv/copbot --shell /usr/sbin/nologin copbot

WORKDIR /build
COPY pyproject.toml README.md LICENSE ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
COPY locales ./locales
RUN pip install . && rm -rf /build

USER copbot
WORKDIR /srv/copbot
# Health and metrics inside the container; logs as one JSON object per line for the collector.
ENV COPBOT_METRICS__LISTEN=0.0.0.0:9100 \
    COPBOT_LOG_FORMAT=json \
    COPBOT_FILES_DIR=/srv/copbot/var/files
EXPOSE 9100

# /healthz answers while the event loop runs; the slim image has no curl, Python is enough.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:9100/healthz', timeout=4)"]

# SIGTERM stops copbot cleanly: it finishes the sends in flight (docker stop waits 10 s by default).
STOPSIGNAL SIGTERM
CMD ["copbot", "run"]
