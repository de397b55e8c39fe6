"""`sanad crash`: the real `sanad bot` process, SIGKILLed at random moments while it answers and adds,
restarted each time; then what became of every question and every add is counted.

    sanad crash [--kills 20] [--seed 0] [--no-chaos]

Each round queues a few questions (and every other round an article to add) at the lab's fake Bot API
server (lab/fake_telegram.py, on 127.0.0.1), starts the bot on a copy of the library, waits until it
has fetched them, and kills it after a random number of its replies and edits (none to all of them)
and a few milliseconds more: while it replays what the last one left, between two answers, or while
it embeds an article. With chaos (the default), every other round the server also answers 30% of the
requests with 429, 500, 502, 503 or a dropped connection, and so does it for the first faults of the
last run, which replays what the kills left and is then left alone to finish everything.

Printed: questions answered (and answered twice: the window between "reply sent" and "marked done"),
adds finished or reported as interrupted, progress messages left "Reading…", libraries that open and
agree with their vector index, and the journal's cost per update beside a journal without fsync.
"""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bot.state import BotState
from index import IndexSettings, Library
from lab.bench import cpu_flags
from lab.fake_telegram import Call, Chat, FakeTelegram, User
from lab.harness import BOT, TOKEN

QUESTIONS = (
    "Who denied the claims?",
    "What did Dominic Raab say?",
    "من نفى المزاعم؟",
    "Which group hacked Microsoft Exchange?",
    "What is the capital of Peru?",
)
READERS = tuple(
    User(id=700 + n, first_name=f"Reader {n}", language_code=("en", "ar")[n % 2]) for n in range(6)
)
ARTICLES = Path(__file__).parents[1] / "seeds" / "eval" / "mixed"
QUESTIONS_PER_ROUND = 4
ADD_EVERY = 2  # rounds
JITTER = 0.05  # seconds after the chosen reply before the kill
CHAOS_RATE = 0.3
LAST_RUN_FAULTS = 10  # faults injected while the last run replays
STARTUP_SECONDS = 120.0
FINISH_SECONDS = 180.0
CHAOS = ("429", "500", "502", "503", "drop")  # not "timeout": each costs 8 s and proves nothing more


@dataclass
class Report:
    """What became of the questions and adds sent while the bot was killed `kills` times."""

    kills: int
    questions: int = 0
    answered: int = 0  # got at least one reply
    duplicates: int = 0  # replies beyond the first
    given_up: int = 0  # got "Sorry, I could not handle this message"
    adds: int = 0
    added: int = 0  # ended "Added" or "Already in this chat's library"
    reported: int = 0  # ended "Adding … was interrupted. Please send it again."
    adds_given_up: int = 0  # got "Sorry, I could not handle this message" before any progress
    left_reading: int = 0  # a progress message still says "Reading…"
    libraries: int = 0
    consistent: int = 0  # open, with as many vectors as sentences
    injected: int = 0  # faults the server injected
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    @property
    def lost(self) -> int:
        return self.questions - self.answered

    def lines(self) -> list[str]:
        return [
            f"kills: {self.kills} (SIGKILL at random moments), faults injected by the API: {self.injected}",
            f"questions: {self.questions} sent, {self.answered} answered, {self.lost} lost,"
            f" {self.duplicates} answered twice, {self.given_up} given up",
            f"adds: {self.adds} sent, {self.added} finished, {self.reported} reported as interrupted,"
            f" {self.adds_given_up} given up, {self.left_reading} progress messages left 'Reading…'",
            f"libraries: {self.consistent} of {self.libraries} open and agree with their vector index",
            f"time: {self.seconds:.0f} s",
            *[f"problem: {problem}" for problem in self.problems],
        ]


def sanad_command() -> list[str]:
    """The installed console script, or the same entry point through the interpreter."""
    script = Path(sys.executable).with_name("sanad")
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot.cli"]


