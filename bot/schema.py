"""The bot state's tables (bot/state.py) and their numbered migrations: for the SQLite file, where
each migration runs once as the file opens (its `user_version` counts them), and for PostgreSQL,
where `sanad setup` runs them (`sanad_schema` counts them) and the bot checks them at start.
"""

from __future__ import annotations

# Numbered migrations: the file's `user_version` says how many have run.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE updates (
        update_id INTEGER PRIMARY KEY,
        chat_id INTEGER,
        payload TEXT NOT NULL,
        received REAL NOT NULL,
        tries INTEGER NOT NULL DEFAULT 0,
        state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'given_up')),
        reason TEXT,
        finished REAL
    );
    CREATE INDEX updates_by_state ON updates (state, update_id);
    CREATE TABLE answers (
        chat_id INTEGER NOT NULL,
        key TEXT NOT NULL,
        question_id INTEGER,
        language TEXT NOT NULL,
        message_ids TEXT NOT NULL,
        views TEXT NOT NULL,
        created REAL NOT NULL,
        PRIMARY KEY (chat_id, key)
    );
    CREATE INDEX answers_by_question ON answers (chat_id, question_id);
    CREATE TABLE buttons (
        chat_id INTEGER NOT NULL,
        message_id INTEGER NOT NULL,
        data TEXT NOT NULL,
        user_id INTEGER,
        answer_key TEXT,
        created REAL NOT NULL,
        PRIMARY KEY (chat_id, message_id, data)
    );
    CREATE TABLE adds (
        update_id INTEGER PRIMARY KEY,
        chat_id INTEGER NOT NULL,
        message_id INTEGER NOT NULL,
        label TEXT NOT NULL,
        language TEXT NOT NULL,
        started REAL NOT NULL
    );
    """,
    """
    ALTER TABLE updates ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE updates ADD COLUMN crashes INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE updates ADD COLUMN in_flight INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE updates ADD COLUMN run INTEGER;
    CREATE TABLE runs (run INTEGER PRIMARY KEY, started REAL NOT NULL);
    """,
    """
    CREATE TABLE chats (chat_id INTEGER PRIMARY KEY, shared INTEGER NOT NULL DEFAULT 1);
    """,
    """
    CREATE TABLE offers (
        chat_id INTEGER NOT NULL,
        message_id INTEGER NOT NULL,
        text TEXT NOT NULL,
        created REAL NOT NULL,
        PRIMARY KEY (chat_id, message_id)
    );
    """,
    """
    ALTER TABLE answers ADD COLUMN asked TEXT;
    ALTER TABLE chats ADD COLUMN watch INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE offers ADD COLUMN origin TEXT;
    """,
)


# The same tables in PostgreSQL (`SANAD_DATABASE_URL`), created by `sanad setup`: chat and message ids
# are 64-bit there, times are seconds since the epoch as in SQLite.
PG_MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE updates (
        update_id BIGINT PRIMARY KEY,
        chat_id BIGINT,
        payload TEXT NOT NULL,
        received DOUBLE PRECISION NOT NULL,
        tries INTEGER NOT NULL DEFAULT 0,
        state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'given_up')),
        reason TEXT,
        finished DOUBLE PRECISION,
        failures INTEGER NOT NULL DEFAULT 0,
        crashes INTEGER NOT NULL DEFAULT 0,
        in_flight INTEGER NOT NULL DEFAULT 0,
        run INTEGER
    );
    CREATE INDEX updates_by_state ON updates (state, update_id);
    CREATE TABLE runs (run INTEGER PRIMARY KEY, started DOUBLE PRECISION NOT NULL);
    CREATE TABLE answers (
        chat_id BIGINT NOT NULL,
        key TEXT NOT NULL,
        question_id BIGINT,
        language TEXT NOT NULL,
        message_ids TEXT NOT NULL,
        views TEXT NOT NULL,
        created DOUBLE PRECISION NOT NULL,
        asked TEXT,
        PRIMARY KEY (chat_id, key)
    );
    CREATE INDEX answers_by_question ON answers (chat_id, question_id);
    CREATE TABLE buttons (
        chat_id BIGINT NOT NULL,
        message_id BIGINT NOT NULL,
        data TEXT NOT NULL,
        user_id BIGINT,
        answer_key TEXT,
        created DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (chat_id, message_id, data)
    );
    CREATE TABLE adds (
        update_id BIGINT PRIMARY KEY,
        chat_id BIGINT NOT NULL,
        message_id BIGINT NOT NULL,
        label TEXT NOT NULL,
        language TEXT NOT NULL,
        started DOUBLE PRECISION NOT NULL
    );
    CREATE TABLE chats (
        chat_id BIGINT PRIMARY KEY,
        shared INTEGER NOT NULL DEFAULT 1,
        watch INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE offers (
        chat_id BIGINT NOT NULL,
        message_id BIGINT NOT NULL,
        text TEXT NOT NULL,
        created DOUBLE PRECISION NOT NULL,
        origin TEXT,
        PRIMARY KEY (chat_id, message_id)
    );
    """,
    # Several workers share the journal (bot/leases.py): who holds an update and until when, and the
    # flood budgets every worker's sends count against.
    """
    ALTER TABLE updates ADD COLUMN owner TEXT;
    ALTER TABLE updates ADD COLUMN lease_until DOUBLE PRECISION;
    CREATE INDEX updates_pending_by_chat ON updates (chat_id, update_id) WHERE state = 'pending';
    CREATE TABLE send_budget (scope TEXT PRIMARY KEY, tat DOUBLE PRECISION NOT NULL)
    """,
)
