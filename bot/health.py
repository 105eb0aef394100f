"""The running bot's heartbeat, read by the container's HEALTHCHECK (``python -m bot sante``).

The scheduler touches a file in the data folder after every sweep that reached the database, so at least once a
minute while the bot is alive. A file older than a few sweeps means the event loop, the scheduler or the database
is stuck: a process that is merely running is not proof of that.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

log = logging.getLogger(__name__)

HEARTBEAT_FILE = "heartbeat"
STALE_AFTER = timedelta(minutes=3)  # three missed sweeps of one minute


def heartbeat_path(data_dir: Path) -> Path:
    return data_dir / HEARTBEAT_FILE


def beat(path: Path) -> None:
    """Record that the bot is alive now; a data folder that refuses it is logged, never fatal for the bot."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
    except OSError as error:
        log.warning("heartbeat file %s could not be written (%s)", path, error.strerror)


def silence(path: Path, now: datetime) -> timedelta | None:
    """How long since the last beat; None if there never was one."""
    try:
        modified = path.stat().st_mtime
    except FileNotFoundError:
        return None
    return now - datetime.fromtimestamp(modified, UTC)
