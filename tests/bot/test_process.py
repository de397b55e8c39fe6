"""`sanad bot` as a real process: it answers through the Bot API server it is pointed at, and stops
cleanly on SIGINT (Ctrl-C) and SIGTERM (docker stop), without ever printing its token."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sys
from pathlib import Path

import pytest

from index import Library
from lab.fake_telegram import FakeTelegram
from lab.harness import ALICE, BOT, PRIVATE, SPOKESMAN, TOKEN, entity_texts, sent_to

pytestmark = pytest.mark.slow  # the real `sanad bot` in a child process

STARTUP_SECONDS = 120  # imports and the model load, on a slow machine


def sanad_command() -> list[str]:
    """The installed console script, or the same entry point through the interpreter."""
    script = Path(sys.executable).with_name("sanad")
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot.cli"]


async def run_and_stop(
    stop: signal.Signals, workdir: Path, library: Path, *, verbose: bool = True
) -> tuple[int, list[str], str]:
    """Start `sanad [-v] bot` on a copy of `library`, ask it one question, send `stop`; its exit code,
    quotes and output."""
    workdir.mkdir()
    shutil.copytree(library, workdir / "library")
    async with FakeTelegram(token=TOKEN, bot_username=BOT) as fake:
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": fake.base_url,
            "SANAD_DATA": str(workdir / "library"),
        }
        env.pop("SANAD_ALLOWED_CHATS", None)
        with (workdir / "output.txt").open("wb") as output:
            process = await asyncio.create_subprocess_exec(
                *sanad_command(),
                *(["-v"] if verbose else []),
                "bot",
                stdout=output,
                stderr=output,
                env=env,
                cwd=workdir,
            )
            try:
                fake.send_text(PRIVATE, ALICE, "Who denied the claims?")  # waits for the bot's first poll
                call = await fake.wait_for(sent_to(PRIVATE), timeout=STARTUP_SECONDS)
                process.send_signal(stop)
                code = await asyncio.wait_for(process.wait(), timeout=30)
            finally:
                if process.returncode is None:
                    process.kill()
                    await process.wait()
    return code, entity_texts(call.response["result"], "blockquote"), (workdir / "output.txt").read_text()


async def test_sanad_bot_answers_then_stops_cleanly_on_sigint_and_sigterm(
    tmp_path: Path, seed_library: Library
) -> None:
    (interrupted, quotes_one, output_one), (terminated, quotes_two, output_two) = await asyncio.gather(
        run_and_stop(signal.SIGINT, tmp_path / "sigint", seed_library.path),
        run_and_stop(signal.SIGTERM, tmp_path / "sigterm", seed_library.path, verbose=False),
    )
    assert (interrupted, terminated) == (0, 0), output_one + output_two
    for quotes in (quotes_one, quotes_two):
        assert any(quote.startswith(SPOKESMAN) for quote in quotes)
    assert "connected to the Bot API as @sanad_test_bot" in output_one  # -v logged, and logged safely
    for output in (output_one, output_two):
        assert TOKEN.partition(":")[2] not in output
    # Without -v: one line when it is ready, one when it stops, nothing else.
    started, stopped = output_two.splitlines()
    assert "Sanad bot @sanad_test_bot started (polling): shared library 1 articles" in started
    assert "onnx-int8" in started and "1 updates to replay" not in started
    assert "Sanad bot @sanad_test_bot stopped: 1 updates answered" in stopped


async def start_on_damaged(workdir: Path, library: Path, damage: str) -> tuple[int, str]:
    """Run `sanad bot` on a copy of `library` with `damage` done to it; its exit code and output."""
    workdir.mkdir()
    copy = shutil.copytree(library, workdir / "library")
    if damage == "index":
        (index_file,) = copy.glob("vectors-*.faiss")
        index_file.write_bytes(index_file.read_bytes()[:64])
    else:
        (copy / "library.sqlite").write_bytes(b"not a database" * 1000)
    async with FakeTelegram(token=TOKEN, bot_username=BOT) as fake:
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": fake.base_url}
        env |= {"SANAD_DATA": str(copy)}
        process = await asyncio.create_subprocess_exec(
            *sanad_command(), "bot", stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, env=env
        )
        try:
            output, _ = await asyncio.wait_for(process.communicate(), timeout=STARTUP_SECONDS)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
    return process.returncode or 0, output.decode()


async def test_sanad_bot_on_a_damaged_library_stops_with_one_line_naming_repair(
    tmp_path: Path, seed_library: Library
) -> None:
    results = await asyncio.gather(
        start_on_damaged(tmp_path / "index", seed_library.path, "index"),
        start_on_damaged(tmp_path / "database", seed_library.path, "database"),
    )
    for code, output in results:
        assert code == 1, output
        assert output.count("\n") == 1 and output.startswith("sanad: The ") and "sanad repair" in output
        assert TOKEN.partition(":")[2] not in output
    assert "vector index" in results[0][1] and "database" in results[1][1]
