"""Hostile input: huge messages, invisible and direction controls, markup in questions and in articles,
callback data that was forged or belongs to another chat, strangers outside the allow-list.

Nothing crashes (the bot answers a plain question afterwards), nothing leaks another chat's answers,
every message the bot sends is one Telegram accepts, and the token never shows in a log line or a
message.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.logs import protect_logs
from index import Searcher, SourceText, add_source
from index.embedding import Encoder
from index.library import Library
from lab.fake_telegram import Chat, FakeTelegram, User, parse_html
from lab.harness import (
    ALICE,
    BOB,
    BOB_CHAT,
    GROUP,
    PRIVATE,
    RAAB,
    SPOKESMAN,
    TOKEN,
    JSONDict,
    buttons,
    calls,
    entity_texts,
    next_reply,
    running_bot,
    sent_to,
)
from tests.support.builders import visible

HUGE = 100_000
CONTROLS = "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c\ufeff"
STALE = "This button no longer applies."
REFUSED = "Sorry, this bot only answers the chats it was set up for."
STRANGER = User(id=666, first_name="Mallory", language_code="en")


@pytest.fixture
def watched_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Every log line at DEBUG, redacted as `sanad bot` redacts them."""
    caplog.set_level(logging.DEBUG)
    protect_logs(TOKEN)
    yield caplog


def assert_clean(fake: FakeTelegram, logs: pytest.LogCaptureFixture) -> None:
    """Telegram accepted every message the bot sent, and the token is nowhere."""
    sent = [call for call in fake.calls if call.method in ("sendMessage", "editMessageText")]
    assert [call for call in sent if not call.ok] == []
    secret = TOKEN.partition(":")[2]
    assert secret not in logs.text
    assert not [call for call in fake.calls if secret in repr(call.params)]


async def ask(fake: FakeTelegram, chat: Chat, user: User, text: str) -> JSONDict:
    """Send `text` and wait for the bot's next message in `chat`."""
    since = len(fake.calls)
    fake.send_text(chat, user, text)
    return await next_reply(fake, chat, since=since)


async def ask_plainly(fake: FakeTelegram) -> None:
    """The bot still answers: nothing before crashed it."""
    answer = await ask(fake, PRIVATE, ALICE, "Who denied the claims?")
    assert any(quote.startswith(SPOKESMAN) for quote in entity_texts(answer, "blockquote"))


