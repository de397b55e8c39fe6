"""Liveness for container health checks: the running bot touches a file; `sanad health` reads its age.

The touch is scheduled on the bot's event loop from a side thread, so a loop that is stuck (a
blocking call in a handler, a dead-locked shutdown) stops the heartbeat and the check fails.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from pathlib import Path

from index import IndexSettings

log = logging.getLogger(__name__)

BEAT_EVERY = 30.0
STALE_AFTER = 120.0


def heartbeat_path(settings: IndexSettings) -> Path:
    return settings.data_dir / "bot.heartbeat"


def start_heartbeat(
    loop: asyncio.AbstractEventLoop, path: Path, *, every: float = BEAT_EVERY
) -> threading.Thread:
    """Touch `path` from `loop` every `every` seconds until the loop closes."""

    def beat() -> None:
        while True:
            try:
                loop.call_soon_threadsafe(_touch, path)
            except RuntimeError:  # the loop is closed: the bot has stopped
                return
            time.sleep(every)

    thread = threading.Thread(target=beat, name="sanad-heartbeat", daemon=True)
    thread.start()
    return thread


def check_health(path: Path, *, stale_after: float = STALE_AFTER) -> str | None:
    """None when the bot beat recently, else what is wrong."""
    try:
        age = time.time() - path.stat().st_mtime
    except FileNotFoundError:
        return f"no heartbeat at {path}: the bot is not running (or not yet started)"
    if age > stale_after:
        return f"the last heartbeat is {age:.0f} s old: the bot is stuck or stopped"
    return None


def _touch(path: Path) -> None:
    try:
        path.touch()
    except OSError as exc:
        log.warning("cannot write the heartbeat %s: %s", path, exc)
