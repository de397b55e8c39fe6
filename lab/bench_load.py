"""Load: many users ask at once, through the Bot API, and every question gets exactly one answer.

    python -m lab.bench_load [--users 50] [--groups 10] [--questions 1000] [--seconds 60]

Simulated users, most in private chats and some in groups (where
they ask with /ask or an @mention), send questions spread over `--seconds` to the real bot (the
application `sanad bot` runs, the model and library of SANAD_DATA) through the fake Bot API server
of the lab (lab/fake_telegram.py, 127.0.0.1). It reports how many questions were answered
exactly once, lost or answered twice, the throughput, and the latency from the moment a question is
queued for the bot's long poll to the moment its answer reaches the server.

Telegram's flood limits hold, as the bot's rate limiter enforces them: at most 30 messages a second
in all and 20 a minute in one group. So each group gets at most `GROUP_QUESTIONS_PER_MINUTE`
questions a minute; the rest come from private chats.

The fake server, the bot and the model share this process and its CPUs.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from index import IndexSettings, Searcher, open_searcher
from index.shelf import Shelf
from lab.bench_roundtrip import QUESTIONS as ROUNDTRIP_QUESTIONS

GROUP_QUESTIONS_PER_MINUTE = 18  # under Telegram's 20 messages a minute in a group
# The round-trip benchmark's questions, and two more, so that more users ask different things.
QUESTIONS = (*ROUNDTRIP_QUESTIONS, "How many servers were affected worldwide?", "ما هي مجموعة هافنيوم؟")


@dataclass(frozen=True, slots=True)
class LoadPlan:
    """Who asks what, where and when."""

    users: int = 50
    groups: int = 10
    group_users: int = 20  # users who ask in groups, spread over them; the others ask in private
    questions: int = 1000
    seconds: float = 60.0  # questions are spread evenly over this time (0: all at once)
    seed: int = 1

    def schedule(self) -> list[tuple[float, int, int | None]]:
        """(seconds from the start, user number, group number or None), in time order."""
        rng = random.Random(self.seed)
        minutes = max(self.seconds / 60, 1)
        in_groups = min(
            round(self.questions * self.group_users / self.users),
            math.floor(self.groups * GROUP_QUESTIONS_PER_MINUTE * minutes),
        )
        private_users = self.users - self.group_users
        asks: list[tuple[int, int | None]] = []
        for number in range(self.questions):
            if number < in_groups:
                user = private_users + number % self.group_users
                asks.append((user, user % self.groups))
            else:
                asks.append((number % private_users, None))
        rng.shuffle(asks)
        step = self.seconds / self.questions
        return [(n * step, user, group) for n, (user, group) in enumerate(asks)]


@dataclass
class LoadResult:
    """What happened: per question, the answers it got and how long the first took."""

    plan: LoadPlan
    answers: dict[tuple[int, int], int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0  # from the first question to the last answer

    @property
    def answered_once(self) -> int:
        return sum(count == 1 for count in self.answers.values())

    @property
    def lost(self) -> int:
        return sum(count == 0 for count in self.answers.values())

    @property
    def duplicated(self) -> int:
        return sum(count > 1 for count in self.answers.values())


async def run_load(searcher: Searcher, plan: LoadPlan, *, timeout: float = 600.0) -> LoadResult:
    """Drive the real application with `plan` through the fake Bot API server and count the answers."""
    from bot.app import build_application
    from lab.fake_telegram import Chat, FakeTelegram, User
    from lab.harness import BOT, TOKEN, replies_by_question, serving, settings_for, wait_until

    users = [User(id=900_001 + n, first_name=f"Reader {n}", language_code="en") for n in range(plan.users)]
    groups = [Chat(id=-100_900_000 - n, type="supergroup", title=f"Desk {n}") for n in range(plan.groups)]
    asked: dict[tuple[int, int], float] = {}
    result = LoadResult(plan)
    with tempfile.TemporaryDirectory() as chats, Shelf(searcher, Path(chats)) as shelf:
        async with FakeTelegram(token=TOKEN, bot_username=BOT) as fake:
            async with serving(build_application(settings_for(fake), shelf)):
                await fake.wait_for("getUpdates")
                started = time.monotonic()
                for number, (at, user_number, group) in enumerate(plan.schedule()):
                    await asyncio.sleep(max(0.0, started + at - time.monotonic()))
                    user, question = users[user_number], QUESTIONS[number % len(QUESTIONS)]
                    if group is None:
                        chat, text = Chat(user.id), question
                    else:
                        chat = groups[group]
                        text = f"/ask {question}" if number % 2 else f"@{BOT} {question}"
                    asked[(chat.id, fake.send_text(chat, user, text))] = time.monotonic()
                await wait_until(lambda: set(replies_by_question(fake)) >= set(asked), timeout=timeout)
            # The application has stopped and every handler has finished: duplicates would show now.
            counts = replies_by_question(fake)
            first_answer: dict[tuple[int, int], float] = {}
            for call in fake.calls:
                message = call.response.get("result")
                if call.method == "sendMessage" and call.ok and "reply_to_message" in message:
                    question = (message["chat"]["id"], message["reply_to_message"]["message_id"])
                    first_answer.setdefault(question, call.time)
    result.answers = {question: counts.get(question, 0) for question in asked}
    result.latencies = sorted(first_answer[q] - asked[q] for q in asked if q in first_answer)
    result.seconds = max(first_answer.values(), default=started) - started
    return result


def report(result: LoadResult) -> str:
    plan = result.plan
    private = plan.users - plan.group_users
    lines = [
        f"{plan.questions} questions from {plan.users} users ({private} in private chats,"
        f" {plan.group_users} in {plan.groups} groups) over {plan.seconds:g} s",
        f"answered exactly once: {result.answered_once}   lost: {result.lost}   answered twice or more:"
        f" {result.duplicated}",
        f"throughput: {len(result.latencies) / result.seconds:.1f} answers/s"
        f" ({result.seconds:.1f} s from the first question to the last answer)",
    ]
    if len(result.latencies) >= 2:
        cuts = [1000 * cut for cut in statistics.quantiles(result.latencies, n=100)]
        lines.append(
            "latency, question queued -> answer at the server: "
            f"p50 {cuts[49]:.0f} ms, p90 {cuts[89]:.0f} ms, p95 {cuts[94]:.0f} ms, p99 {cuts[98]:.0f} ms,"
            f" max {1000 * result.latencies[-1]:.0f} ms"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lab.bench_load", description=__doc__.split("\n")[0])
    defaults = LoadPlan()
    parser.add_argument("--users", type=int, default=defaults.users, help="simulated users (default 50)")
    parser.add_argument("--groups", type=int, default=defaults.groups, help="group chats (default 10)")
    parser.add_argument(
        "--group-users", type=int, default=defaults.group_users, help="users who ask in groups (default 20)"
    )
    parser.add_argument("--questions", type=int, default=defaults.questions, help="questions (default 1000)")
    parser.add_argument(
        "--seconds", type=float, default=defaults.seconds, help="ask over this many seconds (default 60)"
    )
    parser.add_argument("--seed", type=int, default=defaults.seed, help="random seed of the schedule")
    args = parser.parse_args(argv)
    if not 0 <= args.group_users < args.users or args.groups < 1 or args.questions < 1:
        parser.error("need --users > --group-users >= 0, --groups >= 1 and --questions >= 1")
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    plan = LoadPlan(args.users, args.groups, args.group_users, args.questions, args.seconds, args.seed)
    searcher = open_searcher(IndexSettings.from_env())
    try:
        result = asyncio.run(run_load(searcher, plan))
    finally:
        searcher.library.close()
    print(report(result))
    return 0 if result.answered_once == plan.questions else 1


if __name__ == "__main__":
    sys.exit(main())
