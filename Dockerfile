# Quizbot: one process serving Discord and/or Slack, data on the /data volume.
#   docker build -t quizbot .
#   docker run -d --env-file .env -v quizbot-data:/data quizbot

# --- stage 1: build the application into a virtual environment ---------------------------
FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/quizbot
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY questions ./questions
COPY storage ./storage
RUN /opt/quizbot/bin/pip install --no-cache-dir .

# --- stage 2: the runtime image: the venv only, a non-root user --------------------------
FROM python:3.11-slim
RUN groupadd --system --gid 10001 quizbot \
    && useradd --system --uid 10001 --gid quizbot --home-dir /data --no-create-home quizbot \
    && mkdir /data \
    && chown quizbot:quizbot /data
COPY --from=build /opt/quizbot /opt/quizbot
ENV PATH=/opt/quizbot/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    QUIZBOT_DATABASE=/data/quizbot.db
WORKDIR /data
VOLUME /data
USER 10001:10001
# Slack HTTP mode only (Socket Mode and Discord need no inbound port).
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 CMD ["quizbot", "health"]
# SIGTERM: stop taking interactions, let running answers commit, close the database, exit 0.
STOPSIGNAL SIGTERM
CMD ["quizbot"]
