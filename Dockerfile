# wuyeflow: one image for the API (default command), the Temporal worker and the migrations.
FROM python:3.11-slim

# Production unless told otherwise: production verifies OIDC tokens and never honours the
# development secret (core/settings.py refuses to start without the OIDC settings).
ENV WUYEFLOW_ENV=production \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# An unprivileged account to run as; it owns nothing in /app (the code is read-only to it).
RUN groupadd --system --gid 10001 wuyeflow \
    && useradd --system --uid 10001 --gid wuyeflow --home-dir /app --shell /usr/sbin/nologin wuyeflow

WORKDIR /app

# pyproject.toml declares every package it installs, so they all must be present for `pip install .`
# (bench/ is one of them; its results are kept out by .dockerignore).
COPY pyproject.toml README.md alembic.ini worker.py ./
COPY api/ ./api/
COPY activities/ ./activities/
COPY workflows/ ./workflows/
COPY domain/ ./domain/
COPY db/ ./db/
COPY core/ ./core/
COPY bench/ ./bench/

# Bytecode for the code in /app, which the processes import (the working directory comes first on
# sys.path): the workflow sandbox imports workflow modules afresh at every worker start and for every
# new workflow instance, and with PYTHONDONTWRITEBYTECODE and a read-only /app it compiled them each time.
RUN pip install . \
    && rm -rf build *.egg-info \
    && python -m compileall -q /app

USER wuyeflow:wuyeflow

EXPOSE 8000

# No HEALTHCHECK here: the worker and the migrations share this image and serve no HTTP;
# docker-compose.yml gives the API its own health check.
# One API process per CPU of the container unless WUYEFLOW_API_PROCESSES says otherwise (api/serve.py).
CMD ["python", "-m", "api.serve", "--host", "0.0.0.0", "--port", "8000"]
