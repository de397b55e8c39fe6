"""The library's SQLite database: its tables, its named migrations, and opening it safely.

SQLite is the source of truth and its commit is the commit point of every change (see
`index.library.vectors` for the FAISS file that follows it). The meta table holds the format, the
model (see `index.library.compatibility`), the index generation and the index file's identity.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path

from index.errors import DamagedDatabaseError, LibraryError
from index.files import file_lock

log = logging.getLogger(__name__)

SCHEMA_VERSION = 4
DB_NAME = "library.sqlite"
LOCK_NAME = ".lock"
# Databases up to this size are checked page by page whenever a library opens (about 0.1 s per 100 MB).
QUICK_CHECK_BYTES = 256 * 2**20

# The votes on answers given from this library (index/library/feedback.py): what was asked, what was
# quoted, and whether it answered. One vote per answer and user: voting again replaces it.
FEEDBACK_TABLE = (
    "CREATE TABLE feedback (id INTEGER PRIMARY KEY AUTOINCREMENT, answer TEXT NOT NULL,"
    " voter TEXT NOT NULL, vote INTEGER NOT NULL CHECK (vote IN (-1, 1)), question TEXT NOT NULL,"
    " quotes TEXT NOT NULL, language TEXT, voted_at TEXT NOT NULL, UNIQUE (answer, voter))"
)

# Migration N takes a library from format N to N + 1, in one transaction under the write lock.
MIGRATIONS: dict[int, tuple[str, tuple[str, ...]]] = {
    1: (
        "documents record their date and author",
        ("ALTER TABLE documents ADD COLUMN published TEXT", "ALTER TABLE documents ADD COLUMN author TEXT"),
    ),
    2: (
        "sentences keep their content-token vectors",
        (
            "CREATE TABLE tokens (sentence_id INTEGER PRIMARY KEY"
            " REFERENCES sentences(id) ON DELETE CASCADE, vectors BLOB NOT NULL)",
        ),
    ),
    3: (
        "documents say how their text was read; the chat's votes on its answers",
        ("ALTER TABLE documents ADD COLUMN read_by TEXT", FEEDBACK_TABLE),
    ),
}

SCHEMA = (
    """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE documents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    content_hash TEXT NOT NULL UNIQUE,
    title TEXT,
    language TEXT,
    source TEXT,
    added_at TEXT NOT NULL,
    text TEXT NOT NULL,
    published TEXT,
    author TEXT,
    read_by TEXT
);
CREATE TABLE sentences (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    paragraph INTEGER NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    text TEXT NOT NULL,
    vector BLOB NOT NULL,
    UNIQUE (document_id, position)
);
-- Content-token vectors of a sentence (index/library/tokens.py, int8). Derived data: a sentence
-- without them (added before format 3, or salvaged) has them computed when it is ranked.
CREATE TABLE tokens (
    sentence_id INTEGER PRIMARY KEY REFERENCES sentences(id) ON DELETE CASCADE,
    vectors BLOB NOT NULL
);
"""
    + FEEDBACK_TABLE
    + ";\n"
)

DOCUMENT_COLUMNS = ("id", "content_hash", "title", "language", "source", "added_at", "text")
SENTENCE_COLUMNS = ("id", "document_id", "position", "paragraph", "start", "end", "text", "vector")
SELECT_DOCUMENTS = (
    "SELECT d.id, d.title, d.language, d.source, d.added_at,"
    " (SELECT count(*) FROM sentences s WHERE s.document_id = d.id), length(d.text),"
    " (SELECT coalesce(max(paragraph) + 1, 0) FROM sentences s WHERE s.document_id = d.id),"
    " d.published, d.author, d.read_by"
    " FROM documents d"
)
SELECT_SENTENCES = "SELECT id, document_id, position, paragraph, start, end, text FROM sentences"


def connect(db_path: Path) -> sqlite3.Connection:
    """Open the database, upgrading an older format in place; refuses a newer one."""
    try:
        db = sqlite3.connect(db_path, check_same_thread=False)
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA synchronous = FULL")
        schema = int(read_meta(db, "schema"))
        if schema < SCHEMA_VERSION:
            schema = migrate(db, db_path.parent)
    except (sqlite3.DatabaseError, ValueError) as exc:
        raise corrupt(db_path.parent, exc) from exc
    if schema != SCHEMA_VERSION:
        db.close()
        raise LibraryError(
            f"The library at {db_path.parent} has format {schema}; this Sanad reads format {SCHEMA_VERSION}."
            " Upgrade Sanad, or add the articles to a new library (set SANAD_DATA)."
        )
    return db


def check_database(db: sqlite3.Connection, db_path: Path) -> None:
    """Find damage when the library opens rather than in the middle of an answer: a file shorter than
    its header says (truncated) always, every page (SQLite's quick_check) while that is quick."""
    try:
        page_size, pages = (
            int(db.execute(f"PRAGMA {name}").fetchone()[0]) for name in ("page_size", "page_count")
        )
        if db_path.stat().st_size < page_size * pages:
            raise sqlite3.DatabaseError(f"the file is shorter than its {pages} pages: truncated")
        if db_path.stat().st_size <= QUICK_CHECK_BYTES:
            problem = db.execute("PRAGMA quick_check(1)").fetchone()[0]
            if problem != "ok":
                raise sqlite3.DatabaseError(problem)
    except sqlite3.DatabaseError as exc:
        db.close()
        raise corrupt(db_path.parent, exc) from exc


def migrate(db: sqlite3.Connection, path: Path) -> int:
    """Bring an older library up to this format; a crash rolls a step back, never half-applies it."""
    with write_lock(path):
        schema = int(read_meta(db, "schema"))  # another process may have migrated meanwhile
        while schema in MIGRATIONS:
            name, statements = MIGRATIONS[schema]
            db.execute("BEGIN")
            try:
                for statement in statements:
                    db.execute(statement)
                db.execute("UPDATE meta SET value = ? WHERE key = 'schema'", (str(schema + 1),))
                db.commit()
            except BaseException:
                db.rollback()
                raise
            log.info("library %s upgraded to format %d: %s", path, schema + 1, name)
            schema += 1
    return schema


def write_lock(path: Path) -> AbstractContextManager[None]:
    """The lock writers of the library at `path` take turns by, across processes."""
    return file_lock(path / LOCK_NAME)


def read_meta(db: sqlite3.Connection, key: str) -> str:
    row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    if row is None:
        raise sqlite3.DatabaseError(f"meta key {key!r} is missing")
    return str(row[0])


def write_meta(db: sqlite3.Connection, values: dict[str, str]) -> None:
    """Set meta keys inside the caller's transaction."""
    db.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", list(values.items()))


def insert_sql(table: str, columns: Sequence[str]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def corrupt(path: Path, exc: Exception) -> DamagedDatabaseError:
    """The one-line error for a database SQLite cannot read, naming the command that saves it."""
    detail = " ".join(str(exc).split())
    return DamagedDatabaseError(
        f"The library database {path / DB_NAME} is damaged ({detail}). Run sanad repair: it keeps the"
        " damaged file aside and saves what can still be read."
    )