class BotProcess:
    """`sanad bot` in a child process, pointed at the fake server, its output kept in a file."""

    def __init__(self, fake: FakeTelegram, data_dir: Path, log: Path) -> None:
        self.env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": fake.base_url,
            "TELEGRAM_API_FILE_URL": fake.base_file_url,
            "SANAD_DATA": str(data_dir),
            "SANAD_CHATS": str(data_dir / "chats"),
        }
        for name in ("SANAD_ALLOWED_CHATS", "SANAD_BOT_STATE"):
            self.env.pop(name, None)
        self.log = log
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        with self.log.open("ab") as output:
            self.process = await asyncio.create_subprocess_exec(
                *sanad_command(), "bot", stdout=output, stderr=output, env=self.env, cwd=self.log.parent
            )

    async def stop(self, how: signal.Signals) -> int:
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(how)
        return await asyncio.wait_for(self.process.wait(), timeout=60)


async def kill_loop(
    workdir: Path,
    library: Path,
    *,
    kills: int = 20,
    seed: int = 0,
    chaos: bool = True,
    open_library: Callable[[Path], Library] | None = None,
) -> Report:
    """Run the rounds in `workdir` on a copy of `library` (see the module docstring)."""
    rng = random.Random(seed)
    data_dir = workdir / "library"
    shutil.copytree(library, data_dir, ignore=shutil.ignore_patterns("chats", "bot.heartbeat"))
    articles = sorted(ARTICLES.glob("*.en.txt"))
    report = Report(kills=kills)
    questions: list[tuple[int, int]] = []  # (chat, message id)
    adds: list[tuple[int, int]] = []
    started = time.monotonic()
    async with FakeTelegram(token=TOKEN, bot_username=BOT) as fake:
        for round_number in range(kills + 1):
            last = round_number == kills
            if not last:
                for _ in range(QUESTIONS_PER_ROUND):
                    reader = rng.choice(READERS)
                    questions.append(
                        (reader.id, fake.send_text(Chat(reader.id), reader, rng.choice(QUESTIONS)))
                    )
                if round_number % ADD_EVERY == 0:
                    reader = rng.choice(READERS)
                    text = articles[len(adds) % len(articles)].read_text(encoding="utf-8")
                    adds.append((reader.id, fake.send_text(Chat(reader.id), reader, f"/add {text}")))
            bot = BotProcess(fake, data_dir, workdir / f"run-{round_number:02d}.log")
            mark = len(fake.calls)
            if chaos and (round_number % 2 == 1 or last):
                limit = LAST_RUN_FAULTS if last else None
                fake.start_chaos(seed=seed * 1000 + round_number, rate=CHAOS_RATE, faults=CHAOS, limit=limit)
            await bot.start()
            try:
                await fake.wait_for(_polled if last else _fetched, since=mark, timeout=STARTUP_SECONDS)
                if last:
                    await _until_finished(fake, questions, adds, timeout=FINISH_SECONDS)
                else:
                    replies = rng.randrange(QUESTIONS_PER_ROUND + 2)
                    await _until_replies(fake, replies, since=mark)
                    await asyncio.sleep(rng.uniform(0, JITTER))
            except TimeoutError as exc:
                report.problems.append(f"round {round_number}: {exc}")
            finally:
                code = await bot.stop(signal.SIGTERM if last else signal.SIGKILL)
                fake.calm()
            if last and code != 0:
                report.problems.append(f"the last run exited with {code}: see {bot.log}")
        report.injected = len(fake.injected)
        _count(fake, questions, adds, report)
    _check_libraries(data_dir / "chats", open_library, report)
    report.seconds = time.monotonic() - started
    return report


def _polled(call: Call) -> bool:
    return call.method == "getUpdates" and call.ok


def _fetched(call: Call) -> bool:
    return call.method == "getUpdates" and call.ok and bool(call.response.get("result"))


async def _until_replies(fake: FakeTelegram, count: int, *, since: int, timeout: float = 30.0) -> None:
    """Wait until the bot has sent or edited `count` messages since call `since` (or until `timeout`:
    a round may hold fewer)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = [c for c in fake.calls[since:] if c.ok and c.method in ("sendMessage", "editMessageText")]
        if len(done) >= count:
            return
        await asyncio.sleep(0.002)


def _replies_to(fake: FakeTelegram, chat_id: int, message_id: int) -> list[dict[str, object]]:
    """The bot's messages in a chat that reply to `message_id`, as they read now."""
    return [
        message
        for message in fake.messages_in(chat_id)
        if (message.get("reply_to_message") or {}).get("message_id") == message_id
    ]


