"""The update journal, through the real application and the fake Bot API: an update is on disk before
Telegram may forget it, replayed after a crash in each chat's order, answered once, and given up with a
short reply when it fails every time."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from telegram import Update
from telegram.ext import Application

from bot.app import build_application
from bot.journal import MAX_CRASHES, MAX_TRIES, JournaledProcessor, JournalingQueue
from bot.state import STATE_NAME, Adding, BotState
from index import Answer, Searcher, Shelf
from lab.fake_telegram import FakeTelegram
from lab.harness import (
    ALICE,
    BOB,
    BOB_CHAT,
    BOT,
    PRIVATE,
    QUICK_RETRIES,
    SPOKESMAN,
    TOKEN,
    buttons,
    calls,
    entity_texts,
    next_reply,
    running_bot,
    sent_to,
    serving,
    settings_for,
    wait_until,
)
from tests.support.article_files import BANK_TEXT

GAVE_UP = "Sorry, I could not handle this message. Please send it again later."


class PoisonSearcher(Searcher):
    """The real searcher, except that questions about poison crash it, every time."""

    def ask(self, question: str, *, k: int = 3, context: int = 1) -> Answer:
        if "poison" in question:
            raise RuntimeError("the searcher crashed")
        return super().ask(question, k=k, context=context)


@asynccontextmanager
async def bot_on(fake: FakeTelegram, searcher: Searcher, chats: Path) -> AsyncIterator[Application]:
    """A bot process's life: the application on `chats` (and its journal there), polling `fake`."""
    with Shelf(searcher, chats) as shelf:
        async with serving(build_application(settings_for(fake), shelf, retry_after=QUICK_RETRIES)) as app:
            yield app


def journal(chats: Path, updates: list[dict[str, object]]) -> None:
    """What a bot that died had written: these updates, journaled and not done."""
    with BotState.open(chats / STATE_NAME) as state:
        for update in updates:
            kind = next(key for key in update if key != "update_id")
            payload = update[kind]
            assert isinstance(payload, dict)
            chat = payload.get("chat") or payload["message"]["chat"]
            state.record(int(update["update_id"]), chat["id"], update)  # type: ignore[call-overload]


def processor_of(application: Application) -> JournaledProcessor:
    processor = application.update_processor
    assert isinstance(processor, JournaledProcessor)
    return processor


async def test_updates_a_dead_bot_journaled_are_answered_at_start_in_each_chats_order(
    searcher: Searcher, tmp_path: Path
) -> None:
    async with FakeTelegram(token=TOKEN, bot_username=BOT) as fake:
        asked = [
            fake.send_text(PRIVATE, ALICE, "Who denied the claims?"),
            fake.send_text(BOB_CHAT, BOB, "What did Dominic Raab say?"),
            fake.send_text(PRIVATE, ALICE, "What did Dominic Raab say?"),
            fake.send_text(PRIVATE, ALICE, "من نفى المزاعم؟"),
        ]
        journal(tmp_path, fake.take_updates())  # Telegram has forgotten them: only the journal knows
        async with bot_on(fake, searcher, tmp_path) as application:
            await wait_until(lambda: len(calls(fake, "sendMessage")) == 4, timeout=30)
            counts = processor_of(application).counts
        with BotState.open(tmp_path / STATE_NAME) as state:
            assert state.pending() == []
    replies = [call.response["result"] for call in calls(fake, "sendMessage")]
    alice = [reply["reply_to_message"]["message_id"] for reply in replies if reply["chat"]["id"] == ALICE.id]
    assert alice == [asked[0], asked[2], asked[3]]  # one chat's updates in the order they were sent
    first = next(reply for reply in replies if reply["chat"]["id"] == ALICE.id)
    assert any(quote.startswith(SPOKESMAN) for quote in entity_texts(first, "blockquote"))
    assert counts["replayed"] == 4 and counts["handled"] == 4


async def test_a_bot_told_to_stop_mid_replay_finishes_the_answer_it_is_sending(
    searcher: Searcher, tmp_path: Path
) -> None:
    """Stopping waits for the replayed update in flight: its reply is sent once and it is marked done,
    so the next start neither answers it again nor loses its buttons."""
    async with FakeTelegram(token=TOKEN, bot_username=BOT) as fake:
        fake.send_text(PRIVATE, ALICE, "Who denied the claims?")
        journal(tmp_path, fake.take_updates())
        async with bot_on(fake, searcher, tmp_path) as application:
            await fake.wait_for("sendChatAction")
            fake.latency = 1.0  # the reply is still on its way when the bot is told to stop
        with BotState.open(tmp_path / STATE_NAME) as state:
            assert state.pending() == []
    assert len(calls(fake, "sendMessage")) == 1
    assert processor_of(application).counts["handled"] == 1


