"""The bot's state: the update journal, the answers' views, the buttons sent and the adds running.
What it holds survives closing and reopening, which is what a restart does. Every test runs on both
backends: a SQLite file, and a real PostgreSQL server (lab/postgres.py)."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.i18n import ENGLISH
from bot.keyboards import examples_keyboard
from bot.memory import buttons_on, markup_of, new_key, view_of
from bot.schema import PG_MIGRATIONS
from bot.state import (
    ANSWERS_PER_CHAT,
    KEEP_BUTTONS_SECONDS,
    KEEP_DONE_SECONDS,
    Adding,
    BotState,
    Button,
    Claim,
    Remembered,
    View,
)
from index import DatabaseError, Postgres, SchemaBehindError, redact_url
from lab.postgres import Server

CHAT = 501
Opener = Callable[[], BotState]


@pytest.fixture(params=["sqlite", "postgresql"])
def reopen(request: pytest.FixtureRequest, tmp_path: Path) -> Opener:
    """Opens the same state again each time it is called, in a file or in a database of its own."""
    if request.param == "sqlite":
        return lambda: BotState.open(tmp_path / "bot.sqlite")
    url = request.getfixturevalue("database_url")
    BotState.set_up(url)
    return lambda: BotState.connect(url)


def message(update_id: int, text: str = "Who denied the claims?") -> dict[str, object]:
    return {"update_id": update_id, "message": {"message_id": update_id, "text": text}}


def answer(key: str, message_ids: tuple[int, ...] = (11,)) -> Remembered:
    views = {
        "answer": View("the answer", ((("More context", f"c:{key}"),),)),
        "context": View("the context", ((("Back to answer", f"a:{key}"),),)),
    }
    return Remembered(key, "en", message_ids, views)


def test_an_update_is_journaled_once_and_stays_pending_until_finished(reopen: Opener) -> None:
    with reopen() as state:
        assert state.record(7, CHAT, message(7)) is True
        assert state.record(7, CHAT, message(7)) is False  # Telegram sent it again
        state.record(5, CHAT, message(5))
        assert [entry.update_id for entry in state.pending()] == [5, 7]  # oldest first
        assert state.claim(7) == Claim(tries=1, failures=0)
        assert state.fail(7) == 1  # the handler raised
        assert state.claim(7) == Claim(tries=2, failures=1, crashes=0)
        state.finish(7)
        assert state.claim(7) is None and not state.is_pending(7)
        state.finish(5, reason="RuntimeError: boom")
        assert state.counts() == {"done": 1, "given_up": 1}
        assert state.pending() == []


def test_a_death_is_blamed_on_an_update_only_when_it_was_alone_in_flight(reopen: Opener) -> None:
    with reopen() as state:
        for update_id in (1, 2, 3):
            state.record(update_id, CHAT, message(update_id))
        assert state.begin_run() is None  # a first run: nothing to blame
        state.claim(1)
        state.claim(2)
        assert state.begin_run() is None  # died with two in flight: neither is blamed
        state.claim(1)
        state.finish(1)
        state.claim(2)  # replayed alone ...
        assert state.begin_run() == 2  # ... and the bot died again
        assert state.claim(2) == Claim(tries=3, failures=0, crashes=1)
        state.fail(2)  # an error, not a death: the next run blames nothing
        assert state.begin_run() is None
        assert state.claim(3) == Claim(tries=1, failures=0, crashes=0)


def test_the_journal_survives_reopening_with_the_updates_json(reopen: Opener) -> None:
    with reopen() as state:
        state.record(9, -100777, message(9, "من نفى المزاعم؟"))
        state.claim(9)
    with reopen() as state:
        [entry] = state.pending()
    assert (entry.update_id, entry.chat_id, entry.tries) == (9, -100777, 1)
    assert entry.payload["update_id"] == 9
    assert entry.payload == message(9, "من نفى المزاعم؟")


def test_finished_updates_are_pruned_after_an_hour_but_pending_ones_never(reopen: Opener) -> None:
    with reopen() as state:
        for update_id in (1, 2, 3):
            state.record(update_id, CHAT, message(update_id))
        state.finish(1)
        state.finish(2)
        assert state.prune() == 0  # an hour has not passed
        assert state.prune(now=time.time() + KEEP_DONE_SECONDS + 1) == 2
        assert [entry.update_id for entry in state.pending()] == [3]


def test_an_answer_is_found_by_key_and_by_question_with_the_buttons_of_its_last_message(
    reopen: Opener,
) -> None:
    with reopen() as state:
        key = new_key()
        markup = markup_of(answer(key).views["answer"])
        state.remember_answer(
            CHAT, answer(key, (10, 11)), question_id=3, buttons=buttons_on(CHAT, 11, markup)
        )
        found = state.answer(CHAT, key)
        assert found is not None and found.views["context"].text == "the context"
        assert state.answer_to(CHAT, 3) == found
        assert state.button(CHAT, 11, f"c:{key}") == Button(CHAT, 11, f"c:{key}", None)
        assert state.button(CHAT, 10, f"c:{key}") is None  # only the last message carries them
        assert state.button(CHAT + 1, 11, f"c:{key}") is None  # nor in another chat
        assert state.answer(CHAT + 1, key) is None


def test_the_oldest_answers_are_forgotten_with_their_buttons(reopen: Opener) -> None:
    with reopen() as state:
        keys = [new_key() for _ in range(ANSWERS_PER_CHAT + 1)]
        assert len(set(keys)) == len(keys) and all(len(key) == 8 for key in keys)
        for number, key in enumerate(keys):
            buttons = [Button(CHAT, 1000 + number, f"c:{key}", None)]
            state.remember_answer(CHAT, answer(key, (1000 + number,)), question_id=number, buttons=buttons)
        assert state.answer(CHAT, keys[0]) is None and state.answer_to(CHAT, 0) is None
        assert state.button(CHAT, 1000, f"c:{keys[0]}") is None
        assert state.answer(CHAT, keys[-1]) is not None
        assert state.button(CHAT, 1000 + ANSWERS_PER_CHAT, f"c:{keys[-1]}") is not None


def test_buttons_on_a_message_are_replaced_when_it_is_edited_and_old_library_buttons_expire(
    reopen: Opener,
) -> None:
    with reopen() as state:
        state.set_buttons(CHAT, 20, [Button(CHAT, 20, "rm:1", 501), Button(CHAT, 20, "rm:2", 501)])
        state.set_buttons(CHAT, 20, [Button(CHAT, 20, "rmok:1", 501), Button(CHAT, 20, "keep", 501)])
        assert state.button(CHAT, 20, "rm:2") is None
        assert state.button(CHAT, 20, "rmok:1") == Button(CHAT, 20, "rmok:1", 501)
        state.prune(now=time.time() + KEEP_BUTTONS_SECONDS + 1)
        assert state.button(CHAT, 20, "rmok:1") is None


def test_a_stored_view_gives_back_the_keyboard_it_was_made_from() -> None:
    markup = examples_keyboard(ENGLISH)
    view = view_of("welcome", markup)
    assert markup_of(view) == markup
    assert markup_of(view_of("plain", None)) is None


def test_an_add_left_running_is_orphaned_unless_its_update_will_be_replayed(reopen: Opener) -> None:
    with reopen() as state:
        state.record(1, CHAT, message(1, "/add https://example.com/a"))
        state.record(2, CHAT, message(2, "/add https://example.com/b"))
        state.start_add(Adding(1, CHAT, 31, "“https://example.com/a”", "en"))
        state.start_add(Adding(2, CHAT, 32, "“https://example.com/b”", "ar"))
        state.finish(1, reason="the bot stopped while handling it 3 times")
        assert [adding.update_id for adding in state.orphaned_adds()] == [1]
        assert state.add_of(2) == Adding(2, CHAT, 32, "“https://example.com/b”", "ar")
        state.end_add(2)
        assert state.add_of(2) is None


def test_a_state_file_from_a_newer_sanad_is_refused_with_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite"
    BotState.open(path).close()
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 99")
    db.close()
    with pytest.raises(DatabaseError, match=r"newer Sanad .* upgrade Sanad"):
        BotState.open(path)


def test_a_database_whose_tables_are_behind_is_refused_naming_sanad_setup(database_url: str) -> None:
    with pytest.raises(SchemaBehindError, match=r"bot state tables .* are at schema 0; .* Run: sanad setup"):
        BotState.connect(database_url)
    assert BotState.set_up(database_url) == len(PG_MIGRATIONS)
    assert BotState.set_up(database_url) == 0  # up to date: nothing to do
    BotState.connect(database_url).close()


def test_the_database_password_never_shows_in_an_error(postgres: str) -> None:
    url = postgres.replace("postgres:@", "postgres:s3cret-pass@", 1).replace("/postgres?", "/no_such_db?", 1)
    with pytest.raises(DatabaseError) as refused:
        BotState.connect(url)
    assert "s3cret-pass" not in str(refused.value)
    assert "no_such_db" in str(refused.value) and "SANAD_DATABASE_URL" in str(refused.value)
    assert (
        redact_url("postgresql://sanad:pw@db.example:5432/sanad")
        == "postgresql://sanad:***@db.example:5432/sanad"
    )


def started_at(url: str) -> object:
    """When the server last started."""
    database = Postgres.connect(url, max_size=1)
    try:
        return database.query("SELECT pg_postmaster_start_time()")[0][0]
    finally:
        database.close()


def test_the_state_outlives_a_database_restart_on_the_same_connections(
    database_url: str, postgres_running: Server
) -> None:
    """Every pooled connection is dropped by the restart; the next writes and reads get new ones, and
    nothing journaled before is lost."""
    BotState.set_up(database_url)
    started = started_at(database_url)
    with BotState.connect(database_url) as state:
        assert state.record(1, CHAT, message(1))
        postgres_running.restart()
        assert state.record(2, CHAT, message(2))
        assert started_at(database_url) != started  # it did restart
        assert [entry.update_id for entry in state.pending()] == [1, 2]
        state.finish(1)
        assert state.counts() == {"done": 1, "pending": 1}


def test_a_write_that_records_a_sent_reply_waits_out_a_database_that_is_away(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reply already sent must be recorded, or the update is answered again: the write is tried
    again while the database is away (a connection dropped mid-write by a restart), and given up only
    after RECORD_WITHIN_SECONDS."""
    import asyncio

    import bot.state

    monkeypatch.setattr(bot.state, "PAUSE_BETWEEN_RECORDS", 0.01)
    with BotState.open(tmp_path / "bot.sqlite") as state:
        state.record(1, CHAT, message(1))
        failures = [DatabaseError("went away mid-write")] * 2

        def finish_after_a_restart(update_id: int) -> None:
            if failures:
                raise failures.pop()
            state.finish(update_id)

        asyncio.run(state.record_sent(finish_after_a_restart, 1))
        assert not failures and state.pending() == []

        monkeypatch.setattr(bot.state, "RECORD_WITHIN_SECONDS", 0.05)

        def never(update_id: int) -> None:
            raise DatabaseError("still away")

        with pytest.raises(DatabaseError, match="still away"):
            asyncio.run(state.record_sent(never, 1))
