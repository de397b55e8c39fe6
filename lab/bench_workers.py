"""`python -m lab.bench_workers`: several real `sanad bot --webhook` processes on one PostgreSQL
database, fed round-robin, one of them SIGKILLed half-way; what became of every question.

    python -m lab.bench_workers [--workers 1 2 4] [--questions 1000] [--chats 100] [--no-kill]
                                [--restart-database]

For each worker count, a fresh database on an embedded PostgreSQL server (lab/postgres.py) and the
lab's fake Bot API (lab/fake_telegram.py) on 127.0.0.1. The questions are sent at once from `--chats`
private chats; a small proxy here takes each update from the fake server and posts it to the next
worker's webhook, trying the others when one does not answer (as a load balancer in front of them
would, and as Telegram retries). With two workers or more, the first is SIGKILLed once half of the
questions are answered: what it held is answered by the others when its lease runs out. With
`--restart-database` the PostgreSQL server is also restarted (every connection dropped) once a third of
the questions are answered: the workers reconnect, and nothing journaled may be lost.

Printed per run: answered, lost, answered twice, answered out of their chat's order, throughput,
reply latency p50/p99 from the question to its reply, and the CPU's flags. Telegram's limit of about
30 messages a second for a bot (bot/leases.py) is enforced across the workers, so it bounds throughput.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import signal
import socket
import statistics
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from bot.state import BotState
from index import IndexSettings
from index.database import Postgres
from index.library import OnServer, set_up_libraries
from lab.bench import cpu_flags
from lab.crash import QUESTIONS, sanad_command
from lab.fake_telegram import Call, Chat, FakeTelegram, User
from lab.harness import BOT, TOKEN
from lab.postgres import fresh_database, postgres_server

Asked = tuple[int, int]  # a question: its chat and its message id
HOOK_PATH = "telegram"
START_SECONDS = 120.0
LEASE_SECONDS = 3  # short, so that a killed worker's updates move on quickly


@dataclass
class Run:
    workers: int
    questions: int
    answered: int
    twice: int
    out_of_order: int
    seconds: float
    latencies: list[float]
    killed: bool
    restarted: bool = False

    @property
    def lost(self) -> int:
        return self.questions - self.answered

    def line(self) -> str:
        p50 = statistics.median(self.latencies) if self.latencies else float("nan")
        p99 = _percentile(self.latencies, 0.99)
        return (
            f"{self.workers} workers{' (one SIGKILLed)' if self.killed else ''}"
            f"{', the database restarted' if self.restarted else ''}:"
            f" {self.answered}/{self.questions} answered, {self.lost} lost, {self.twice} answered twice,"
            f" {self.out_of_order} chats answered out of order;"
            f" {self.answered / self.seconds:.1f} questions/s; reply p50 {p50 * 1000:.0f} ms,"
            f" p99 {p99 * 1000:.0f} ms"
        )


class Worker:
    """`sanad bot --webhook` in a child process on a loopback port, its output kept in a file."""

    def __init__(self, number: int, fake: FakeTelegram, env: dict[str, str], log: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/{HOOK_PATH}"
        self.env = {
            **env,
            "TELEGRAM_API_BASE_URL": fake.base_url,
            "TELEGRAM_API_FILE_URL": fake.base_file_url,
        }
        self.log = log
        self.number = number
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        options = ["--webhook", "--url", f"https://sanad.invalid/{HOOK_PATH}", "--listen", "127.0.0.1"]
        with self.log.open("ab") as output:
            self.process = await asyncio.create_subprocess_exec(
                *sanad_command(), "bot", *options, "--port", str(self.port),
                stdout=output, stderr=output, env=self.env, cwd=self.log.parent,
            )  # fmt: skip

    async def listening(self, timeout: float = START_SECONDS) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.returncode is not None:
                raise RuntimeError(f"worker {self.number} exited: see {self.log}")
            with contextlib.suppress(OSError):
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            await asyncio.sleep(0.2)
        raise TimeoutError(f"worker {self.number} did not listen within {timeout:.0f} s: see {self.log}")

    def kill(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGKILL)

    async def stop(self) -> None:
        if self.process is None:
            return
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.process.wait(), timeout=60)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()


async def proxy(fake: FakeTelegram, workers: list[Worker], secret: str, stop: asyncio.Event) -> None:
    """Post each update Telegram would send to the next worker, round-robin; a worker that does not
    answer 200 is skipped, and an update no worker took is posted again a moment later."""
    turn = 0
    waiting: list[dict[str, object]] = []
    while not stop.is_set():
        waiting += fake.take_updates()
        left = []
        for update in waiting:
            for _ in workers:
                worker = workers[turn % len(workers)]
                turn += 1
                if await asyncio.to_thread(_post, worker.url, update, secret):
                    break
            else:
                left.append(update)
        waiting = left
        await asyncio.sleep(0.02)


def _post(url: str, update: dict[str, object], secret: str) -> bool:
    """POST one update as Telegram does; whether the worker answered 200."""
    request = urllib.request.Request(
        url,
        data=json.dumps(update).encode(),
        headers={"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return bool(response.status == 200)
    except OSError:
        return False


async def run_workers(
    url: str,
    workdir: Path,
    *,
    workers: int,
    questions: int,
    chats: int,
    kill: bool,
    restart: Callable[[], None] | None = None,
) -> Run:
    """One run: `workers` processes answering `questions` from `chats` chats on the database at `url`;
    `restart` (the server's) is called once a third of them are answered."""
    secret = secrets.token_urlsafe(16)
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_WEBHOOK_SECRET": secret,
        "SANAD_DATABASE_URL": url,
        "SANAD_DATA": str(workdir / "unused"),
        "SANAD_LEASE_SECONDS": str(LEASE_SECONDS),
    }
    for name in ("SANAD_ALLOWED_CHATS", "SANAD_BOT_STATE"):
        env.pop(name, None)
    readers = [User(id=9000 + n, first_name=f"Reader {n}", language_code="en") for n in range(chats)]
    async with FakeTelegram(token=TOKEN, bot_username=BOT) as fake:
        fleet = [Worker(n, fake, env, workdir / f"worker-{n}.log") for n in range(workers)]
        stop = asyncio.Event()
        try:
            await asyncio.gather(*(worker.start() for worker in fleet))
            await asyncio.gather(*(worker.listening() for worker in fleet))
            feeding = asyncio.create_task(proxy(fake, fleet, secret, stop))
            since = len(fake.calls)
            started = time.monotonic()
            asked: dict[Asked, float] = {}  # (chat, message id) -> when it was asked
            for n in range(questions):
                reader = readers[n % chats]
                message_id = fake.send_text(Chat(id=reader.id), reader, QUESTIONS[n % len(QUESTIONS)])
                asked[(reader.id, message_id)] = time.monotonic()
            killed = restarted = False
            deadline = time.monotonic() + 120 + questions * 0.5
            while time.monotonic() < deadline:
                answered = _answers(fake.calls[since:], asked)
                if kill and workers > 1 and not killed and len(answered) >= questions // 2:
                    fleet[0].kill()
                    killed = True
                if restart is not None and not restarted and len(answered) >= questions // 3:
                    await asyncio.to_thread(restart)
                    restarted = True
                if len(answered) >= questions:
                    break
                await asyncio.sleep(0.1)
            seconds = time.monotonic() - started
            await asyncio.sleep(1.0)  # a second answer to one question would come now
            stop.set()
            await feeding
        finally:
            await asyncio.gather(*(worker.stop() for worker in fleet))
        replies = _answers(fake.calls[since:], asked)
    counts = Counter(question for question, _ in _replies(fake.calls[since:], asked))
    firsts = sorted(replies.items(), key=lambda item: item[1].time)
    order: dict[int, list[int]] = {}
    for (chat_id, message_id), _ in firsts:
        order.setdefault(chat_id, []).append(message_id)
    return Run(
        workers=workers,
        questions=questions,
        answered=len(replies),
        twice=sum(count > 1 for count in counts.values()),
        out_of_order=sum(ids != sorted(ids) for ids in order.values()),
        seconds=seconds,
        latencies=[call.time - asked[question] for question, call in replies.items()],
        killed=killed,
        restarted=restarted,
    )


