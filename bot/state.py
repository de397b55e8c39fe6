"""What the bot must not forget when its process dies: in one SQLite file beside the chats' libraries,
or, with `SANAD_DATABASE_URL`, in a PostgreSQL database (the same tables, index/database.py).

    updates   the update journal: every update Telegram delivered, until its reply is sent
    answers   the views of each answer sent (answer, more context, other matches) by random key
    buttons   every button on every message the bot sent, with whom it was sent to
    adds      articles being added, with the message that shows their progress
    chats     each chat's choices (whether it searches the shared articles, whether it is watched)
    offers    the text of an "Add to library" offer that joins a paste's (or a forward's) parts

The file is in WAL mode with `synchronous=FULL` (and PostgreSQL commits before it answers): a write
is on disk when the call returns, so an update journaled here survives a SIGKILL, an OOM kill or a
power cut straight after. Each table is
bounded (see `prune`). Every method is thread-safe and blocking; the bot calls them through `run`,
on the state's own thread, so that a journal write never queues behind searches in the default pool
(the time between "reply sent" and "marked done" is the window in which a crash answers twice).
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import json
import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from bot.schema import MIGRATIONS, PG_MIGRATIONS
from index import Database, DatabaseError, Postgres, Sqlite
from index.database import Row, Transaction

P = ParamSpec("P")
T = TypeVar("T")

log = logging.getLogger(__name__)

STATE_NAME = "bot.sqlite"
KEEP_DONE_SECONDS = 3600.0  # finished updates kept this long, to recognise Telegram sending one again
KEEP_DONE_ROWS = 10_000  # and never more than this many
ANSWERS_PER_CHAT = 256  # answers whose buttons keep working, per chat
KEEP_BUTTONS_SECONDS = 30 * 24 * 3600.0  # library buttons (add, remove) older than this stop working
# How long a write that records a reply already sent waits for a database that is away: longer than a
# server restart takes, less than a worker's lease (bot/leases.py), after which another worker would
# answer the update again.
RECORD_WITHIN_SECONDS = 20.0
PAUSE_BETWEEN_RECORDS = 1.0


@dataclass(frozen=True, slots=True)
class Claim:
    """One more start at handling an update: how many starts so far (this one included), how many
    ended in a handler's error, and how many times the process died with this update alone in flight
    (see `BotState.begin_run`)."""

    tries: int
    failures: int
    crashes: int = 0


@dataclass(frozen=True, slots=True)
class Journaled:
    """An update as the journal holds it: Telegram's JSON and how often handling it was started."""

    update_id: int
    chat_id: int | None
    payload: dict[str, Any]
    tries: int


@dataclass(frozen=True, slots=True)
class View:
    """One view of an answer: the text of its last message and the buttons under it (label, data)."""

    text: str
    buttons: tuple[tuple[tuple[str, str], ...], ...]


@dataclass(frozen=True, slots=True)
class Quoted:
    """A quote an answer showed, and the article it stands in (`chat_id` None: a shared article)."""

    chat_id: int | None
    document_id: int
    text: str
    title: str
    position: int
    paragraph: int
    source: str | None = None


@dataclass(frozen=True, slots=True)
class Remembered:
    """An answer the bot sent: its views, in which language, and the messages that show it; the
    question and the quotes, for follow-up questions and votes."""

    key: str
    language: str
    message_ids: tuple[int, ...]  # the last one carries the buttons
    views: dict[str, View]
    question: str = ""
    quotes: tuple[Quoted, ...] = ()


@dataclass(frozen=True, slots=True)
class Button:
    """A button the bot put on one of its messages; `user_id` alone may press it (None: anyone there)."""

    chat_id: int
    message_id: int
    data: str
    user_id: int | None


@dataclass(frozen=True, slots=True)
class Adding:
    """An add in progress: the update that asked for it and the message that shows its progress."""

    update_id: int
    chat_id: int
    message_id: int
    label: str
    language: str


