"""SQL databases behind one small interface: a SQLite file (the embedded default) or a PostgreSQL
server (`SANAD_DATABASE_URL=postgresql://…`), so that the same code keeps its state in either.

    Sqlite.open(path)       one file, WAL, every commit on disk when it returns (synchronous=FULL)
    Postgres.connect(url)   a pool of connections (psycopg_pool); the only psycopg and pgvector import

Both run SQL written with `?` placeholders and the syntax the two share (`INSERT … ON CONFLICT`,
`RETURNING`, `LIMIT … OFFSET`), and both apply numbered migrations per component: SQLite as it opens
(its `user_version`), PostgreSQL through `sanad setup`, which `check` asks for by name when a
server's schema is behind. A connection string's password never appears in a message or a log line:
`redact_url` is what is shown.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

from index.errors import SanadError

log = logging.getLogger(__name__)

Row = tuple[Any, ...]
SETUP = "sanad setup"
# Back-off before asking a PostgreSQL server again when it does not answer (a restart under load).
RECONNECT_AFTER = (0.2, 0.5, 1.0, 2.0, 4.0, 8.0)
_PLACEHOLDER = re.compile(r"\?")


class DatabaseError(SanadError):
    """The database cannot be reached or used; the message names the database without its password."""


class SchemaBehindError(DatabaseError):
    """A PostgreSQL database whose tables are older than this Sanad: `sanad setup` upgrades them."""


class Cursor(Protocol):
    rowcount: int

    def fetchone(self) -> Row | None: ...
    def fetchall(self) -> list[Row]: ...


class Transaction(Protocol):
    def execute(self, sql: str, params: Sequence[object] = ()) -> Cursor: ...
    def executemany(self, sql: str, rows: Sequence[Sequence[object]]) -> Any: ...


class Database(Protocol):
    """What the state and the libraries need of a database: reads, and transactions that are on disk
    (or on the server) once they end."""

    kind: str  # "sqlite" or "postgresql"
    where: str  # the file, or the redacted connection string

    def query(self, sql: str, params: Sequence[object] = ()) -> list[Row]: ...
    def transaction(self) -> Any: ...  # a context manager yielding a Transaction
    def close(self) -> None: ...


def redact_url(url: str) -> str:
    """A connection string fit to show: its password replaced by ***."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<the database URL>"
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}{port}"))


def password_of(url: str) -> str | None:
    """The password in a connection string (what log redaction must hide), if it has one."""
    try:
        return urlsplit(url).password or None
    except ValueError:
        return None


# ---------------------------------------------------------------------- SQLite


