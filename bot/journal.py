"""No update lost: each one is journaled before Telegram may forget it, and marked done after its reply.

python-telegram-bot confirms updates to Telegram (the next `getUpdates` offset) as soon as it has put
them in its queue, and a webhook answers 200 at the same moment. So the journal is written in the
queue's `put` (`JournalingQueue`): polling asks for the next batch, and a webhook answers, only after
the update is on disk (bot/state.py). `JournaledProcessor` then handles it:

    claim      count one more try, on disk, before the handlers run (a crash mid-answer counts too)
    handle     the application's handlers, as always
    finish     mark it done once they return, i.e. once the reply is sent

A handler that raises is tried again after a pause, up to `tries` times. A process death is blamed on
an update only when it was alone in flight (a deploy or an OOM kill takes every update in flight with
it, not only a poisoned one), and replays run one update at a time, so a poisoned update is alone when
it strikes again; one blamed `crashes` times is not started again. Either way it is given up: the
reason is logged and its chat gets a short reply, never a crash loop.

On start, `replay` hands what is not done back to the handlers, oldest first (so each chat's in
order), while new updates of those chats wait for it. An update is answered twice only when the
process dies between sending the reply and marking it done. Inline queries are not journaled: the
user's client asks again as they type, and an answer after a restart would come too late.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import sqlite3
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from telegram import Update
from telegram.ext import Application, BaseUpdateProcessor

from bot.messages import Context
from bot.state import BotState, Journaled
from index import DatabaseError

log = logging.getLogger(__name__)

MAX_TRIES = 3  # tries of an update whose handler raises, before it is given up
MAX_CRASHES = 3  # deaths of the process with this update alone in flight, before it is given up
RETRY_AFTER = (1.0, 4.0)  # seconds before the second and later attempts
MAX_CONCURRENT = 256
JOURNAL_RETRY_AFTER = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0)  # seconds between tries of a failed journal write
SHUTDOWN_GRACE = 20.0  # seconds a stopping bot waits for the replayed update it is answering

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
                await self.state.run(self.state.record, update.update_id, chat_of(update), payload)
                return
            except (OSError, sqlite3.Error, DatabaseError) as exc:
                pause = self.retry_after[min(attempt, len(self.retry_after) - 1)]
                log.error(
                    "could not journal update %s in %s (%s); Telegram keeps it, trying again in %.1f s",
                    update.update_id,
                    self.state.where,
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
        crashes: int = MAX_CRASHES,
        retry_after: tuple[float, ...] = RETRY_AFTER,
        max_concurrent_updates: int = MAX_CONCURRENT,
        grace: float = SHUTDOWN_GRACE,
    ) -> None:
        super().__init__(max_concurrent_updates)
        self.state = state
        self.tries = tries
        self.crashes = crashes
        self.retry_after = retry_after
        self.grace = grace
        self._stopping = False
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

    async def stop(self) -> None:
        """Let a replay finish the update it is answering (up to `grace` seconds) and start no more.

        Run after the application stops and before it shuts down (its `post_stop`), while the bot
        can still send. Cancelling the replay at once could stop it between sending a reply and
        marking it done or remembering its buttons: the next start would answer it twice, with
        buttons that do not work. What the replay did not reach stays pending for the next start.
        """
        self._stopping = True
        await finish_within(self._replays, self.grace)

    async def shutdown(self) -> None:
        """Stop replays still running (when `stop` was not called); what they did not finish stays
        pending for the next start."""
        self._stopping = True
        for task in list(self._replays):
            task.cancel()
        await asyncio.gather(*self._replays, return_exceptions=True)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        if not journaled(update):
            await coroutine
            return
        assert isinstance(update, Update)
        discard(coroutine)  # handled below, with a fresh coroutine for each try
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
                claim = await self.state.run(self.state.claim, update_id)
                if claim is None:
                    self.counts["redelivered"] += 1  # answered already
                    return
                if claim.crashes >= self.crashes:
                    await self._give_up(update, f"the bot stopped while handling it {claim.crashes} times")
                    return
                error = await self._attempt(update)
                if error is None:
                    await self.state.record_sent(self.state.finish, update_id)
                    self.counts["handled"] += 1
                    return
                failures = await self.state.record_sent(self.state.fail, update_id)
                if failures >= self.tries:
                    await self._give_up(update, f"{type(error).__name__}: {error}")
                    return
                self.counts["retried"] += 1
                pause = self.retry_after[min(failures, len(self.retry_after)) - 1]
                log.warning(
                    "update %s in chat %s failed (try %d of %d), trying again in %.0f s: %s",
                    update_id,
                    chat_of(update),
                    failures,
                    self.tries,
                    pause,
                    error,
                )
                await asyncio.sleep(pause)
        finally:
            self._active.discard(update_id)

    async def replay(self) -> int:
        """Begin a run, and hand the journal's pending updates back to the handlers one at a time,
        oldest first (in the background); returns how many there are."""
        blamed = await self.state.run(self.state.begin_run)
        if blamed is not None:
            log.warning("the bot died while handling update %s alone; it is replayed with care", blamed)
        pending = await self.state.run(self.state.pending)
        chats = {entry.chat_id for entry in pending}
        for chat_id in chats:
            self._replaying[chat_id] = asyncio.Event()
        task = asyncio.create_task(self._replay_all(pending), name="replay")
        self._replays.add(task)
        task.add_done_callback(self._replays.discard)
        if pending:
            log.info("replaying %d updates the bot had not finished, in %d chats", len(pending), len(chats))
        return len(pending)

    async def _replay_all(self, entries: list[Journaled]) -> None:
        left = Counter(entry.chat_id for entry in entries)
        try:
            for entry in entries:
                if self._stopping:
                    break
                update = Update.de_json(entry.payload, self._app().bot)
                self.counts["replayed"] += 1
                await self.handle(update)
                left[entry.chat_id] -= 1
                if not left[entry.chat_id]:
                    self._release(entry.chat_id)  # this chat's new updates need not wait any more
        finally:
            for chat_id in list(self._replaying):
                self._release(chat_id)

    def _release(self, chat_id: int | None) -> None:
        done = self._replaying.pop(chat_id, None)
        if done is not None:
            done.set()

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
        await self.state.record_sent(self.state.finish, update.update_id, reason=reason)

    def _app(self) -> Application:
        if self._application is None:
            raise RuntimeError("JournaledProcessor.attach(application) was not called")
        return self._application


async def finish_within(tasks: Iterable[asyncio.Task[Any]], grace: float) -> None:
    """Wait up to `grace` seconds for `tasks` to end, then cancel those still running."""
    running = list(tasks)
    if running:
        _, late = await asyncio.wait(running, timeout=grace)
        for task in late:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)


def discard(coroutine: Awaitable[Any]) -> None:
    """Close a coroutine that will not be awaited (its update is handled another way)."""
    close = getattr(coroutine, "close", None)
    if close is not None:
        close()