async def test_an_update_that_could_not_be_journaled_is_not_confirmed_and_comes_again(
    searcher: Searcher, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    real_record = BotState.record
    failures = []

    def record_once_failing(self: BotState, update_id: int, chat_id: int | None, payload: object) -> bool:
        if not failures:
            failures.append(update_id)
            raise OSError(28, "No space left on device")
        return real_record(self, update_id, chat_id, payload)  # type: ignore[arg-type]

    monkeypatch.setattr(BotState, "record", record_once_failing)
    async with running_bot(searcher) as (fake, _):
        question = fake.send_text(PRIVATE, ALICE, "Who denied the claims?")
        answer = await next_reply(fake, PRIVATE)
    assert failures == [1]
    assert answer["reply_to_message"]["message_id"] == question
    assert len(calls(fake, "sendMessage")) == 1


async def test_an_update_telegram_sends_again_after_its_answer_is_not_answered_twice(
    searcher: Searcher,
) -> None:
    async with running_bot(searcher) as (fake, application):
        fake.send_text(PRIVATE, ALICE, "Who denied the claims?")
        await next_reply(fake, PRIVATE)
        poll = next(call for call in calls(fake, "getUpdates") if call.response.get("result"))
        again = Update.de_json(poll.response["result"][0], application.bot)  # as Telegram would resend it
        await application.update_queue.put(again)
        await wait_until(lambda: processor_of(application).counts["redelivered"] == 1, timeout=10)
    assert len(calls(fake, "sendMessage")) == 1


async def test_an_update_that_fails_every_time_is_given_up_with_a_short_reply(
    searcher: Searcher, caplog: pytest.LogCaptureFixture
) -> None:
    reranker = searcher.reranker
    poison = PoisonSearcher(
        searcher.library,
        searcher.encoder,
        thresholds=searcher.thresholds,
        fusion=reranker.fusion if reranker else None,
        second=reranker.second if reranker else None,
    )
    async with running_bot(poison) as (fake, application):
        fake.send_text(PRIVATE, ALICE, "Is there poison in the well?")
        fake.send_text(BOB_CHAT, BOB, "Who denied the claims?")
        bobs = await next_reply(fake, BOB_CHAT)
        notice = await next_reply(fake, PRIVATE)
        counts = processor_of(application).counts
    assert SPOKESMAN in bobs["text"]  # one chat's poison never holds up another
    assert notice["text"] == GAVE_UP
    assert (counts["retried"], counts["given_up"]) == (MAX_TRIES - 1, 1)
    [gave_up] = [r for r in caplog.records if r.name == "bot.journal" and r.levelno == logging.ERROR]
    assert gave_up.getMessage() == (
        f"gave up update 1 in chat {PRIVATE.id}: RuntimeError: the searcher crashed"
    )


async def test_an_update_the_bot_died_on_every_time_is_given_up_at_start_not_tried_again(
    searcher: Searcher, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with FakeTelegram(token=TOKEN, bot_username=BOT) as fake:
        fake.send_text(PRIVATE, ALICE, "Who denied the claims?")
        journal(tmp_path, fake.take_updates())
        with BotState.open(tmp_path / STATE_NAME) as state:
            for _ in range(MAX_CRASHES):
                state.begin_run()
                state.claim(1)  # started alone, and the process died
        async with bot_on(fake, searcher, tmp_path):
            notice = await next_reply(fake, PRIVATE)
            assert [message["text"] for message in fake.messages_in(PRIVATE.id)][-1] == GAVE_UP
        with BotState.open(tmp_path / STATE_NAME) as state:
            assert state.counts() == {"given_up": 1}
    assert notice["text"] == GAVE_UP
    assert f"the bot stopped while handling it {MAX_CRASHES} times" in caplog.text


async def test_an_add_interrupted_for_good_is_reported_in_its_progress_message(
    searcher: Searcher, tmp_path: Path
) -> None:
    async with FakeTelegram(token=TOKEN, bot_username=BOT) as fake:
        async with bot_on(fake, searcher, tmp_path) as application:
            fake.send_text(PRIVATE, ALICE, "hello")  # the chat exists once its user has written
            await next_reply(fake, PRIVATE)
            progress = await application.bot.send_message(PRIVATE.id, "⏳ Reading the article…")
        with BotState.open(tmp_path / STATE_NAME) as state:
            state.record(99, PRIVATE.id, {"update_id": 99})
            state.start_add(Adding(99, PRIVATE.id, progress.message_id, "“https://example.com/story”", "en"))
            state.finish(99, reason="the bot stopped while handling it 3 times")
        since = len(fake.calls)
        async with bot_on(fake, searcher, tmp_path):
            edited = await next_reply(fake, PRIVATE, since=since, method="editMessageText")
    assert edited["message_id"] == progress.message_id
    assert edited["text"] == "⚠️ Adding “https://example.com/story” was interrupted. Please send it again."


@pytest.mark.slow
async def test_an_add_the_bot_died_in_goes_on_in_the_same_progress_message(
    searcher: Searcher, tmp_path: Path
) -> None:
    async with FakeTelegram(token=TOKEN, bot_username=BOT) as fake:
        async with bot_on(fake, searcher, tmp_path) as application:
            fake.send_text(PRIVATE, ALICE, "hello")
            await next_reply(fake, PRIVATE)
            progress = await application.bot.send_message(PRIVATE.id, "⏳ Reading the article…")
        fake.send_text(PRIVATE, ALICE, f"/add {BANK_TEXT}")
        [update] = fake.take_updates()
        journal(tmp_path, [update])
        with BotState.open(tmp_path / STATE_NAME) as state:
            state.claim(update["update_id"])  # type: ignore[arg-type]
            adding = Adding(int(update["update_id"]), PRIVATE.id, progress.message_id, "“the article”", "en")
            state.start_add(adding)
        since = len(fake.calls)
        async with bot_on(fake, searcher, tmp_path):
            await fake.wait_for(
                lambda call: (
                    sent_to(PRIVATE, "editMessageText")(call) and call.params["text"].startswith("✅")
                ),
                since=since,
                timeout=60,
            )
    edits = [call.params for call in calls(fake, "editMessageText", since=since)]
    assert {params["message_id"] for params in edits} == {progress.message_id}
    assert edits[0]["text"] == "⏳ Reading the article…" and edits[-1]["text"].startswith("✅ Added")
    assert calls(fake, "sendMessage", since=since) == []  # no second progress message


async def test_the_queue_takes_an_update_in_only_once_it_is_on_disk(tmp_path: Path) -> None:
    """What polling and the webhook both rely on: `put` returns (and the next batch is asked for, or
    the webhook answers 200) only after the journal write, retried while the disk refuses it."""
    with BotState.open(tmp_path / STATE_NAME) as state:
        refusals = [OSError(28, "No space left on device")] * 2
        real_record = state.record

        def record(update_id: int, chat_id: int | None, payload: dict[str, object]) -> bool:
            if refusals:
                raise refusals.pop()
            return real_record(update_id, chat_id, payload)

        state.record = record  # type: ignore[method-assign]
        queue = JournalingQueue(state, retry_after=(0.01,))
        update = Update.de_json(
            {
                "update_id": 41,
                "message": {"message_id": 3, "date": 0, "chat": {"id": 501, "type": "private"}},
            },
            None,
        )
        await queue.put(update)
        assert refusals == [] and queue.get_nowait() is update
        assert [entry.update_id for entry in state.pending()] == [41]


async def test_library_buttons_sent_before_a_restart_work_after_it(
    searcher: Searcher, tmp_path: Path
) -> None:
    async with FakeTelegram(token=TOKEN, bot_username=BOT) as fake:
        async with bot_on(fake, searcher, tmp_path):
            fake.send_text(PRIVATE, ALICE, f"/add {BANK_TEXT}")
            await fake.wait_for(
                lambda call: sent_to(PRIVATE, "editMessageText")(call) and "✅" in call.params["text"],
                timeout=60,
            )
            fake.send_text(PRIVATE, ALICE, "/sources")
            listing = await next_reply(fake, PRIVATE, since=len(fake.calls))
        async with bot_on(fake, searcher, tmp_path):  # another process
            fake.press_button(PRIVATE, ALICE, listing["message_id"], buttons(listing)["Remove 1"])
            confirm = await next_reply(fake, PRIVATE, since=len(fake.calls), method="editMessageText")
            fake.press_button(PRIVATE, ALICE, confirm["message_id"], buttons(confirm)["Yes, remove it"])
            removed = await next_reply(fake, PRIVATE, since=len(fake.calls), method="editMessageText")
    assert confirm["text"].startswith("Remove “")
    assert removed["text"].startswith("🗑 Removed “")


async def test_with_a_database_url_the_journal_and_the_buttons_live_in_postgresql(
    searcher: Searcher, tmp_path: Path, database_url: str
) -> None:
    """The same bot on PostgreSQL: an update a dead bot journaled there is answered at start, the
    answer's buttons work in the next process, and no state file is written beside the libraries."""
    BotState.set_up(database_url)
    env = {"SANAD_DATABASE_URL": database_url}
    async with FakeTelegram(token=TOKEN, bot_username=BOT) as fake:
        asked = fake.send_text(PRIVATE, ALICE, "Who denied the claims?")
        with BotState.connect(database_url) as state:  # a bot that died after journaling it
            [update] = fake.take_updates()
            state.record(int(update["update_id"]), PRIVATE.id, update)
        with Shelf(searcher, tmp_path) as shelf:
            settings = settings_for(fake, **env)
            async with serving(build_application(settings, shelf, retry_after=QUICK_RETRIES)):
                answer = await next_reply(fake, PRIVATE)
            async with serving(build_application(settings, shelf, retry_after=QUICK_RETRIES)):
                fake.press_button(PRIVATE, ALICE, answer["message_id"], buttons(answer)["More context"])
                context = await next_reply(fake, PRIVATE, since=len(fake.calls), method="editMessageText")
        with BotState.connect(database_url) as state:
            assert state.pending() == [] and state.counts()["done"] == 2
    assert answer["reply_to_message"]["message_id"] == asked
    assert context["text"].startswith("Around the best quote:")
    assert not (tmp_path / STATE_NAME).exists()
