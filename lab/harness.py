"""Running the real bot against the fake Bot API server, and reading what users would see.

Servers and applications are opened inside each test (pytest-asyncio runs fixtures and tests on
different event loops here), with the async context managers below.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import ExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

from telegram.ext import Application

from bot.app import ALLOWED_UPDATES, build_application
from bot.settings import BotSettings
from index import Searcher, Shelf
from lab.fake_telegram import Call, Chat, FakeTelegram, User

JSONDict = dict[str, Any]

# Shaped like a BotFather token (built in two parts so that no real-looking token sits in the source).
TOKEN = "123456789:" + "AAHfakeTOKENforTESTSonly_abcdefghij"
BOT = "sanad_test_bot"
SPOKESMAN = "ونفى المتحدث باسم وزارة الخارجية الصينية هذه المزاعم"
RAAB = "دعا دومينيك راب بكين"
NO_ANSWER_EN = "What is the capital of Peru?"
NO_ANSWER_AR = "ما هي عاصمة البيرو؟"

ALICE = User(id=501, first_name="Alice", language_code="en", username="alice")
BOB = User(id=502, first_name="Bob", language_code="en")
SALMA = User(id=503, first_name="سلمى", language_code="ar")
PEDRO = User(id=504, first_name="Pedro", language_code="pt-BR")
PRIVATE = Chat(id=ALICE.id)
BOB_CHAT = Chat(id=BOB.id)
SALMA_CHAT = Chat(id=SALMA.id)
PEDRO_CHAT = Chat(id=PEDRO.id)
GROUP = Chat(id=-100777, type="supergroup", title="Newsroom")


# Pauses before a failed update is tried again: short, so that tests of retries and give-ups are quick.
QUICK_RETRIES = (0.05, 0.1)


def settings_for(fake: FakeTelegram, **env: str) -> BotSettings:
    """Bot settings pointing at `fake`; `env` adds or overrides variables (SANAD_TOP_K=...)."""
    return BotSettings.from_env(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": fake.base_url,
            "TELEGRAM_API_FILE_URL": fake.base_file_url,
            **env,
        }
    )


@asynccontextmanager
async def serving(application: Application) -> AsyncIterator[Application]:
    """Start the application as `run_polling` does (initialize, post_init, polling, start) and stop it
    the same way (stop polling, stop, post_stop, shutdown, post_shutdown)."""
    await application.initialize()
    assert application.post_init is not None and application.updater is not None
    await application.post_init(application)
    await application.updater.start_polling(poll_interval=0, timeout=1, allowed_updates=ALLOWED_UPDATES)
    await application.start()
    try:
        yield application
    finally:
        await application.updater.stop()
        await application.stop()
        if application.post_stop is not None:
            await application.post_stop(application)
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


@asynccontextmanager
async def running_bot(
    searcher: Searcher, *, chats: Path | None = None, **env: str
) -> AsyncIterator[tuple[FakeTelegram, Application]]:
    """A fake Telegram and the real application, polling it; the chats' own libraries live in `chats`
    (a fresh temporary directory unless given)."""
    with ExitStack() as stack:
        directory = chats or Path(stack.enter_context(tempfile.TemporaryDirectory()))
        shelf = stack.enter_context(Shelf(searcher, directory))
        async with (
            FakeTelegram(token=TOKEN, bot_username=BOT) as fake,
            serving(
                build_application(settings_for(fake, **env), shelf, retry_after=QUICK_RETRIES)
            ) as application,
        ):
            yield fake, application


def sent_to(chat: Chat, method: str = "sendMessage") -> Callable[[Call], bool]:
    """Matches a successful call of `method` in `chat`."""
    return lambda call: call.method == method and call.ok and call.params.get("chat_id") == chat.id


async def next_reply(
    fake: FakeTelegram, chat: Chat, *, since: int = 0, method: str = "sendMessage"
) -> JSONDict:
    """The next message the bot sends (or edits, with method="editMessageText") in `chat`."""
    call = await fake.wait_for(sent_to(chat, method), since=since)
    result: JSONDict = call.response["result"]
    return result


def entity_texts(message: JSONDict, kind: str) -> list[str]:
    """The visible text under each entity of `kind` (offsets are UTF-16 units, as in Telegram)."""
    encoded = message["text"].encode("utf-16-le")
    return [
        encoded[2 * e["offset"] : 2 * (e["offset"] + e["length"])].decode("utf-16-le")
        for e in message.get("entities", [])
        if e["type"] == kind
    ]


def buttons(message: JSONDict) -> dict[str, str]:
    """Button label -> callback data of a message's inline keyboard."""
    keyboard = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return {button["text"]: button["callback_data"] for row in keyboard for button in row}


def calls(fake: FakeTelegram, method: str, *, since: int = 0) -> list[Call]:
    return [call for call in fake.calls[since:] if call.method == method]


def replies_by_question(fake: FakeTelegram) -> Counter[tuple[int, int]]:
    """How many answers the bot delivered to each question, by (chat id, question's message id).

    An answer is a message the server accepted that replies to the question (a long answer's later
    parts do not reply, so each answer counts once)."""
    counts: Counter[tuple[int, int]] = Counter()
    for call in fake.calls:
        if call.method == "sendMessage" and call.ok and "reply_to_message" in call.response["result"]:
            result = call.response["result"]
            counts[(result["chat"]["id"], result["reply_to_message"]["message_id"])] += 1
    return counts


async def wait_until(condition: Callable[[], bool], *, timeout: float, poll: float = 0.05) -> None:
    """Wait for `condition` to hold; a TimeoutError names how long it waited."""
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(poll)
