"""What goes wrong in production: rate limits, failing requests, slow questions, strangers, long answers."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from bot.logs import REDACTED, protect_logs
from index import Answer, Searcher
from lab.harness import (
    ALICE,
    BOB,
    BOB_CHAT,
    PRIVATE,
    SPOKESMAN,
    TOKEN,
    buttons,
    calls,
    entity_texts,
    next_reply,
    running_bot,
    sent_to,
)

SLOW_SECONDS = 2


class SlowSearcher(Searcher):
    """The real searcher, but questions that start with "slow" take two seconds of blocking work."""

    def ask(self, question: str, *, k: int = 3, context: int = 1) -> Answer:
        if question.startswith("slow"):
            time.sleep(SLOW_SECONDS)
        return super().ask(question, k=k, context=context)


async def test_a_429_on_send_message_is_retried_after_the_wait_and_the_answer_delivered(
    searcher: Searcher,
) -> None:
    async with running_bot(searcher) as (fake, _):
        fake.fail_next("sendMessage", retry_after=1)
        fake.send_text(PRIVATE, ALICE, "Who denied the claims?")
        answer = await next_reply(fake, PRIVATE)
    refused, delivered = calls(fake, "sendMessage")
    assert (refused.status, delivered.status) == (429, 200)
    assert delivered.time - refused.time >= 1
    assert delivered.params["text"] == refused.params["text"]
    assert any(quote.startswith(SPOKESMAN) for quote in entity_texts(answer, "blockquote"))


async def test_a_failing_update_is_logged_with_its_chat_and_tried_again(
    searcher: Searcher, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    protect_logs(TOKEN)  # as `sanad bot` does before building the application
    async with running_bot(searcher) as (fake, _):
        # A refusal, not a network failure (those are retried within the request: test_faults.py).
        fake.fail_next("sendMessage", status=400, description="Bad Request: message thread not found")
        fake.send_text(PRIVATE, ALICE, "Who denied the claims?")
        answer = await next_reply(fake, PRIVATE)
    assert any(quote.startswith(SPOKESMAN) for quote in entity_texts(answer, "blockquote"))
    [failure] = [record for record in caplog.records if record.name == "bot.handlers"]
    assert failure.levelno == logging.ERROR
    assert failure.getMessage().endswith(f"in chat {PRIVATE.id} failed")
    assert failure.exc_info is not None
    assert TOKEN.partition(":")[2] not in caplog.text
    assert REDACTED in caplog.text  # python-telegram-bot's debug log names its URL, token included


@pytest.mark.slow
async def test_a_slow_question_does_not_hold_up_other_chats(searcher: Searcher) -> None:
    slow = SlowSearcher(searcher.library, searcher.encoder, thresholds=searcher.thresholds)
    async with running_bot(slow) as (fake, _):
        fake.send_text(PRIVATE, ALICE, "slow: who denied the claims?")
        await fake.wait_for(sent_to(PRIVATE, "sendChatAction"))  # Alice's question is being worked on
        asked = time.monotonic()
        fake.send_text(BOB_CHAT, BOB, "Who denied the claims?")
        await next_reply(fake, BOB_CHAT)
        bob_waited = time.monotonic() - asked
        await next_reply(fake, PRIVATE)
    assert bob_waited < SLOW_SECONDS
    replies = [call.params["chat_id"] for call in calls(fake, "sendMessage")]
    assert replies == [BOB.id, ALICE.id]


async def test_only_the_allowed_chats_are_served(searcher: Searcher) -> None:
    async with running_bot(searcher, SANAD_ALLOWED_CHATS=str(ALICE.id)) as (fake, _):
        fake.send_text(BOB_CHAT, BOB, "Who denied the claims?")
        fake.inline_query(BOB, "Who denied the claims?")
        fake.send_text(PRIVATE, ALICE, "Who denied the claims?")
        await next_reply(fake, PRIVATE)
        await asyncio.sleep(0.2)  # time for anything else the bot might (wrongly) send
    sent = {call.params["chat_id"]: call.params["text"] for call in calls(fake, "sendMessage")}
    assert sorted(sent) == sorted([ALICE.id, BOB.id])
    assert sent[BOB.id] == "Sorry, this bot only answers the chats it was set up for."
    [inline] = calls(fake, "answerInlineQuery")
    assert inline.params["results"] == []


async def test_a_long_answer_is_split_into_messages_under_4096_characters(
    searcher_without_threshold: Searcher,
) -> None:
    every_sentence = searcher_without_threshold.library.sentence_count()
    async with running_bot(searcher_without_threshold, SANAD_TOP_K=str(every_sentence)) as (fake, _):
        question = fake.send_text(PRIVATE, ALICE, "Who denied the claims?")
        await fake.wait_for(lambda call: sent_to(PRIVATE)(call) and "reply_markup" in call.params)
    parts = fake.messages_in(PRIVATE.id)
    assert len(parts) >= 2
    assert all(len(part["text"]) <= 4096 for part in parts)
    assert parts[0]["reply_to_message"]["message_id"] == question
    assert all("reply_to_message" not in part for part in parts[1:])
    assert [bool(buttons(part)) for part in parts] == [False] * (len(parts) - 1) + [True]
    quotes = [quote for part in parts for quote in entity_texts(part, "blockquote")]
    assert len(quotes) == len(set(quotes)) == every_sentence  # every sentence whole, none twice