def _settled(fake: FakeTelegram, adds: list[tuple[int, int]]) -> bool:
    """Whether every add has a progress message that says how it ended (a second one may still say
    "Reading…": the bot died between sending it and recording it)."""
    for chat_id, message_id in adds:
        replies = _replies_to(fake, chat_id, message_id)
        if not any(not str(reply.get("text", "")).startswith("⏳") for reply in replies):
            return False
    return True


async def _until_finished(
    fake: FakeTelegram, questions: list[tuple[int, int]], adds: list[tuple[int, int]], *, timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(_replies_to(fake, chat, message) for chat, message in questions) and _settled(fake, adds):
            return
        await asyncio.sleep(0.2)
    raise TimeoutError(f"not everything was answered within {timeout:.0f} s")


def _count(
    fake: FakeTelegram, questions: list[tuple[int, int]], adds: list[tuple[int, int]], report: Report
) -> None:
    report.questions, report.adds = len(questions), len(adds)
    for chat_id, message_id in questions:
        replies = _replies_to(fake, chat_id, message_id)
        report.answered += bool(replies)
        report.duplicates += max(len(replies) - 1, 0)
        report.given_up += any("could not handle" in str(reply.get("text", "")) for reply in replies)
    for chat_id, message_id in adds:
        texts = [str(reply.get("text", "")) for reply in _replies_to(fake, chat_id, message_id)]
        report.added += any(text.startswith(("✅", "☑️")) for text in texts)
        report.reported += any("was interrupted" in text for text in texts)
        report.adds_given_up += any("could not handle" in text for text in texts)
        report.left_reading += sum(text.startswith("⏳") for text in texts)


def _check_libraries(chats: Path, open_library: Callable[[Path], Library] | None, report: Report) -> None:
    for database in sorted(chats.glob("*/library.sqlite")):
        report.libraries += 1
        try:
            Library.check_at(database.parent)
            if open_library is not None:
                open_library(database.parent).close()
        except Exception as exc:  # any failure is what is being counted
            report.problems.append(f"{database.parent.name}: {exc}")
            continue
        report.consistent += 1


def journal_cost(directory: Path, updates: int = 500) -> list[str]:
    """Milliseconds and bytes per update for the journal (record, claim, finish; fsync'd), beside the
    same writes without fsync (synchronous=OFF): what durability costs on this disk."""
    payload = {"update_id": 0, "message": {"message_id": 1, "chat": {"id": 1, "type": "private"},
               "text": "Who denied the claims? " * 3}}  # fmt: skip
    lines = [f"journal cost per update ({updates} updates; CPU flags: {cpu_flags()}):"]
    for label, synchronous in (("fsync'd (synchronous=FULL)", "FULL"), ("baseline, no fsync (OFF)", "OFF")):
        path = directory / f"journal-{synchronous}.sqlite"
        with BotState.open(path, durable=synchronous == "FULL") as state:
            began = time.perf_counter()
            for update_id in range(1, updates + 1):
                state.record(update_id, 1, {**payload, "update_id": update_id})
                state.claim(update_id)
                state.finish(update_id)
            elapsed = time.perf_counter() - began
        size = sum(file.stat().st_size for file in directory.glob(f"{path.name}*"))
        lines.append(f"  {label}: {1000 * elapsed / updates:.2f} ms, {size / updates:.0f} bytes on disk")
    return lines


def run_crash_test(settings: IndexSettings, *, kills: int, seed: int, chaos: bool, keep: Path | None) -> int:
    """`sanad crash`: print the report and the journal's cost; exit 1 when a question was lost."""
    from index.embedding import load_encoder

    encoder = load_encoder(settings)
    probe = encoder.probe()

    def open_library(path: Path) -> Library:
        return Library.open(path, encoder.info, probe)

    with tempfile.TemporaryDirectory(prefix="sanad-crash-") as scratch:
        workdir = keep or Path(scratch)
        workdir.mkdir(parents=True, exist_ok=True)
        print(
            f"killing `sanad bot` {kills} times (seed {seed}, chaos {'on' if chaos else 'off'}) in {workdir}"
        )
        report = asyncio.run(
            kill_loop(
                workdir, settings.data_dir, kills=kills, seed=seed, chaos=chaos, open_library=open_library
            )
        )
        print("\n".join(report.lines()))
        print("\n".join(journal_cost(Path(scratch))))
    return 1 if report.lost or report.problems or report.left_reading else 0
