# Fabrique — production image.
#
#   docker build -t fabrique .
#   docker run -d --name fabrique --restart unless-stopped --stop-timeout 30 \
#       -e DISCORD_TOKEN=... \
#       -v fabrique-data:/app/data \
#       -v ./config.toml:/app/config.toml:ro \
#       fabrique
#
# Secrets (DISCORD_TOKEN, ZOOM_CLIENT_SECRET, WORDPRESS_APP_PASSWORD, SMTP_PASSWORD) come only from the environment.
# The configuration is read from $FABRIQUE_CONFIG (/app/config.toml): mount your config.toml over it (read-only is
# fine). The image ships config.example.toml there, i.e. the defaults (SQLite, every integration off).
# The SQLite database and working files live in the /app/data volume (owned by uid 1000, user fabrique).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# ffmpeg converts session recordings to MP3; DejaVu Sans draws the articles' cover cards.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ffmpeg fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 1000 --user-group fabrique

WORKDIR /app

COPY pyproject.toml README.md alembic.ini ./
COPY bot ./bot
COPY cogs ./cogs
COPY migrations ./migrations
COPY config.example.toml ./config.toml
RUN pip install --no-cache-dir . \
    && mkdir -p /app/data \
    && chown fabrique:fabrique /app/data

ENV FABRIQUE_CONFIG=/app/config.toml
VOLUME /app/data
# The optional web door ([web] enabled, listen = "0.0.0.0:8080"): publish it to the reverse proxy only.
EXPOSE 8080

USER fabrique

# Python is PID 1: the bot handles SIGTERM itself (docker stop) and closes cleanly, after recording what it was
# sending: usually within a second, up to about 10 s in the middle of a batch of reminders, hence --stop-timeout 30
# above (Docker kills after 10 s by default).
STOPSIGNAL SIGTERM
# Healthy while the bot's scheduler keeps reaching the database (a heartbeat file under /app/data, touched every
# minute); the first one comes a minute after start. With the web door on, `sante` asks its /sante instead.
HEALTHCHECK --interval=1m --timeout=20s --start-period=3m --retries=3 CMD ["python", "-m", "bot", "sante"]

CMD ["python", "-m", "bot"]