class Sqlite:
    """A SQLite file, one connection shared under a lock (SQLite serialises writers anyway)."""

    kind = "sqlite"

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self.where = str(path)
        self.path = path
        self._db = connection
        self._lock = threading.Lock()

    @classmethod
    def open(cls, path: Path, *, durable: bool = True) -> Sqlite:
        """Open (creating) the file. `durable=False` skips the fsync of each commit: only for measuring
        what durability costs, never for serving."""
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute(f"PRAGMA synchronous={'FULL' if durable else 'OFF'}")
        connection.execute("PRAGMA busy_timeout=5000")
        return cls(connection, path)

    def query(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        with self._lock:
            return self._db.execute(sql, tuple(params)).fetchall()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One transaction, committed (with synchronous=FULL, on disk) when the block ends."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def migrate(self, component: str, migrations: Sequence[str]) -> None:
        """Apply the migrations the file has not had, each in its own transaction (`user_version`
        counts them); a file from a newer Sanad is refused."""
        version = self.query("PRAGMA user_version")[0][0]
        if version > len(migrations):
            raise DatabaseError(
                f"{self.path} was written by a newer Sanad (schema {version}); upgrade Sanad to use it"
            )
        for number in range(version, len(migrations)):
            with self.transaction() as db:
                for statement in _statements(migrations[number]):
                    db.execute(statement)
                db.execute(f"PRAGMA user_version = {number + 1}")
            log.info("%s %s: migration %d applied", component, self.path, number + 1)

    def close(self) -> None:
        with self._lock:
            self._db.close()


# ---------------------------------------------------------------------- PostgreSQL


class Postgres:
    """A PostgreSQL server through a pool of connections. SQL is written with `?` placeholders (as for
    SQLite) and run with psycopg's `%s`. A connection that breaks (the server restarted) is replaced,
    and the statement tried again after a pause, for about 15 s; then `DatabaseError`."""

    kind = "postgresql"

    def __init__(self, pool: Any, url: str) -> None:
        self.where = redact_url(url)
        self._pool = pool
        self._current: set[str] = set()  # components whose tables were found up to date

    @classmethod
    def connect(cls, url: str, *, min_size: int = 1, max_size: int = 8, timeout: float = 15.0) -> Postgres:
        """A pool of connections to `url`, checked by one connection first: a wrong address, password
        or database name fails at once, with what the server said."""
        import psycopg
        import psycopg_pool

        try:
            psycopg.connect(url, connect_timeout=max(1, int(timeout))).close()
        except Exception as exc:
            raise _cannot_connect(url, exc) from None

        pool = psycopg_pool.ConnectionPool(
            url,
            min_size=min_size,
            max_size=max_size,
            timeout=timeout,
            open=False,
            kwargs={"autocommit": True},
            configure=_configure,
            check=psycopg_pool.ConnectionPool.check_connection,
            name="sanad",
        )
        try:
            pool.open(wait=True, timeout=timeout)
        except Exception as exc:
            pool.close()
            raise _cannot_connect(url, exc) from None
        return cls(pool, url)

    def query(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        def run(connection: Any) -> list[Row]:
            return connection.execute(_pg(sql), tuple(params)).fetchall()

        return self._with_connection(run)

    def run(self, sql: str) -> None:
        """One statement outside any transaction (CREATE DATABASE cannot run inside one)."""
        self._with_connection(lambda connection: connection.execute(sql))

    @contextmanager
    def session(self) -> Iterator[Transaction]:
        """Statements on one connection outside any transaction, each committed as it ends (CREATE
        INDEX CONCURRENTLY cannot run inside one). Settings and advisory locks taken in it end with it."""
        connection = self._borrow()
        try:
            yield _PgTransaction(connection)
        except Exception as exc:
            if _is_connection_error(exc):
                raise DatabaseError(f"The database at {self.where} went away: {_reason(exc)}") from None
            raise
        finally:
            try:
                connection.execute("RESET ALL")
                connection.execute("SELECT pg_advisory_unlock_all()")
            except Exception:  # a broken connection: the pool's check replaces it
                log.debug("could not reset a session on %s", self.where, exc_info=True)
            self._pool.putconn(connection)

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """One transaction on one connection, committed when the block ends. A connection lost before
        the block starts is replaced; one lost inside it raises (the caller's writes did not happen)."""
        connection = self._borrow()
        try:
            with connection.transaction():
                yield _PgTransaction(connection)
        except Exception as exc:
            if _is_connection_error(exc):
                raise DatabaseError(
                    f"The database at {self.where} went away mid-write: {_reason(exc)}"
                ) from None
            raise
        finally:
            self._pool.putconn(connection)

    def migrate(self, component: str, migrations: Sequence[str]) -> int:
        """Apply `component`'s migrations the server has not had; how many ran. Concurrent `sanad setup`
        runs take turns by an advisory lock."""
        with self.transaction() as db:
            db.execute("SELECT pg_advisory_xact_lock(hashtext('sanad-schema'))")
            db.execute(
                "CREATE TABLE IF NOT EXISTS sanad_schema"
                " (component TEXT PRIMARY KEY, version INTEGER NOT NULL)"
            )
            row = db.execute("SELECT version FROM sanad_schema WHERE component = ?", (component,)).fetchone()
            version = int(row[0]) if row else 0
            if version > len(migrations):
                raise DatabaseError(
                    f"The {component} tables at {self.where} are from a newer Sanad (schema {version});"
                    " upgrade Sanad to use them"
                )
            for number in range(version, len(migrations)):
                for statement in _statements(migrations[number]):
                    db.execute(statement)
                log.info("%s at %s: migration %d applied", component, self.where, number + 1)
            db.execute(
                "INSERT INTO sanad_schema (component, version) VALUES (?, ?)"
                " ON CONFLICT (component) DO UPDATE SET version = excluded.version",
                (component, len(migrations)),
            )
        if version < len(migrations):
            self._pool.drain()  # connections made before a migration created a type know nothing of it
        return len(migrations) - version

    def check(self, component: str, migrations: Sequence[str]) -> None:
        """Refuse to run on tables older (or newer) than this Sanad's, naming the command that fixes it.
        Tables found up to date are not asked about again by this pool (they do not go back)."""
        if component in self._current:
            return
        try:
            rows = self.query("SELECT version FROM sanad_schema WHERE component = ?", (component,))
        except DatabaseError:
            raise
        except Exception:  # no sanad_schema table: nothing was ever set up here
            rows = []
        version = int(rows[0][0]) if rows else 0
        if version < len(migrations):
            raise SchemaBehindError(
                f"The {component} tables at {self.where} are at schema {version}; this Sanad needs"
                f" {len(migrations)}. Run: {SETUP}"
            )
        if version > len(migrations):
            raise DatabaseError(
                f"The {component} tables at {self.where} are from a newer Sanad (schema {version});"
                " upgrade Sanad to use them"
            )
        self._current.add(component)

    def close(self) -> None:
        self._pool.close()

    def _borrow(self) -> Any:
        for pause in (*RECONNECT_AFTER, None):
            try:
                return self._pool.getconn()
            except Exception as exc:
                if pause is None:
                    raise DatabaseError(
                        f"The database at {self.where} does not answer: {_reason(exc)}"
                    ) from None
                log.warning("the database at %s does not answer; asking again in %.1f s", self.where, pause)
                time.sleep(pause)
        raise AssertionError("unreachable")

    def _with_connection(self, run: Any) -> Any:
        """Run a read on a pooled connection; a broken connection is dropped and the read tried again."""
        for pause in (*RECONNECT_AFTER, None):
            connection = self._borrow()
            try:
                return run(connection)
            except Exception as exc:
                if not _is_connection_error(exc):
                    raise
                if pause is None:
                    raise DatabaseError(
                        f"The database at {self.where} does not answer: {_reason(exc)}"
                    ) from None
            finally:
                self._pool.putconn(connection)
            log.warning("lost the connection to %s; asking again in %.1f s", self.where, pause)
            time.sleep(pause)
        raise AssertionError("unreachable")


class _PgTransaction:
    def __init__(self, connection: Any) -> None:
        self._connection = connection

    def execute(self, sql: str, params: Sequence[object] = ()) -> Cursor:
        return self._connection.execute(_pg(sql), tuple(params))  # type: ignore[no-any-return]

    def executemany(self, sql: str, rows: Sequence[Sequence[object]]) -> None:
        """Many rows through one statement, sent in a pipeline (one round trip for the lot)."""
        with self._connection.cursor() as cursor:
            cursor.executemany(_pg(sql), [tuple(row) for row in rows])


def _configure(connection: Any) -> None:
    """Each new pooled connection sends and reads numpy arrays as pgvector's `vector`, in binary, once
    `sanad setup` has created the extension (the bot's state alone needs none)."""
    from pgvector.psycopg import register_vector

    found = connection.execute("SELECT to_regtype('vector') IS NOT NULL").fetchone()
    if found and found[0]:
        register_vector(connection)


def _cannot_connect(url: str, exc: BaseException) -> DatabaseError:
    return DatabaseError(
        f"Cannot connect to the database at {redact_url(url)}: {_reason(exc, url)}. Check"
        " SANAD_DATABASE_URL and that the server is running."
    )


def _pg(sql: str) -> str:
    """`?` placeholders as psycopg's `%s` (the SQL here has no literal `?` or `%`)."""
    return _PLACEHOLDER.sub("%s", sql)


def _statements(script: str) -> list[str]:
    return [statement for statement in script.split(";") if statement.strip()]


def _is_connection_error(exc: BaseException) -> bool:
    import psycopg

    return isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError)


def _reason(exc: BaseException, url: str | None = None) -> str:
    """The first line of a driver's error, with any password taken out."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    if url and (password := password_of(url)):
        text = text.replace(password, "***")
    return text[:300]
