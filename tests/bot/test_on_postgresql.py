"""The bot with SANAD_DATABASE_URL: a chat's articles, its votes and the bot's own memory are rows of
one PostgreSQL database (a real server, lab/postgres.py), and nothing is written to disk."""

from __future__ import annotations

from contextlib import closing

from bot.app import build_application
from bot.state import BotState
from index import Searcher, Shelf
from index.database import Postgres
from index.library import OnServer, library_name, set_up_libraries
from index.library.postgres import library_names
from lab.fake_telegram import FakeTelegram
from lab.harness import (
    BOT,
    QUICK_RETRIES,
    SALMA,
    SALMA_CHAT,
    TOKEN,
    buttons,
    entity_texts,
    next_reply,
    serving,
    settings_for,
)
from tests.bot.test_articles import ask, final_status
from tests.support.article_files import CLINIC, docx_bytes

QUESTION = "كم مرة ستزور العيادة المتنقلة كل قرية؟"


def set_up(url: str) -> None:
    """What `sanad setup` does to a new database: the library tables and the bot's."""
    with closing(Postgres.connect(url)) as database:
        set_up_libraries(database)
    BotState.set_up(url)


async def test_a_chats_article_is_added_to_the_database_and_answers_after_a_restart(
    searcher: Searcher, database_url: str
) -> None:
    """The shared articles stay where the session's searcher has them; the chat's own go to the server."""
    set_up(database_url)
    answers = []
    async with FakeTelegram(token=TOKEN, bot_username=BOT) as fake:
        env = {"SANAD_DATABASE_URL": database_url, "SANAD_ARTICLE_MIN_CHARS": "100"}
        for life in ("first", "second"):
            with (
                closing(OnServer(Postgres.connect(database_url))) as catalog,
                Shelf(searcher, catalog) as shelf,
            ):
                settings = settings_for(fake, **env)
                async with serving(build_application(settings, shelf, retry_after=QUICK_RETRIES)):
                    if life == "first":
                        fake.send_document(SALMA_CHAT, SALMA, "عيادة.docx", docx_bytes(CLINIC, author="سلمى"))
                        offer = await next_reply(fake, SALMA_CHAT)
                        since = len(fake.calls)
                        fake.press_button(
                            SALMA_CHAT, SALMA, offer["message_id"], buttons(offer)["أضف إلى المكتبة"]
                        )
                        done = await final_status(fake, SALMA_CHAT, since)
                    answers.append(await ask(fake, SALMA_CHAT, SALMA, QUESTION))
    assert done["text"].startswith(f"✅ أضيف إلى مكتبة هذه المحادثة: {CLINIC[0]} (عدد الجمل 3)")
    assert [entity_texts(answer, "blockquote")[0] for answer in answers] == [CLINIC[2], CLINIC[2]]
    with closing(Postgres.connect(database_url)) as database:
        assert library_names(database) == [library_name(SALMA_CHAT.id)]
