"""The `sanad` command line: the bot's commands, and one-line errors that say what to do."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

import bot.app
import bot.cli
from bot.app import ALLOWED_UPDATES, serve
from bot.cli import main
from bot.schema import PG_MIGRATIONS
from bot.settings import BotSettings, WebhookSettings
from lab.fake_telegram import FakeTelegram
from lab.harness import SPOKESMAN, TOKEN


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No .env and no bot settings from the machine running the tests."""
    monkeypatch.chdir(tmp_path)
    for name in (
        "TELEGRAM_BOT_TOKEN",
        "TELEGRAM_API_BASE_URL",
        "TELEGRAM_API_FILE_URL",
        "SANAD_ALLOWED_CHATS",
    ):
        monkeypatch.delenv(name, raising=False)


def error_line(capsys: pytest.CaptureFixture[str]) -> str:
    """What `sanad` printed on stderr, which must be a single line."""
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    return err.strip()


def test_help_lists_the_bot_and_chat_commands_and_the_main_job(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    out = capsys.readouterr().out
    assert done.value.code == 0
    assert "    bot " in out and "    chat " in out
    assert "run the Telegram bot when TELEGRAM_BOT_TOKEN is set, else chat in the terminal" in " ".join(
        out.split()
    )


def test_the_bot_without_a_token_says_where_to_get_one(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bot"]) == 1
    assert error_line(capsys).startswith("sanad: TELEGRAM_BOT_TOKEN is not set. Get one from @BotFather")


def test_the_main_job_is_the_bot_when_a_token_is_set(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "not-a-token")
    assert main([]) == 1
    line = error_line(capsys)
    assert line.startswith("sanad: TELEGRAM_BOT_TOKEN does not look like a bot token")
    assert "not-a-token" not in line


def test_the_main_job_is_the_terminal_chat_without_a_token(monkeypatch: pytest.MonkeyPatch) -> None:
    chats = []
    monkeypatch.setattr(bot.cli, "_chat", lambda args, settings: chats.append(settings) or 0)
    assert main([]) == 0
    assert len(chats) == 1


def test_a_webhook_needs_a_public_https_url(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    assert main(["bot", "--webhook"]) == 1
    assert error_line(capsys).startswith("sanad: --webhook needs --url")


def test_serve_hands_the_webhook_settings_to_python_telegram_bot(monkeypatch: pytest.MonkeyPatch) -> None:
    class Recorder:
        post_init = None

        def __init__(self) -> None:
            self.bot_data: dict[str, object] = {}

        def run_webhook(self, **options: object) -> None:
            self.options = options

    webhook = WebhookSettings.from_options(
        listen="127.0.0.1", port=8080, url="https://bot.example.com/sanad/hook", secret_token="s3cret", env={}
    )
    recorder = Recorder()
    serve(recorder, BotSettings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN}), webhook)  # type: ignore[arg-type]
    assert recorder.options == {
        "listen": "127.0.0.1",
        "port": 8080,
        "url_path": "sanad/hook",
        "webhook_url": "https://bot.example.com/sanad/hook",
        "secret_token": "s3cret",
        "allowed_updates": ALLOWED_UPDATES,
    }


async def test_a_token_telegram_refuses_fails_in_one_line_before_the_model_loads(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    async with FakeTelegram(token="42:AAHsomeOTHERbotsTOKENxxxxxxxxxxxxxxx") as fake:
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
        monkeypatch.setenv("TELEGRAM_API_BASE_URL", fake.base_url)
        code = await asyncio.wait_for(asyncio.to_thread(main, ["bot"]), timeout=20)
    assert code == 1
    assert [call.status for call in fake.calls] == [401]
    line = error_line(capsys)
    assert line.startswith("sanad: Telegram refused TELEGRAM_BOT_TOKEN. Get one from @BotFather")
    assert TOKEN.partition(":")[2] not in line


def test_an_unreachable_bot_api_server_fails_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", "http://127.0.0.1:9")  # the discard port: nothing listens
    assert main(["bot"]) == 1
    line = error_line(capsys)
    assert line.startswith("sanad: The Bot API at http://127.0.0.1:9/bot failed:")
    assert TOKEN.partition(":")[2] not in line


def test_setup_creates_the_tables_in_postgresql_and_seeds_it_and_the_bot_refuses_a_database_without_them(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str
) -> None:
    monkeypatch.setenv("SANAD_DATA", str(tmp_path / "library"))
    monkeypatch.setenv("SANAD_DATABASE_URL", database_url)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setattr(bot.app, "check_connection", lambda settings: "sanad_test_bot")
    assert main(["bot"]) == 1  # the tables are not there yet
    assert "Run: sanad setup" in error_line(capsys)
    assert main(["setup"]) == 0
    out = capsys.readouterr().out
    assert "library tables at postgresql://" in out and "bot state at postgresql://" in out
    assert "library tables" in out and ": 1 migrations applied" in out
    assert "bot state at postgresql://" in out and f"{len(PG_MIGRATIONS)} migrations applied" in out
    assert "ready: 1 articles, 31 sentences in postgresql://" in out  # the seed article, on the server
    assert not (tmp_path / "library").exists()
    assert main(["setup"]) == 0 and capsys.readouterr().out.count("0 migrations applied") == 2
    assert main(["ask", "--json", "Who denied the claims?"]) == 0
    hits = json.loads(capsys.readouterr().out)["hits"]
    assert any(hit["text"].startswith(SPOKESMAN) for hit in hits)


def test_a_database_url_that_is_not_postgresql_is_refused(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANAD_DATABASE_URL", "mysql://user:secret@host/db")
    assert main(["sources"]) == 1
    line = error_line(capsys)
    assert "SANAD_DATABASE_URL must be a PostgreSQL connection string" in line and "secret" not in line
