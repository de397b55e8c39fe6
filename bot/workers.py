"""Several bot processes answering one bot: the journal on PostgreSQL is their common queue.

With `SANAD_DATABASE_URL`, `sanad bot --webhook` may run in as many processes as the traffic needs,
behind a load balancer. Whichever process Telegram's request reaches journals the update and answers
200 (`JournalingQueue`); it does not answer the update itself. Each process keeps a few slots that
claim journaled updates (bot/leases.py) and answer them: a chat's updates one at a time and in order,
different chats side by side, in whichever process has a free slot. A slot that finds nothing waits
until this process journals an update, or `poll` seconds, whichever is first.

Failures are handled as in bot/journal.py: a handler that raises is tried again after a pause (by any
worker), up to `tries` times; an update held by `crashes` workers that died is not started again. Both
are given up with a short reply. Stopping lets the slots finish what they are answering, then lets go
of the rest at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update

from bot.journal import SHUTDOWN_GRACE, JournaledProcessor, discard, finish_within, journaled
from bot.leases import Leased, Leases
from bot.state import BotState
from index import DatabaseError

log = logging.getLogger(__name__)

SLOTS = 8  # updates one process answers at once
POLL_SECONDS = 0.25  # how long an idle slot waits before it looks for other workers' updates
PAUSE_AFTER_DATABASE_ERROR = 1.0


def worker_name() -> str:
    """Who holds a lease: the machine, the process, and a random part (a restarted process with the
    same pid is another worker)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class ClaimingProcessor(JournaledProcessor):
    """Answers journaled updates that this process claims from the shared journal (see the module
    docstring); updates that are not journaled (inline queries) are answered where they arrive."""

    def __init__(
        self,
        state: BotState,
        leases: Leases,
        *,
        slots: int = SLOTS,
        poll: float = POLL_SECONDS,
        grace: float = SHUTDOWN_GRACE,
        **options: Any,
    ) -> None:
        super().__init__(state, grace=grace, **options)
        self.leases = leases
        self.slots = slots
        self.poll = poll
        self._wake = asyncio.Event()
        self._running: set[asyncio.Task[None]] = set()
        self._renewer: asyncio.Task[None] | None = None

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        if not journaled(update):
            await coroutine
            return
        discard(coroutine)  # journaled by the queue already: a free slot, here or elsewhere, claims it
        self._wake.set()

    async def replay(self) -> int:
        """Start the slots (and the lease renewal); returns how many updates are waiting now, which
        they take first (any worker's, oldest first)."""
        waiting = len(await self.state.run(self.state.pending))
        for number in range(self.slots):
            task = asyncio.create_task(self._slot(), name=f"slot-{number}")
            self._running.add(task)
            task.add_done_callback(self._running.discard)
        self._renewer = asyncio.create_task(self._renewing(), name="leases")
        log.info("worker %s: %d slots claiming from the shared journal", self.leases.owner, self.slots)
        return waiting

    async def stop(self) -> None:
        """Let the slots finish what they are answering (up to `grace` seconds), then let go of what is
        left, so that other workers take it at once. Runs once (`post_stop`, else at shutdown)."""
        if self._stopping:
            return
        self._stopping = True
        self._wake.set()
        await finish_within(self._running, self.grace)
        if self._renewer is not None:
            self._renewer.cancel()
            await asyncio.gather(self._renewer, return_exceptions=True)
        with contextlib.suppress(DatabaseError):
            released = await self.state.run(self.leases.release_all)
            if released:
                log.info("worker %s: let go of %d unanswered updates", self.leases.owner, released)

    async def shutdown(self) -> None:
        await self.stop()

    async def _slot(self) -> None:
        while not self._stopping:
            try:
                leased = await self.state.run(self.leases.claim_next)
            except DatabaseError as exc:
                log.warning("worker %s cannot claim updates: %s", self.leases.owner, exc)
                await asyncio.sleep(PAUSE_AFTER_DATABASE_ERROR)
                continue
            if leased is None:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self.poll):
                        await self._wake.wait()
                continue
            try:
                await self._answer(leased)
            except DatabaseError as exc:  # not recorded: the lease runs out and the update is claimed again
                log.warning(
                    "worker %s lost update %s to the database: %s", self.leases.owner, leased.update_id, exc
                )
                await asyncio.sleep(PAUSE_AFTER_DATABASE_ERROR)

    async def _answer(self, leased: Leased) -> None:
        update = Update.de_json(leased.payload, self._app().bot)
        if leased.crashes >= self.crashes:
            await self._give_up(update, f"the workers holding it stopped {leased.crashes} times")
            return
        error = await self._attempt(update)
        if error is None:
            await self.state.record_sent(self.state.finish, leased.update_id)
            self.counts["handled"] += 1
            return
        if leased.failures + 1 >= self.tries:
            await self._give_up(update, f"{type(error).__name__}: {error}")
            return
        pause = self.retry_after[min(leased.failures + 1, len(self.retry_after)) - 1]
        await self.state.record_sent(self.leases.retry_later, leased.update_id, pause)
        self.counts["retried"] += 1
        log.warning(
            "update %s in chat %s failed (try %d of %d), trying again in %.0f s: %s",
            leased.update_id,
            leased.chat_id,
            leased.failures + 1,
            self.tries,
            pause,
            error,
        )

    async def _renewing(self) -> None:
        while True:
            await asyncio.sleep(self.leases.lease / 3)
            try:
                await self.state.run(self.leases.renew)
            except DatabaseError as exc:
                log.warning("worker %s could not renew its leases: %s", self.leases.owner, exc)


def shared_budget(state: BotState, leases: Leases) -> Callable[[int | None], Awaitable[None]]:
    """What a send waits for: its place in the flood budgets all workers share (bot/leases.py). With
    the database away it does not wait: the send is what matters, and Telegram's 429 is still obeyed."""

    async def before_send(chat_id: int | None) -> None:
        try:
            wait = await state.run(leases.reserve, chat_id)
        except DatabaseError as exc:
            log.warning("the shared send budget is out of reach (%s); sending anyway", exc)
            return
        if wait > 0:
            await asyncio.sleep(wait)

    return before_send
