"""`sanad chat`: the bot's own answers, as plain terminal text."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from bot.chat import chat
from bot.lookup import Librarian
from index import Searcher, Shelf
from lab.harness import NO_ANSWER_EN, SPOKESMAN


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """A terminal with an English locale that does no bidi reordering, so output is in logical order."""
    monkeypatch.setenv("SANAD_BIDI", "off")
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)


def run_chat(searcher: Searcher, monkeypatch: pytest.MonkeyPatch, typed: str, tmp_path: Path) -> str:
    monkeypatch.setattr("sys.stdin", io.StringIO(typed))
    output = io.StringIO()
    monkeypatch.setattr("sys.stdout", output)  # input() writes its prompt there
    with Shelf(searcher, tmp_path) as shelf:
        assert chat(Librarian(shelf, quotes=3), stream=output) == 0
    return output.getvalue()


@pytest.mark.usefixtures("terminal")
def test_chat_answers_like_the_bot_in_plain_text(
    searcher: Searcher, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    output = run_chat(searcher, monkeypatch, f"Who denied the claims?\n\n??\n{NO_ANSWER_EN}\n", tmp_path)
    assert output.startswith("👋 Sanad answers questions about news articles")
    assert "  • Who denied the claims?" in output
    assert re.search(rf"^   │ {SPOKESMAN}", output, re.MULTILINE)  # quotes are indented
    assert re.search(r"^— paragraph 7 of \d+$", output, re.MULTILINE)
    assert "Ask a question in words, for example: Who denied the claims?" in output
    assert f"Not in the article: no sentence answers “{NO_ANSWER_EN}” closely enough." in output
    assert "<" not in output and "&amp;" not in output and "\u200f" not in output


def test_chat_speaks_arabic_to_an_arabic_locale(
    searcher: Searcher, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SANAD_BIDI", "off")
    monkeypatch.setenv("LC_ALL", "ar_EG.UTF-8")
    output = run_chat(searcher, monkeypatch, "Who denied the claims?\n", tmp_path)
    assert output.startswith("👋 يجيب سند")
    assert re.search(r"^— الفقرة 7 من \d+$", output, re.MULTILINE)


@pytest.mark.usefixtures("terminal")
def test_chat_knows_the_reading_commands_and_quits_on_quit(
    searcher: Searcher, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    typed = "/help\n/sources\n/frobnicate\n/quit\nWho denied the claims?\n"
    output = run_chat(searcher, monkeypatch, typed, tmp_path)
    assert "Send a question in any language" in output  # /help
    assert "Shared articles (every chat can ask about them):" in output  # /sources
    assert "I don't know that command. /help shows what I can do." in output
    assert SPOKESMAN not in output  # /quit ended the chat before the question
    assert "Not in the article" not in output  # no command was taken for a question
