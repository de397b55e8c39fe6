"""The heartbeat behind the Docker HEALTHCHECK (`sanad health`)."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pytest

from bot.cli import main
from bot.health import check_health, start_heartbeat


async def test_a_running_event_loop_keeps_the_heartbeat_fresh(tmp_path: Path) -> None:
    beat = tmp_path / "bot.heartbeat"
    start_heartbeat(asyncio.get_running_loop(), beat, every=0.01)
    for _ in range(100):
        await asyncio.sleep(0.01)
        if beat.exists():
            break
    assert check_health(beat) is None


def test_an_old_heartbeat_means_the_bot_is_stuck(tmp_path: Path) -> None:
    beat = tmp_path / "bot.heartbeat"
    beat.touch()
    old = time.time() - 600
    os.utime(beat, (old, old))
    assert "stuck or stopped" in (check_health(beat) or "")


def test_health_fails_in_one_line_when_no_bot_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SANAD_DATA", str(tmp_path))
    assert main(["health"]) == 1
    assert "not running" in capsys.readouterr().err
    (tmp_path / "bot.heartbeat").touch()
    assert main(["health"]) == 0
