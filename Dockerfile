# Co-op Assistant: the bot server image.
#
# The build runs the same steps as a developer's machine (scripts/setup.sh: a virtualenv with
# the pinned requirements); at start scripts/start.sh migrates the database, then serves.
# No container runtime runs where this repository is developed, so this image is not built in
# CI; every step it runs is a script the tests run (see docs/DEPLOY.md).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOST=0.0.0.0 \
    PORT=3978 \
    LOG_FORMAT=json

RUN groupadd --system coop && useradd --system --gid coop --home-dir /app --shell /sbin/nologin coop
WORKDIR /app

# dependencies first (cached while only the code changes): scripts/setup.sh, as on a laptop
COPY requirements.txt ./
COPY scripts/setup.sh scripts/setup.sh
RUN PYTHON=python3 scripts/setup.sh && rm -rf /root/.cache

COPY --chown=coop:coop . .
RUN PYTHON=python3 scripts/setup.sh && mkdir -p data && chown -R coop:coop /app/data /app/.venv

USER coop
EXPOSE 3978
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD .venv/bin/python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '3978'), timeout=4)" || exit 1

# migrate (idempotent, serialized by the database), then serve on HOST:PORT
CMD ["scripts/start.sh"]
