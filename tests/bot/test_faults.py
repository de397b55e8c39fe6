"""A flaky Bot API: 5xx answers, timeouts, dropped connections and 429s at random for a while.

The bot must keep polling, retry what it sends, and, once the server recovers, have answered every
question exactly once. Assertions count messages; none measures time.
"""

from __future__ import annotations

import asyncio

import pytest
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut

from bot.retry import RetryingRateLimiter
from index import Searcher
from lab.fake_telegram import CHAOS_FAULTS, Chat, User
from lab.harness import GROUP, replies_by_question, running_bot, wait_until

pytestmark = pytest.mark.slow  # a flaky Bot API for seconds

READERS = [User(id=810 + n, first_name=f"Reader {n}", language_code="en") for n in range(6)]
QUESTIONS = (
    "Who denied the claims?",
    "ماذا قال المتحدث باسم وزارة الخارجية الصينية؟",
    "Which group hacked Microsoft Exchange?",
    "What is the capital of Peru?",
)
SORRY = "Sorry, something went wrong. Please try again in a moment."


async def test_every_question_is_answered_once_after_a_flaky_spell(searcher: Searcher) -> None:
    asked: list[tuple[int, int]] = []
    async with running_bot(searcher) as (fake, _):
        await fake.wait_for("getUpdates")
        fake.start_chaos(seed=20_260_301, rate=0.4, limit=24)
        for number in range(16):
            reader = READERS[number % len(READERS)]
            question = QUESTIONS[number % len(QUESTIONS)]
            if number % 4 == 3:
                asked.append((GROUP.id, fake.send_text(GROUP, reader, f"/ask {question}")))
            else:
                asked.append((reader.id, fake.send_text(Chat(reader.id), reader, question)))
            await asyncio.sleep(0.25)  # spread the questions over the flaky spell
        await wait_until(lambda: set(replies_by_question(fake)) >= set(asked), timeout=180)
        await wait_until(lambda: not fake.chaotic, timeout=180)  # polling goes on through the spell's end
    # The application has stopped: every handler has finished, so late duplicates would be here.
    assert replies_by_question(fake) == dict.fromkeys(asked, 1)
    assert not [call for call in fake.calls if call.ok and call.params.get("text") == SORRY]
    injected = {fault for _, fault in fake.injected}
    assert injected == set(CHAOS_FAULTS)
    disturbed = {method for method, _ in fake.injected}
    assert {"getUpdates", "sendMessage"} <= disturbed
    polls = [call for call in fake.calls if call.method == "getUpdates"]
    last_fault = max(call.time for call in polls if call.status in (0, 429, 500, 502, 503))
    assert any(call.ok and call.time > last_fault for call in polls)  # polling went on after its faults


# ---------------------------------------------------------------------- the retry policy alone


class Flaky:
    """A Bot API request that fails with the given errors, then succeeds."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self) -> bool:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return True


async def send(limiter: RetryingRateLimiter, request: Flaky) -> bool | object:
    return await limiter.process_request(request, (), {}, "sendMessage", {"chat_id": 1}, None)


async def test_network_failures_are_retried_until_the_request_goes_through() -> None:
    request = Flaky(NetworkError("Bad Gateway"), TimedOut(), NetworkError("httpx.RemoteProtocolError"))
    assert await send(RetryingRateLimiter(first_delay=0.01), request) is True
    assert request.calls == 4


async def test_a_refused_request_is_not_retried() -> None:
    request = Flaky(BadRequest("Bad Request: message text is empty"))
    with pytest.raises(BadRequest):
        await send(RetryingRateLimiter(first_delay=0.01), request)
    assert request.calls == 1


async def test_retries_stop_after_the_time_bound() -> None:
    request = Flaky(*[NetworkError("Bad Gateway")] * 100)
    with pytest.raises(NetworkError):
        await send(RetryingRateLimiter(first_delay=0.02, max_delay=0.02, give_up_after=0.1), request)
    assert 2 <= request.calls < 100


async def test_a_429_that_outlasts_ptbs_own_retries_is_waited_out() -> None:
    request = Flaky(RetryAfter(0), RetryAfter(0))
    assert await send(RetryingRateLimiter(max_retries=0, first_delay=0.01), request) is True
    assert request.calls == 3


async def test_typing_indicators_are_neither_throttled_nor_retried() -> None:
    request = Flaky(NetworkError("Bad Gateway"))
    limiter = RetryingRateLimiter(first_delay=0.01)
    with pytest.raises(NetworkError):
        await limiter.process_request(request, (), {}, "sendChatAction", {"chat_id": -100}, None)
    assert request.calls == 1
