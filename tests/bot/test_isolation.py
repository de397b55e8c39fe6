"""A chat whose own library is damaged still answers from the shared one, says plainly what is wrong and
how to fix it, and `/repair` fixes it; no other chat notices anything."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.app import build_application
from index import Searcher, Shelf
from lab.fake_telegram import FakeTelegram
from lab.harness import (
    ALICE,
    BOB,
    BOB_CHAT,
    BOT,
    GROUP,
    PRIVATE,
    QUICK_RETRIES,
    SPOKESMAN,
    TOKEN,
    calls,
    entity_texts,
    next_reply,
    sent_to,
    serving,
    settings_for,
)
from tests.support.article_files import BANK_TEXT

FIXTURES = Path(__file__).parents[1] / "fixtures"
DAMAGED = (
    "⚠️ This chat's own articles are unavailable: its library is damaged. A group admin (or, in a private"
    f" chat, its owner) can send /repair; on the server: sanad repair --chat {PRIVATE.id}"
)


async def test_a_damaged_chat_library_answers_from_the_shared_one_until_repaired(
    searcher: Searcher, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    chats = tmp_path / "chats"
    async with FakeTelegram(token=TOKEN, bot_username=BOT) as fake:
        settings = settings_for(fake)
        with Shelf(searcher, chats) as shelf:
            async with serving(build_application(settings, shelf, retry_after=QUICK_RETRIES)):
                fake.send_text(PRIVATE, ALICE, f"/add {BANK_TEXT}")
                await fake.wait_for(
                    lambda call: sent_to(PRIVATE, "editMessageText")(call) and "✅" in call.params["text"],
                    timeout=60,
                )
        database = chats / str(PRIVATE.id) / "library.sqlite"
        database.write_bytes(database.read_bytes()[:100])  # a disk fault, or a bad copy

        with Shelf(searcher, chats) as shelf:
            async with serving(build_application(settings, shelf, retry_after=QUICK_RETRIES)):
                since = len(fake.calls)
                fake.send_text(PRIVATE, ALICE, "Who denied the claims?")
                answer = await next_reply(fake, PRIVATE, since=since)
                fake.send_text(PRIVATE, ALICE, "/sources")
                sources = await next_reply(fake, PRIVATE, since=len(fake.calls))
                fake.send_text(BOB_CHAT, BOB, "Who denied the claims?")
                bobs = await next_reply(fake, BOB_CHAT)
                fake.set_admins(GROUP, ALICE)
                fake.send_text(GROUP, BOB, "/repair")  # a member, not an admin
                refused = await next_reply(fake, GROUP)
                fake.send_text(PRIVATE, ALICE, "/repair")
                repaired = await next_reply(fake, PRIVATE, since=len(fake.calls))
                fake.send_text(PRIVATE, ALICE, "/repair")
                again = await next_reply(fake, PRIVATE, since=len(fake.calls))
                fake.send_text(PRIVATE, ALICE, "بكم رفع البنك المركزي سعر الفائدة؟")
                after = await next_reply(fake, PRIVATE, since=len(fake.calls))

    assert answer["text"].startswith(DAMAGED)
    assert any(quote.startswith(SPOKESMAN) for quote in entity_texts(answer, "blockquote"))
    assert DAMAGED in sources["text"] and "Shared articles" in sources["text"]
    assert "unavailable" not in bobs["text"]  # other chats notice nothing
    assert refused["text"] == "In this group only admins can add or remove articles."
    assert repaired["text"].startswith("🛠 Repaired this chat's library:")
    assert again["text"] == "This chat's library is fine: nothing to repair."
    assert "unavailable" not in after["text"]
    assert not [call for call in calls(fake, "sendMessage") if "something went wrong" in call.params["text"]]
    warnings = [record.getMessage() for record in caplog.records if record.levelno >= logging.WARNING]
    assert any(f"Run sanad repair --chat {PRIVATE.id}" in line for line in warnings)
