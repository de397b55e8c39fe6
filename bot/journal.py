"""No update lost: each one is journaled before Telegram may forget it, and marked done after its reply.

python-telegram-bot confirms updates to Telegram (the next `getUpdates` offset) as soon as it has put
them in its queue, and a webhook answers 200 at the same moment. So the journal is written in the
queue's `put` (`JournalingQueue`): polling asks for the next batch, and a webhook answers, only after
the update is on disk (bot/state.py). `JournaledProcessor` then handles it:

    claim      count one more try, on disk, before the handlers run (a crash mid-answer counts too)
    handle     the application's handlers, as always
    finish     mark it done once they return, i.e. once the reply is sent

A handler that raises is tried again after a pause; an update whose handling fails or dies `tries`
times is given up: the reason is logged and its chat gets a short reply, never a crash loop. On
start, `replay` hands what is not done back to the handlers, oldest first, each chat's in order,
while new updates of that chat wait for its replay. An update is answered twice only when the
process dies between sending the reply and marking it done. Inline queries are not journaled: the
user's client asks again as they type, and an answer after a restart would come too late.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import Application, BaseUpdateProcessor

from bot.messages import Context
from bot.state import BotState, Journaled

log = logging.getLogger(__name__)

MAX_TRIES = 3  # attempts at one update (crashes included) before it is given up
RETRY_AFTER = (1.0, 4.0)  # seconds before the second and later attempts
MAX_CONCURRENT = 256
JOURNAL_RETRY_AFTER = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0)  # seconds between tries of a failed journal write

GiveUp = Callable[[Update, str], Awaitable[None]]


def journaled(update: object) -> bool:
    """Whether an update goes through the journal: everything but inline queries."""
    return isinstance(update, Update) and update.inline_query is None and update.chosen_inline_result is None


def chat_of(update: Update) -> int | None:
    """The chat whose order an update keeps: its chat, or for a button under an inline message, the
    user who pressed it."""
    if update.effective_chat is not None:
        return update.effective_chat.id
    return update.effective_user.id if update.effective_user is not None else None


class JournalingQueue(asyncio.Queue[Any]):
    """The application's update queue, writing each update to the journal before taking it in.

    While the write fails (a full disk), `put` waits and tries again, logging each failure: polling
    asks for no further batch meanwhile, so nothing unjournaled is confirmed, and a webhook does not
    answer, so Telegram sends the update again later.
    """

    def __init__(self, state: BotState, *, retry_after: tuple[float, ...] = JOURNAL_RETRY_AFTER) -> None:
        super().__init__()
        self.state = state
        self.retry_after = retry_after

    async def put(self, item: Any) -> None:
        if journaled(item):
            await self._record(item)
        await super().put(item)

    async def _record(self, update: Update) -> None:
        for attempt in itertools.count():
            try:
                payload = update.to_dict()
                await asyncio.to_thread(self.state.record, update.update_id, chat_of(update), payload)
                return
            except (OSError, sqlite3.Error) as exc:
                pause = self.retry_after[min(attempt, len(self.retry_after) - 1)]
                log.error(
                    "could not journal update %s in %s (%s); Telegram keeps it, trying again in %.1f s",
                    update.update_id,
                    self.state.path,
                    exc,
                    pause,
                )
                await asyncio.sleep(pause)


class JournaledProcessor(BaseUpdateProcessor):
    """Handles updates concurrently, each through the journal (see the module docstring).

    `attach` it to the application it serves, and register `on_error` as an error handler: that is
    how it learns that a handler raised.
    """

    def __init__(
        self,
        state: BotState,
        *,
        give_up: GiveUp,
        tries: int = MAX_TRIES,
        retry_after: tuple[float, ...] = RETRY_AFTER,
        max_concurrent_updates: int = MAX_CONCURRENT,
    ) -> None:
        super().__init__(max_concurrent_updates)
        self.state = state
        self.tries = tries
        self.retry_after = retry_after
        self._give_up_reply = give_up
        self._application: Application | None = None
        self._active: set[int] = set()  # update ids being handled in this process
        self._failures: dict[int, BaseException] = {}
        self._replaying: dict[int | None, asyncio.Event] = {}
        self._replays: set[asyncio.Task[None]] = set()
        self.counts: Counter[str] = Counter()  # handled, retried, given_up, replayed, redelivered

    def attach(self, application: Application) -> None:
        self._application = application

    async def initialize(self) -> None:
        """Nothing to set up: the journal is opened with the application."""

    async def shutdown(self) -> None:
        """Stop replays still running; what they did not finish stays pending for the next start."""
        for task in list(self._replays):
            task.cancel()
        await asyncio.gather(*self._replays, return_exceptions=True)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        if not journaled(update):
            await coroutine
            return
        assert isinstance(update, Update)
        _close(coroutine)  # handled below, with a fresh coroutine for each try
        replay = self._replaying.get(chat_of(update))
        if replay is not None:
            await replay.wait()  # the chat's older updates first
        await self.handle(update)

    async def on_error(self, update: object, context: Context) -> None:
        """An error handler: remembers which update's handler raised, for `handle` to decide."""
        if isinstance(update, Update) and context.error is not None:
            self._failures[update.update_id] = context.error

    async def handle(self, update: Update) -> None:
        """Claim, handle and finish one journaled update: retried on failure, given up after `tries`."""
        update_id = update.update_id
        if update_id in self._active:
            self.counts["redelivered"] += 1  # Telegram sent it again while it is being answered
            return
        self._active.add(update_id)
        try:
            while True:
                tries = await asyncio.to_thread(self.state.claim, update_id)
                if tries is None:
                    self.counts["redelivered"] += 1  # answered already
                    return
                if tries > self.tries:
                    await self._give_up(update, f"the bot stopped while handling it {tries - 1} times")
                    return
                error = await self._attempt(update)
                if error is None:
                    await asyncio.to_thread(self.state.finish, update_id)
                    self.counts["handled"] += 1
                    return
                if tries >= self.tries:
                    await self._give_up(update, f"{type(error).__name__}: {error}")
                    return
                self.counts["retried"] += 1
                pause = self.retry_after[min(tries, len(self.retry_after)) - 1]
                log.warning(
                    "update %s in chat %s failed (try %d of %d), trying again in %.0f s: %s",
                    update_id,
                    chat_of(update),
                    tries,
                    self.tries,
                    pause,
                    error,
                )
                await asyncio.sleep(pause)
        finally:
            self._active.discard(update_id)

    async def replay(self) -> int:
        """Hand the journal's pending updates back to the handlers, each chat's in order (in the
        background); returns how many there are."""
        pending = await asyncio.to_thread(self.state.pending)
        by_chat: defaultdict[int | None, list[Journaled]] = defaultdict(list)
        for entry in pending:
            by_chat[entry.chat_id].append(entry)
        for chat_id, entries in by_chat.items():
            done = self._replaying[chat_id] = asyncio.Event()
            task = asyncio.create_task(self._replay_chat(chat_id, entries, done), name=f"replay:{chat_id}")
            self._replays.add(task)
            task.add_done_callback(self._replays.discard)
        if pending:
            log.info("replaying %d updates the bot had not finished, in %d chats", len(pending), len(by_chat))
        return len(pending)

    async def _replay_chat(self, chat_id: int | None, entries: list[Journaled], done: asyncio.Event) -> None:
        try:
            for entry in entries:
                update = Update.de_json(entry.payload, self._app().bot)
                self.counts["replayed"] += 1
                await self.handle(update)
        finally:
            done.set()
            self._replaying.pop(chat_id, None)

    async def _attempt(self, update: Update) -> BaseException | None:
        self._failures.pop(update.update_id, None)
        try:
            await self._app().process_update(update)
        except Exception as exc:  # process_update hands handler errors to on_error; this is the rest
            return exc
        return self._failures.pop(update.update_id, None)

    async def _give_up(self, update: Update, reason: str) -> None:
        log.error("gave up update %s in chat %s: %s", update.update_id, chat_of(update), reason)
        self.counts["given_up"] += 1
        try:
            await self._give_up_reply(update, reason)
        except Exception:  # the reply is a courtesy; the update is given up either way
            log.exception(
                "could not tell chat %s that update %s was given up", chat_of(update), update.update_id
            )
        await asyncio.to_thread(self.state.finish, update.update_id, reason=reason)

    def _app(self) -> Application:
        if self._application is None:
            raise RuntimeError("JournaledProcessor.attach(application) was not called")
        return self._application


def _close(coroutine: Awaitable[Any]) -> None:
    close = getattr(coroutine, "close", None)
    if close is not None:
        close()