async def test_a_100000_character_message_gets_one_short_reply(
    searcher: Searcher, watched_logs: pytest.LogCaptureFixture
) -> None:
    async with running_bot(searcher) as (fake, _):
        private = await ask(fake, PRIVATE, ALICE, "why " * (HUGE // 4))
        group = await ask(fake, GROUP, BOB, f"/ask {'x' * HUGE}")
        invisible = await ask(fake, PRIVATE, ALICE, "\u200b" * HUGE)
        await ask_plainly(fake)
    # Pasted text that long is offered for adding (issue 4), not answered; asked with /ask it is refused.
    assert private["text"].startswith("This looks like an article (100,000 characters).")
    assert group["text"] == "That question is 100,000 characters long; please ask in under 1,000."
    assert invisible["text"] == "Ask a question in words, for example: Who denied the claims?"
    assert_clean(fake, watched_logs)


async def test_zero_width_and_direction_controls_neither_hide_a_question_nor_come_back(
    searcher: Searcher, watched_logs: pytest.LogCaptureFixture
) -> None:
    question = "\u202eWho\u200b denied\u2066 the\u200f claims\u202c?\ufeff"
    async with running_bot(searcher) as (fake, _):
        answer = await ask(fake, PRIVATE, ALICE, question)
        fake.inline_query(ALICE, question)
        inline = await fake.wait_for("answerInlineQuery")
        refusal = await ask(fake, PRIVATE, ALICE, CONTROLS * 10)
    assert any(quote.startswith(SPOKESMAN) for quote in entity_texts(answer, "blockquote"))
    shared = [result["input_message_content"]["message_text"] for result in inline.params["results"]]
    assert any(SPOKESMAN in visible(message) for message in shared)
    assert {visible(message).split("\n")[0] for message in shared} == {"❓ Who denied the claims?"}
    assert refusal["text"].startswith("Ask a question in words")
    assert_clean(fake, watched_logs)


async def test_telegram_markup_in_a_question_is_plain_text(
    searcher: Searcher, watched_logs: pytest.LogCaptureFixture
) -> None:
    async with running_bot(searcher) as (fake, _):
        answer = await ask(fake, PRIVATE, ALICE, "Who *denied* the `claims` [?](tg://user?id=1)")
        marked = '<a href="tg://user?id=1">Who</a> denied &amp; the <tg-spoiler>claims</tg-spoiler>?'
        fake.inline_query(ALICE, marked)
        inline = await fake.wait_for("answerInlineQuery")
    assert len(entity_texts(answer, "blockquote")) == 3
    shared = inline.params["results"][0]["input_message_content"]["message_text"]
    assert visible(shared).split("\n")[0] == f"❓ {marked}"  # echoed as the user wrote it
    assert "text_link" not in str(parse_html(shared)[1]) and "spoiler" not in str(parse_html(shared)[1])
    assert_clean(fake, watched_logs)


MARKUP_ARTICLE = """\
Markup in the archive

The editor wrote <b>bold</b> & <a href="javascript:alert(1)">a link</a> </blockquote> in the draft.

A second line asks readers to *share* the [story](tg://user?id=1) and `copy` it.

The weather in the capital was calm and dry on Tuesday.
"""


@pytest.fixture
def markup_searcher(tmp_path: Path, encoder: Encoder) -> Iterator[Searcher]:
    """A library holding one article full of HTML and Telegram markup, titled in markup too."""
    library = Library.open(tmp_path / "markup", encoder.info, encoder.probe())
    add_source(library, encoder, SourceText(MARKUP_ARTICLE, title="<i>Markup</i> & <b>archive</b>"))
    yield Searcher(library, encoder, thresholds=None)
    library.close()


async def test_markup_in_an_article_is_quoted_as_the_articles_own_text(
    markup_searcher: Searcher, watched_logs: pytest.LogCaptureFixture
) -> None:
    async with running_bot(markup_searcher, SANAD_TOP_K="1") as (fake, _):
        editor = await ask(fake, PRIVATE, ALICE, "What did the editor write in the draft?")
        share = await ask(fake, PRIVATE, ALICE, "What are readers asked to share?")
        sources = await ask(fake, PRIVATE, ALICE, "/sources")
    assert entity_texts(editor, "blockquote")[0].startswith(
        'The editor wrote <b>bold</b> & <a href="javascript:alert(1)">a link</a> </blockquote>'
    )
    assert entity_texts(share, "blockquote")[0].startswith("A second line asks readers to *share* the [")
    for message in (editor, share):
        kinds = {entity["type"] for entity in message.get("entities", [])}
        assert not {"text_link", "code", "spoiler"} & kinds
    assert "<i>Markup</i> & <b>archive</b>" in sources["text"]
    assert_clean(fake, watched_logs)


async def test_callback_data_from_another_chat_or_forged_finds_nothing(
    searcher: Searcher, watched_logs: pytest.LogCaptureFixture
) -> None:
    async with running_bot(searcher) as (fake, _):
        alice_answer = await ask(fake, PRIVATE, ALICE, "What did Dominic Raab say?")
        alices_button = buttons(alice_answer)["More context"]
        fake.send_sticker(BOB_CHAT, BOB)
        bob_hint = await next_reply(fake, BOB_CHAT)
        answered = len(fake.calls)
        forged = [
            fake.forge_callback(BOB, alices_button, chat=BOB_CHAT, message_id=bob_hint["message_id"]),
            fake.forge_callback(BOB, alices_button),  # as if from an inline message: no chat at all
            fake.forge_callback(BOB, "c:" + "A" * 62, chat=BOB_CHAT, message_id=bob_hint["message_id"]),
            fake.forge_callback(BOB, "x:ar:99", chat=BOB_CHAT, message_id=bob_hint["message_id"]),
            fake.forge_callback(BOB, "o:ÄÖÜ€€€€", chat=BOB_CHAT, message_id=bob_hint["message_id"]),
        ]
        await fake.wait_for(
            lambda _: (
                {c.params.get("callback_query_id") for c in calls(fake, "answerCallbackQuery")} >= set(forged)
            )
        )
        # The same data in its own chat works: the key is real, only the chat was wrong.
        fake.forge_callback(ALICE, alices_button, chat=PRIVATE, message_id=alice_answer["message_id"])
        context = await next_reply(fake, PRIVATE, method="editMessageText")
    notices = {
        call.params["callback_query_id"]: call.params.get("text")
        for call in calls(fake, "answerCallbackQuery", since=answered)
    }
    assert [notices[query] for query in forged] == [STALE] * 5
    assert [call.params["chat_id"] for call in calls(fake, "editMessageText")] == [PRIVATE.id]
    assert not [call for call in calls(fake, "sendMessage", since=answered) if sent_to(BOB_CHAT)(call)]
    assert RAAB in context["text"]
    assert_clean(fake, watched_logs)


async def test_strangers_get_one_short_refusal_and_an_empty_inline_answer(
    searcher: Searcher, watched_logs: pytest.LogCaptureFixture
) -> None:
    stranger_chat = Chat(STRANGER.id)
    async with running_bot(searcher, SANAD_ALLOWED_CHATS=f"{ALICE.id},{GROUP.id}") as (fake, _):
        alice_answer = await ask(fake, PRIVATE, ALICE, "What did Dominic Raab say?")
        question = fake.send_text(stranger_chat, STRANGER, "Who denied the claims?")
        fake.edit_text(stranger_chat, STRANGER, question, "What did Dominic Raab say?")
        fake.inline_query(STRANGER, "Who denied the claims? <b>" + "\u202e" * 200)
        fake.forge_callback(STRANGER, buttons(alice_answer)["More context"])
        group = await ask(fake, GROUP, STRANGER, "/ask Who denied the claims?")  # allowed group: anyone
        await ask_plainly(fake)
    assert any(quote.startswith(SPOKESMAN) for quote in entity_texts(group, "blockquote"))
    # One reply for the message and its edit (at most one an hour), nothing from the library.
    [refusal] = [call for call in fake.calls if call.params.get("chat_id") == STRANGER.id]
    assert refusal.params["text"] == REFUSED
    [inline] = calls(fake, "answerInlineQuery")
    assert inline.params["results"] == []  # at once, instead of a query left to time out
    [pressed] = calls(fake, "answerCallbackQuery")
    assert pressed.params["text"] == REFUSED
    assert not [call for call in fake.calls if sent_to(PRIVATE, "editMessageText")(call)]
    assert_clean(fake, watched_logs)