class BotState:
    """The bot's state in a SQLite file (`BotState.open(path)`) or a PostgreSQL database
    (`BotState.connect(url)`); thread-safe."""

    def __init__(self, database: Database) -> None:
        self._db = database
        self.where = database.where  # the file, or the connection string without its password
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sanad-state")
        self._run: int | None = None  # set by begin_run

    @property
    def database(self) -> Database:
        """The database the state lives in (the shared journal's leases use it too: bot/leases.py)."""
        return self._db

    @classmethod
    def open(cls, path: Path, *, durable: bool = True) -> BotState:
        """Open (creating and migrating) the state file at `path`. `durable=False` skips the fsync of
        each write: only for measuring what durability costs (`sanad crash`), never for the bot."""
        database = Sqlite.open(path, durable=durable)
        return cls._ready(database, lambda: database.migrate("bot state", MIGRATIONS))

    @classmethod
    def connect(cls, url: str) -> BotState:
        """The state in the PostgreSQL database at `url`, whose tables `sanad setup` made (`set_up`);
        refused, naming that command, when they are behind this Sanad."""
        database = Postgres.connect(url)
        return cls._ready(database, lambda: database.check("bot state", PG_MIGRATIONS))

    @classmethod
    def _ready(cls, database: Database, prepare: Callable[[], object]) -> BotState:
        """The state over `database` once `prepare` (its migrations or its check) has passed; the
        database is closed when it fails."""
        try:
            prepare()
        except BaseException:
            database.close()
            raise
        return cls(database)

    @staticmethod
    def set_up(url: str) -> int:
        """Create or upgrade the bot's tables in the PostgreSQL database at `url`; how many migrations
        ran (`sanad setup`)."""
        database = Postgres.connect(url, max_size=1)
        try:
            return database.migrate("bot state", PG_MIGRATIONS)
        finally:
            database.close()

    def close(self) -> None:
        self._thread.shutdown(wait=True)
        self._db.close()

    async def run(self, method: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Call one of these methods from the event loop, on the state's own thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._thread, functools.partial(method, *args, **kwargs))

    async def record_sent(self, method: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Call a write that records what has already happened outside (a reply sent, an update
        answered), waiting out a database that is away for up to `RECORD_WITHIN_SECONDS`: failing it
        would have the update handled, and its reply sent, a second time."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + RECORD_WITHIN_SECONDS
        while True:
            try:
                return await self.run(method, *args, **kwargs)
            except DatabaseError as exc:
                if loop.time() > deadline:
                    raise
                log.warning("the database cannot record %s yet, waiting: %s", method.__name__, exc)
                await asyncio.sleep(PAUSE_BETWEEN_RECORDS)

    def __enter__(self) -> BotState:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---------------------------------------------------------------- the update journal

    def record(self, update_id: int, chat_id: int | None, payload: dict[str, Any]) -> bool:
        """Journal an update before Telegram may forget it; False when it was journaled already."""
        with self._write() as db:
            cursor = db.execute(
                "INSERT INTO updates (update_id, chat_id, payload, received) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (update_id) DO NOTHING",
                (update_id, chat_id, json.dumps(payload, ensure_ascii=False), time.time()),
            )
            return cursor.rowcount == 1

    def begin_run(self) -> int | None:
        """Start a new run of the bot. When the last run died with exactly one update in flight, that
        update is blamed (its `crashes` count goes up) and returned: it may be what kills the bot.
        With several in flight none is blamed; they are replayed one at a time, so that a poisoned
        one is alone when it strikes again."""
        with self._write() as db:
            (last,) = db.execute("SELECT MAX(run) FROM runs").fetchone()
            in_flight = db.execute(
                "SELECT update_id FROM updates WHERE state = 'pending' AND in_flight = 1 AND run = ?", (last,)
            ).fetchall()
            blamed = in_flight[0][0] if len(in_flight) == 1 else None
            if blamed is not None:
                db.execute("UPDATE updates SET crashes = crashes + 1 WHERE update_id = ?", (blamed,))
            db.execute("UPDATE updates SET in_flight = 0 WHERE in_flight = 1")
            self._run = (last or 0) + 1
            db.execute("INSERT INTO runs (run, started) VALUES (?, ?)", (self._run, time.time()))
            db.execute("DELETE FROM runs WHERE run < ?", (self._run - 100,))
        return blamed

    def claim(self, update_id: int) -> Claim | None:
        """Count one more start at handling a pending update, on disk before the handlers run (so the
        next run knows it was in flight); None when it is not pending (done, given up, or unknown)."""
        with self._write() as db:
            row = db.execute(
                "UPDATE updates SET tries = tries + 1, in_flight = 1, run = ?"
                " WHERE update_id = ? AND state = 'pending' RETURNING tries, failures, crashes",
                (self._run, update_id),
            ).fetchone()
            return None if row is None else Claim(int(row[0]), int(row[1]), int(row[2]))

    def fail(self, update_id: int) -> int:
        """Count a try that ended in a handler's error; returns how many have."""
        with self._write() as db:
            row = db.execute(
                "UPDATE updates SET failures = failures + 1, in_flight = 0 WHERE update_id = ?"
                " RETURNING failures",
                (update_id,),
            ).fetchone()
            return 0 if row is None else int(row[0])

    def finish(self, update_id: int, *, reason: str | None = None) -> None:
        """Mark an update done (its reply is sent), or given up with `reason`."""
        with self._write() as db:
            self._finish(db, update_id, reason)

    def pending(self) -> list[Journaled]:
        """Updates not done yet, oldest first."""
        rows = self._db.query(
            "SELECT update_id, chat_id, payload, tries FROM updates WHERE state = 'pending'"
            " ORDER BY update_id"
        )
        return [Journaled(row[0], row[1], json.loads(row[2]), row[3]) for row in rows]

    def is_pending(self, update_id: int) -> bool:
        row = self._one("SELECT 1 FROM updates WHERE update_id = ? AND state = 'pending'", (update_id,))
        return row is not None

    def counts(self) -> dict[str, int]:
        """How many journaled updates are in each state."""
        rows = self._db.query("SELECT state, COUNT(*) FROM updates GROUP BY state")
        return {state: count for state, count in rows}

    # ---------------------------------------------------------------- answers and their buttons

    def remember_answer(
        self,
        chat_id: int,
        answer: Remembered,
        *,
        question_id: int | None,
        buttons: Sequence[Button],
        update_id: int | None = None,
    ) -> None:
        """Store an answer's views and the buttons on its last message (replacing an older answer
        with the same key, as an edited question does), and mark the update it answers done in the
        same transaction: one write between "reply sent" and "marked done"."""
        views = {name: [view.text, view.buttons] for name, view in answer.views.items()}
        asked = {"question": answer.question, "quotes": [dataclasses.asdict(q) for q in answer.quotes]}
        with self._write() as db:
            db.execute(
                "INSERT INTO answers"
                " (chat_id, key, question_id, language, message_ids, views, created, asked)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (chat_id, key) DO UPDATE SET"
                " question_id = excluded.question_id, language = excluded.language,"
                " message_ids = excluded.message_ids, views = excluded.views, created = excluded.created,"
                " asked = excluded.asked",
                (
                    chat_id,
                    answer.key,
                    question_id,
                    answer.language,
                    json.dumps(answer.message_ids),
                    json.dumps(views, ensure_ascii=False),
                    time.time(),
                    json.dumps(asked, ensure_ascii=False),
                ),
            )
            self._replace_buttons(db, chat_id, answer.message_ids[-1], buttons, answer.key)
            if update_id is not None:
                self._finish(db, update_id, None)
            for (key,) in db.execute(
                "SELECT key FROM answers WHERE chat_id = ? ORDER BY created DESC, key"
                " LIMIT 1000000000 OFFSET ?",
                (chat_id, ANSWERS_PER_CHAT),
            ).fetchall():
                db.execute("DELETE FROM answers WHERE chat_id = ? AND key = ?", (chat_id, key))
                db.execute("DELETE FROM buttons WHERE chat_id = ? AND answer_key = ?", (chat_id, key))

    def answer(self, chat_id: int, key: str) -> Remembered | None:
        row = self._one(f"SELECT {_ANSWER} FROM answers WHERE chat_id = ? AND key = ?", (chat_id, key))
        return None if row is None else _remembered(row)

    def answer_to(self, chat_id: int, question_id: int) -> Remembered | None:
        """The answer the question in message `question_id` got, if it is still remembered."""
        row = self._one(
            f"SELECT {_ANSWER} FROM answers WHERE chat_id = ? AND question_id = ?"
            " ORDER BY created DESC LIMIT 1",
            (chat_id, question_id),
        )
        return None if row is None else _remembered(row)

    def answer_in(self, chat_id: int, message_id: int) -> Remembered | None:
        """The answer that message `message_id` of the bot shows (or a part of), if still remembered."""
        row = self._one(
            f"SELECT {_ANSWER} FROM answers WHERE chat_id = ?"
            f" AND {_SHOWS_MESSAGE[self._db.kind]}"
            " ORDER BY created DESC LIMIT 1",
            (chat_id, message_id),
        )
        return None if row is None else _remembered(row)

    def set_buttons(
        self, chat_id: int, message_id: int, buttons: Sequence[Button], *, answer_key: str | None = None
    ) -> None:
        """The buttons now on a message (none: it has no buttons any more); `answer_key` when the
        message shows an answer, whose buttons then last as long as the answer is remembered."""
        with self._write() as db:
            self._replace_buttons(db, chat_id, message_id, buttons, answer_key)

    def button(self, chat_id: int, message_id: int, data: str) -> Button | None:
        """The button with `data` on that message, if the bot put it there and it is still there."""
        row = self._one(
            "SELECT user_id FROM buttons WHERE chat_id = ? AND message_id = ? AND data = ?",
            (chat_id, message_id, data),
        )
        return None if row is None else Button(chat_id, message_id, data, row[0])

    # ---------------------------------------------------------------- adds in progress

    def start_add(self, adding: Adding) -> None:
        with self._write() as db:
            db.execute(
                "INSERT INTO adds (update_id, chat_id, message_id, label, language, started)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (update_id) DO UPDATE SET chat_id = excluded.chat_id,"
                " message_id = excluded.message_id, label = excluded.label, language = excluded.language,"
                " started = excluded.started",
                (
                    adding.update_id,
                    adding.chat_id,
                    adding.message_id,
                    adding.label,
                    adding.language,
                    time.time(),
                ),
            )

    def add_of(self, update_id: int) -> Adding | None:
        """The add that update `update_id` started and did not finish."""
        row = self._one(
            "SELECT update_id, chat_id, message_id, label, language FROM adds WHERE update_id = ?",
            (update_id,),
        )
        return None if row is None else Adding(*row)

    def end_add(self, update_id: int) -> None:
        with self._write() as db:
            db.execute("DELETE FROM adds WHERE update_id = ?", (update_id,))

    def orphaned_adds(self) -> list[Adding]:
        """Adds in progress whose update will not be handled again (done, given up or gone)."""
        rows = self._db.query(
            "SELECT a.update_id, a.chat_id, a.message_id, a.label, a.language FROM adds a"
            " LEFT JOIN updates u ON u.update_id = a.update_id AND u.state = 'pending'"
            " WHERE u.update_id IS NULL ORDER BY a.started"
        )
        return [Adding(*row) for row in rows]

    # ---------------------------------------------------------------- chats' choices

    def searches_shared(self, chat_id: int) -> bool:
        """Whether the chat searches the shared articles besides its own (yes unless it said no)."""
        row = self._one("SELECT shared FROM chats WHERE chat_id = ?", (chat_id,))
        return row is None or bool(row[0])

    def set_shared(self, chat_id: int, on: bool) -> None:
        with self._write() as db:
            db.execute(
                "INSERT INTO chats (chat_id, shared) VALUES (?, ?)"
                " ON CONFLICT (chat_id) DO UPDATE SET shared = excluded.shared",
                (chat_id, int(on)),
            )

    def watches(self, chat_id: int) -> bool:
        """Whether every article posted in the chat is added to its library (/watch on)."""
        row = self._one("SELECT watch FROM chats WHERE chat_id = ?", (chat_id,))
        return row is not None and bool(row[0])

    def set_watch(self, chat_id: int, on: bool) -> None:
        with self._write() as db:
            db.execute(
                "INSERT INTO chats (chat_id, watch) VALUES (?, ?)"
                " ON CONFLICT (chat_id) DO UPDATE SET watch = excluded.watch",
                (chat_id, int(on)),
            )

    # ---------------------------------------------------------------- offers of joined pastes

    def set_offer(self, chat_id: int, message_id: int, text: str, origin: str | None = None) -> None:
        with self._write() as db:
            db.execute(
                "INSERT INTO offers (chat_id, message_id, text, created, origin) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (chat_id, message_id) DO UPDATE SET text = excluded.text,"
                " created = excluded.created, origin = excluded.origin",
                (chat_id, message_id, text, time.time(), origin),
            )

    def offer(self, chat_id: int, message_id: int) -> tuple[str, str | None] | None:
        """The article an offer message stands for, when it joins several messages, and where those
        were forwarded from."""
        row = self._one(
            "SELECT text, origin FROM offers WHERE chat_id = ? AND message_id = ?", (chat_id, message_id)
        )
        return None if row is None else (str(row[0]), row[1])

    # ---------------------------------------------------------------- upkeep

    def prune(self, *, now: float | None = None) -> int:
        """Forget finished updates (after an hour, at most 10,000 kept) and old library buttons; returns
        how many updates went."""
        now = time.time() if now is None else now
        with self._write() as db:
            gone = db.execute(
                "DELETE FROM updates WHERE state != 'pending' AND (finished < ? OR update_id NOT IN"
                " (SELECT update_id FROM updates WHERE state != 'pending' ORDER BY update_id DESC LIMIT ?))",
                (now - KEEP_DONE_SECONDS, KEEP_DONE_ROWS),
            ).rowcount
            db.execute(
                "DELETE FROM buttons WHERE answer_key IS NULL AND created < ?", (now - KEEP_BUTTONS_SECONDS,)
            )
            db.execute("DELETE FROM offers WHERE created < ?", (now - KEEP_BUTTONS_SECONDS,))
        return gone

    # ---------------------------------------------------------------- internals

    def _write(self) -> Any:
        """One transaction, on disk (or on the server) when the block ends."""
        return self._db.transaction()

    def _one(self, sql: str, params: Sequence[object] = ()) -> Row | None:
        rows = self._db.query(sql, params)
        return rows[0] if rows else None

    @staticmethod
    def _finish(db: Transaction, update_id: int, reason: str | None) -> None:
        db.execute(
            "UPDATE updates SET state = ?, reason = ?, finished = ?, in_flight = 0"
            " WHERE update_id = ? AND state = 'pending'",
            ("done" if reason is None else "given_up", reason, time.time(), update_id),
        )

    @staticmethod
    def _replace_buttons(
        db: Transaction,
        chat_id: int,
        message_id: int,
        buttons: Sequence[Button],
        answer_key: str | None,
    ) -> None:
        db.execute("DELETE FROM buttons WHERE chat_id = ? AND message_id = ?", (chat_id, message_id))
        for button in buttons:
            db.execute(
                "INSERT INTO buttons (chat_id, message_id, data, user_id, answer_key, created)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (chat_id, message_id, data) DO UPDATE SET"
                " user_id = excluded.user_id, answer_key = excluded.answer_key, created = excluded.created",
                (chat_id, message_id, button.data, button.user_id, answer_key, time.time()),
            )


_ANSWER = "key, language, message_ids, views, asked"
# Whether an answer's `message_ids` (a JSON list) holds one message id, in each database's JSON.
_SHOWS_MESSAGE = {
    "sqlite": "EXISTS (SELECT 1 FROM json_each(message_ids) WHERE value = ?)",
    "postgresql": "message_ids::jsonb @> to_jsonb(?::bigint)",
}


def _remembered(row: Sequence[Any]) -> Remembered:
    key, language, message_ids, views, asked = row
    details = json.loads(asked) if asked else {}
    return Remembered(
        key=key,
        language=language,
        message_ids=tuple(json.loads(message_ids)),
        views={
            name: View(text, tuple(tuple((label, data) for label, data in line) for line in buttons))
            for name, (text, buttons) in json.loads(views).items()
        },
        question=details.get("question", ""),
        quotes=tuple(Quoted(**quote) for quote in details.get("quotes", ())),
    )
