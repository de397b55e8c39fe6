"""Acceptance: a newsroom group adds a second Arabic article and asks about it, and all of it is still
there after the bot process restarts. The real `sanad bot` runs as a separate process, twice, against
one fake Bot API server; privacy mode is on, so the bot never sees the pasted article until an admin
replies /add to it."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from index import Library
from lab.fake_telegram import FakeTelegram
from lab.harness import ALICE, BOT, GROUP, TOKEN, JSONDict, entity_texts, sent_to
from tests.bot.test_articles import (
    ADD_SECONDS,
    BANK_TEXT,
    BANK_TITLE,
    RATE_QUESTION,
    RATE_SENTENCE,
    final_status,
)
from tests.bot.test_process import STARTUP_SECONDS, sanad_command

pytestmark = pytest.mark.slow  # the real `sanad bot` restarted in child processes

SEED_TITLE = "المملكة المتحدة وحلفاؤها تتهم مجموعة صينية تدعمها الدولة باختراق مايكروسوفت"


@asynccontextmanager
async def sanad_bot(fake: FakeTelegram, workdir: Path, run: int) -> AsyncIterator[None]:
    """`sanad -v bot` on the shared library and chat libraries in `workdir`, stopped with SIGTERM."""
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "TELEGRAM_API_FILE_URL": fake.base_file_url,
        "SANAD_DATA": str(workdir / "library"),
        "SANAD_CHATS": str(workdir / "chats"),
    }
    env.pop("SANAD_ALLOWED_CHATS", None)
    with (workdir / f"output-{run}.txt").open("wb") as output:
        process = await asyncio.create_subprocess_exec(
            *sanad_command(), "-v", "bot", stdout=output, stderr=output, env=env, cwd=workdir
        )
        try:
            yield
            process.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(process.wait(), timeout=30) == 0
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()


async def ask_and_list(fake: FakeTelegram) -> tuple[JSONDict, JSONDict]:
    """Ask about the added article, then list the sources; answered once the bot has started."""
    replies = []
    for text in (f"/ask {RATE_QUESTION}", "/sources"):
        since = len(fake.calls)
        fake.send_text(GROUP, ALICE, text)
        call = await fake.wait_for(sent_to(GROUP), timeout=STARTUP_SECONDS, since=since)
        replies.append(call.response["result"])
    return replies[0], replies[1]


async def test_a_group_adds_an_arabic_article_asks_about_it_and_keeps_it_after_a_restart(
    tmp_path: Path, seed_library: Library
) -> None:
    shutil.copytree(seed_library.path, tmp_path / "library")
    async with FakeTelegram(token=TOKEN, bot_username=BOT) as fake:
        fake.set_admins(GROUP, ALICE)
        async with sanad_bot(fake, tmp_path, 1):
            pasted = fake.send_text(GROUP, ALICE, BANK_TEXT)  # the group's chatter: the bot does not see it
            since = len(fake.calls)
            fake.send_text(GROUP, ALICE, "/add", reply_to=pasted)
            added = await final_status(fake, GROUP, since, timeout=STARTUP_SECONDS + ADD_SECONDS)
            answer, sources = await ask_and_list(fake)
        async with sanad_bot(fake, tmp_path, 2):
            again, sources_again = await ask_and_list(fake)

    assert added["text"].startswith(f"✅ Added to this chat's library: {BANK_TITLE} (7 sentences)")
    for reply in (answer, again):
        assert entity_texts(reply, "blockquote")[0].startswith(RATE_SENTENCE)
        assert f"📰 {BANK_TITLE}" in reply["text"]  # the quote names its article
    assert sources["text"].startswith(f"This chat's articles:\n\n1. {BANK_TITLE}\n7 sentences, added ")
    assert f"Shared articles (every chat can ask about them):\n\n• {SEED_TITLE}" in sources["text"]
    assert sources_again["text"] == sources["text"]
    assert again["text"] == answer["text"]
    libraries = [path.name for path in (tmp_path / "chats").iterdir() if path.is_dir()]
    assert libraries == [str(GROUP.id)]  # beside them, bot.sqlite: the journal and button memory
