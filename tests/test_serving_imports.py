"""The serving path on the default backend (onnx-int8) never imports torch, transformers or
sentence-transformers: they cost seconds and hundreds of megabytes at every start. Nor tokenizers:
reading e5's tokenizer.json with it took 1.4 s and 280 MB; `index.embedding.unigram` reads the bundled model.

Each command runs as a real process under `python -X importtime`, which lists every module the
process imported.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SPOKESMAN

pytestmark = pytest.mark.slow  # each command in a child process under -X importtime

HEAVY = {"torch", "transformers", "sentence_transformers", "tokenizers"}
# The bot's own start-up, short of talking to Telegram: settings, the shelf of libraries, the application.
BOT_STARTUP = """
from bot.app import build_application
from bot.settings import BotSettings
from index import open_shelf
settings = BotSettings.from_env()
shelf = open_shelf(settings.index)
build_application(settings, shelf)
print(shelf.encoder.info.backend)
"""


def run_python(args: list[str], env: dict[str, str], stdin: str = "") -> tuple[int, str, str, set[str]]:
    """Run `python -X importtime ARGS`: its exit code, stdout, stderr without the import lines, and the
    top-level packages it imported."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    lines = done.stderr.splitlines()
    timings = [line for line in lines if line.startswith("import time:") and "|" in line]
    imported = {line.rsplit("|", 1)[1].strip().split(".")[0] for line in timings}
    assert "index" in imported, "importtime listed nothing"
    errors = "\n".join(line for line in lines if not line.startswith("import time:"))
    return done.returncode, done.stdout, errors, imported


@pytest.fixture
def env(data_env: Path) -> dict[str, str]:
    environment = {**os.environ, "SANAD_DATA": str(data_env), "SANAD_BIDI": "off"}
    environment.pop("SANAD_BACKEND", None)
    return environment


def test_sanad_ask_json_answers_without_torch(env: dict[str, str]) -> None:
    code, out, errors, imported = run_python(
        ["-m", "bot.cli", "ask", "--json", "Who denied the claims?"], env
    )
    assert code == 0, errors
    answer = json.loads(out.splitlines()[-1])
    assert any(hit["text"].startswith(SPOKESMAN) for hit in answer["hits"])
    assert "onnxruntime" in imported and not imported & HEAVY


def test_sanad_chat_and_health_run_without_torch(env: dict[str, str]) -> None:
    code, out, errors, imported = run_python(["-m", "bot.cli", "chat"], env, stdin="Who denied the claims?\n")
    assert code == 0 and SPOKESMAN in out, errors
    assert "onnxruntime" in imported and not imported & HEAVY
    code, _, errors, imported = run_python(["-m", "bot.cli", "health"], env)
    assert code == 1 and "no heartbeat" in errors  # no bot runs here
    assert not imported & HEAVY


def test_the_bot_starts_without_torch(env: dict[str, str]) -> None:
    env["TELEGRAM_BOT_TOKEN"] = "123456789:" + "A" * 35
    code, out, errors, imported = run_python(["-c", BOT_STARTUP], env)
    assert code == 0 and out.split() == ["onnx-int8"], errors
    assert {"telegram", "onnxruntime"} <= imported and not imported & HEAVY
