"""Journalists in a group chat: /ask, /ask@bot, an @mention or a reply to the bot is a question;
everything else is their conversation, not the bot's business (privacy mode on, as by default)."""

from __future__ import annotations

import asyncio

from index import Searcher
from lab.harness import (
    ALICE,
    BOB,
    GROUP,
    RAAB,
    SPOKESMAN,
    calls,
    entity_texts,
    next_reply,
    running_bot,
    sent_to,
)


async def test_ask_in_a_group_answers_who_denied_the_claims(searcher: Searcher) -> None:
    async with running_bot(searcher) as (fake, _):
        question = fake.send_text(GROUP, ALICE, "/ask Who denied the claims?")
        answer = await next_reply(fake, GROUP)
    assert answer["reply_to_message"]["message_id"] == question
    assert any(quote.startswith(SPOKESMAN) for quote in entity_texts(answer, "blockquote"))


async def test_ask_addressed_to_the_bot_by_name_is_answered(searcher: Searcher) -> None:
    async with running_bot(searcher) as (fake, _):
        fake.send_text(
            GROUP, ALICE, "/ask@sanad_test_bot ماذا قال المتحدث باسم وزارة الخارجية الصينية عن المزاعم؟"
        )
        answer = await next_reply(fake, GROUP)
    assert entity_texts(answer, "blockquote")[0].startswith(SPOKESMAN)


async def test_a_mention_of_the_bot_with_a_question_is_answered(searcher: Searcher) -> None:
    async with running_bot(searcher) as (fake, _):
        question = fake.send_text(GROUP, BOB, "@sanad_test_bot Who denied the claims?")
        answer = await next_reply(fake, GROUP)
    assert answer["reply_to_message"]["message_id"] == question
    assert any(quote.startswith(SPOKESMAN) for quote in entity_texts(answer, "blockquote"))


async def test_a_reply_to_the_bots_answer_is_a_follow_up_question(searcher: Searcher) -> None:
    async with running_bot(searcher) as (fake, _):
        fake.send_text(GROUP, ALICE, "/ask Who denied the claims?")
        answer = await next_reply(fake, GROUP)
        since = len(fake.calls)
        follow_up = fake.send_text(GROUP, BOB, "What did Dominic Raab say?", reply_to=answer["message_id"])
        second = await next_reply(fake, GROUP, since=since)
    assert second["reply_to_message"]["message_id"] == follow_up
    assert any(quote.startswith(RAAB) for quote in entity_texts(second, "blockquote"))


async def test_group_chatter_is_ignored_even_when_the_bot_sees_it_as_an_admin(searcher: Searcher) -> None:
    async with running_bot(searcher) as (fake, _):
        fake.set_admins(GROUP, ALICE, bot=True)  # an admin bot receives every message
        fake.send_text(GROUP, BOB, "Who denied the claims?")
        fake.send_sticker(GROUP, BOB)
        fake.send_text(GROUP, BOB, "/ask@other_bot Who denied the claims?")
        question = fake.send_text(GROUP, ALICE, "/ask What did Dominic Raab say?")
        answer = await next_reply(fake, GROUP)
        await asyncio.sleep(0.2)  # time for anything else the bot might (wrongly) send
    assert answer["reply_to_message"]["message_id"] == question
    assert len(calls(fake, "sendMessage")) == 1
    assert len(calls(fake, "sendChatAction")) == 1


async def test_a_sticker_sent_in_reply_to_the_bot_gets_the_text_hint(searcher: Searcher) -> None:
    async with running_bot(searcher) as (fake, _):
        fake.send_text(GROUP, ALICE, "/ask Who denied the claims?")
        answer = await next_reply(fake, GROUP)
        since = len(fake.calls)
        fake.send_sticker(GROUP, BOB, reply_to=answer["message_id"])
        hint = await next_reply(fake, GROUP, since=since)
    assert hint["text"].startswith("I can only read questions written as text")


async def test_ask_or_a_mention_without_a_question_explains_how_to_ask(searcher: Searcher) -> None:
    async with running_bot(searcher) as (fake, _):
        fake.send_text(GROUP, ALICE, "/ask")
        await fake.wait_for(sent_to(GROUP))
        fake.send_text(GROUP, ALICE, "@sanad_test_bot")
        await fake.wait_for(lambda call: len(calls(fake, "sendMessage")) == 2)
    hints = [message["text"] for message in fake.messages_in(GROUP.id)]
    usage = "Write your question after /ask, for example: /ask Who denied the claims?"
    assert hints == [f"{usage} (or reply /ask to a message that asks it)."] * 2


async def test_a_bare_ask_or_mention_in_reply_to_a_colleague_asks_what_they_wrote(searcher: Searcher) -> None:
    async with running_bot(searcher) as (fake, _):
        colleague = fake.send_text(GROUP, BOB, "Who denied the claims?")  # the bot does not see it
        ask = fake.send_text(GROUP, ALICE, "/ask", reply_to=colleague)
        answer = await next_reply(fake, GROUP)
        other = fake.send_text(GROUP, BOB, "What did Dominic Raab say?")
        fake.send_text(GROUP, ALICE, "@sanad_test_bot", reply_to=other)
        second = await next_reply(fake, GROUP, since=len(fake.calls))
        fake.send_text(GROUP, ALICE, "/ask", reply_to=answer["message_id"])  # the bot's own answer
        hint = await next_reply(fake, GROUP, since=len(fake.calls))
    assert answer["reply_to_message"]["message_id"] == ask
    assert any(quote.startswith(SPOKESMAN) for quote in entity_texts(answer, "blockquote"))
    assert any(quote.startswith(RAAB) for quote in entity_texts(second, "blockquote"))
    assert hint["text"].startswith("Write your question after /ask")