def _replies(calls: list[Call], asked: dict[Asked, float]) -> list[tuple[Asked, Call]]:
    """Every reply to one of the questions, with the question it replies to."""
    found = []
    for call in calls:
        if call.method != "sendMessage" or not call.ok:
            continue
        result = call.response["result"]
        question = (int(result["chat"]["id"]), result.get("reply_to_message", {}).get("message_id"))
        if question in asked:
            found.append((question, call))
    return found


def _answers(calls: list[Call], asked: dict[Asked, float]) -> dict[Asked, Call]:
    """The first reply to each question."""
    first: dict[Asked, Call] = {}
    for question, call in _replies(calls, asked):
        first.setdefault(question, call)
    return first


def prepare(url: str, settings: IndexSettings) -> None:
    """What `sanad setup` does to a new database: the tables, and the shared library seeded."""
    from index.embedding import load_encoder
    from index.service import open_library

    with closing(Postgres.connect(url)) as database:
        set_up_libraries(database)
    BotState.set_up(url)
    encoder = load_encoder(settings)
    with closing(OnServer(Postgres.connect(url))) as catalog:
        open_library(settings, encoder, catalog=catalog).close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lab.bench_workers", description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4], help="worker counts to run")
    parser.add_argument("--questions", type=int, default=1000, help="questions per run")
    parser.add_argument("--chats", type=int, default=100, help="chats asking them")
    parser.add_argument("--no-kill", action="store_true", help="kill no worker")
    parser.add_argument(
        "--restart-database", action="store_true", help="restart the server once a third are answered"
    )
    args = parser.parse_args(argv)
    settings = IndexSettings.from_env()
    print(f"CPU: {cpu_flags()}, {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as scratch, postgres_server(Path(scratch)) as server:
        for count in args.workers:
            with fresh_database(server.url) as url:
                prepare(url, settings)
                workdir = Path(tempfile.mkdtemp(dir=scratch))
                run = asyncio.run(
                    run_workers(
                        url,
                        workdir,
                        workers=count,
                        questions=args.questions,
                        chats=args.chats,
                        kill=not args.no_kill,
                        restart=server.restart if args.restart_database else None,
                    )
                )
                print(run.line(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
