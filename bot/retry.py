"""Bounded retries of Bot API requests that fail on the way, around python-telegram-bot's rate limiter.

PTB's `AIORateLimiter` keeps the bot under Telegram's flood limits and waits out a 429 (it pauses
every request for the `retry_after` Telegram asks, then tries again, `max_retries` times). It does not
retry what a flaky network does: 5xx answers, timeouts and dropped connections, which PTB raises as
`NetworkError` (`TimedOut` is one). `RetryingRateLimiter` adds that, with exponential back-off and
jitter, for at most a minute per request: long enough to ride out a flaky spell, short enough that
nobody gets an answer to a question they asked long ago. Requests Telegram refused for what they say
(`BadRequest`, `Forbidden`, ...) are not retried: they would fail the same way again.

Polling does not pass through a rate limiter: PTB's updater already retries getUpdates forever,
backing off from 1 s to 30 s after errors (and at once after a timeout).

A send that timed out after Telegram carried it out is sent again: Telegram has no idempotency key,
so the choice is between a rare duplicate answer and a lost one, and a duplicate is the lesser harm.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import AIORateLimiter

log = logging.getLogger(__name__)

JSONDict = dict[str, Any]
Request = Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]]

# Typing indicators are not messages: they neither count against Telegram's message limits (30 a
# second, 20 a minute in a group) nor get retried; the answer they announce matters, they do not.
UNLIMITED = frozenset({"sendChatAction"})


class RetryingRateLimiter(AIORateLimiter):
    """`AIORateLimiter` (flood limits, 429 waits) that also retries network failures for a while."""

    def __init__(
        self,
        *,
        give_up_after: float = 60.0,
        first_delay: float = 0.5,
        max_delay: float = 8.0,
        max_retries: int = 3,
        rng: random.Random | None = None,
        before_send: Callable[[int | None], Awaitable[None]] | None = None,
    ) -> None:
        """Retry for at most `give_up_after` seconds from the first try; the waits between tries double
        from `first_delay` up to `max_delay`, each shortened by a random jitter of up to half so that
        many failed sends do not all come back at the same moment. `max_retries` is PTB's number of
        429 retries; a 429 that outlasts them is waited out here too, within the same bound.
        `before_send(chat_id)` is awaited before each message is sent: the flood budget that several
        workers share (bot/workers.py)."""
        super().__init__(max_retries=max_retries)
        self.give_up_after = give_up_after
        self.first_delay = first_delay
        self.max_delay = max_delay
        self._rng = rng or random.Random()
        self.before_send = before_send

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed try number `attempt` (1-based)."""
        base = min(self.max_delay, self.first_delay * 2 ** (attempt - 1))
        return base * (1 - self._rng.random() / 2)

    async def process_request(
        self,
        callback: Request,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        if endpoint in UNLIMITED:
            return await callback(*args, **kwargs)
        if self.before_send is not None:
            chat_id = data.get("chat_id")
            await self.before_send(chat_id if isinstance(chat_id, int) else None)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.give_up_after
        attempt = 0
        while True:
            attempt += 1
            try:
                return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
            except BadRequest:
                raise
            except (NetworkError, RetryAfter) as exc:
                # RetryAfter's public retry_after is an int or a timedelta depending on PTB_TIMEDELTA
                # (and warns); PTB's own rate limiter reads the timedelta behind it, as here.
                retry_after = exc._retry_after.total_seconds() if isinstance(exc, RetryAfter) else None
                seconds = self.delay(attempt) if retry_after is None else retry_after
                if loop.time() + seconds > deadline:
                    log.warning("%s failed %d times, giving up: %s", endpoint, attempt, exc)
                    raise
                log.info("%s failed (%s); try %d in %.1f s", endpoint, exc, attempt + 1, seconds)
                await asyncio.sleep(seconds)
