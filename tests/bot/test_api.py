"""The bot package's public surface: small, sorted, importable, and light to import."""

from __future__ import annotations

import subprocess
import sys

import bot


def test_the_public_names_are_sorted_and_all_resolve() -> None:
    assert bot.__all__ == sorted(bot.__all__)
    for name in bot.__all__:
        assert getattr(bot, name).__name__ == name


def test_the_command_line_starts_without_importing_telegram_or_the_model() -> None:
    probe = "import sys, bot.cli; print(sorted({'telegram', 'torch'} & set(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "[]"
