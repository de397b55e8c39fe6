"""Round-trip latency of the real bot: a user's question in, the bot's answer out, over HTTP.

    python -m lab.bench_roundtrip [--questions 200]

It drives the application `sanad bot` runs (`build_application`,
the model and library from SANAD_DATA and SANAD_MODEL) through the fake Bot API server of the lab
(lab/fake_telegram.py) on 127.0.0.1, so the numbers include python-telegram-bot's polling,
handlers, rate limiter, rendering and HTTP on both sides, but no Internet. A round trip runs from the
moment a question is queued for the bot's long poll to the moment its answer reaches the server;
questions come one after another from several chats, in English and Arabic, some with no answer.
The search alone (`Searcher.ask`) is timed on the same questions first, for comparison.

The fake server shares this process and its CPUs with the bot; a real deployment adds the network
time to Telegram (one round trip to receive the update, one to send the answer).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from index import IndexSettings, Searcher, open_searcher

QUESTIONS = (
    "Who denied the claims?",
    "ماذا قال المتحدث باسم وزارة الخارجية الصينية عن المزاعم؟",
    "Which group hacked Microsoft Exchange?",
    "من المتهم باختراق مايكروسوفت؟",
    "What did Dominic Raab say?",
    "What is the capital of Peru?",
    "هل نفت الصين الاتهامات؟",
    "Wer hat die Vorwürfe zurückgewiesen?",
)
CHATS = 10
WARM_UP = 5


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lab.bench_roundtrip", description=__doc__.split("\n")[0])
    parser.add_argument("--questions", type=int, default=200, help="timed questions (default 200)")
    args = parser.parse_args(argv)
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    searcher = open_searcher(IndexSettings.from_env())
    try:
        questions = [QUESTIONS[n % len(QUESTIONS)] for n in range(args.questions)]
        searches = _searches(searcher, questions)
        round_trips = asyncio.run(_round_trips(searcher, questions))
    finally:
        searcher.library.close()
    print(
        f"round trip, {len(questions)} questions from {CHATS} chats, one at a time: {_summary(round_trips)}"
    )
    print(f"search alone (Searcher.ask in a worker thread):       {_summary(searches)}")
    return 0


async def _round_trips(searcher: Searcher, questions: Sequence[str]) -> list[float]:
    import tempfile
    from pathlib import Path

    from bot.app import build_application
    from index import Shelf
    from lab.fake_telegram import Chat, FakeTelegram, User
    from lab.harness import BOT, TOKEN, serving, settings_for

    users = [User(id=700 + n, first_name=f"Reader {n}") for n in range(CHATS)]
    seconds = []
    async with (
        FakeTelegram(token=TOKEN, bot_username=BOT) as fake,
        serving(build_application(settings_for(fake), Shelf(searcher, Path(tempfile.mkdtemp())))),
    ):
        for number, question in enumerate([*questions[:WARM_UP], *questions]):
            user = users[number % CHATS]
            since = len(fake.calls)
            asked = time.monotonic()
            fake.send_text(Chat(user.id), user, question)
            answer = await fake.wait_for(
                lambda call: call.method == "sendMessage" and call.params.get("chat_id") == user.id,  # noqa: B023
                since=since,
            )
            if not answer.ok:
                raise RuntimeError(f"the bot's answer was refused: {answer.response}")
            if number >= WARM_UP:
                seconds.append(answer.time - asked)
    return seconds


def _searches(searcher: Searcher, questions: Sequence[str]) -> list[float]:
    """The search alone, in a worker thread as the bot runs it (torch is much slower from the main
    thread when other processes compete for the CPUs)."""

    def timed(question: str) -> float:
        started = time.perf_counter()
        searcher.ask(question, k=6, context=2)
        return time.perf_counter() - started

    with ThreadPoolExecutor(max_workers=1) as worker:
        return [worker.submit(timed, question).result() for question in questions]


def _summary(seconds: Sequence[float]) -> str:
    median, p95 = statistics.median(seconds), statistics.quantiles(seconds, n=100)[94]
    return f"median {1000 * median:.1f} ms, p95 {1000 * p95:.1f} ms, max {1000 * max(seconds):.1f} ms"


if __name__ == "__main__":
    sys.exit(main())
