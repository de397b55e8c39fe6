"""Saving what a damaged library database still holds.

`sanad repair` first rebuilds the vector index from SQLite (index/library/vectors.py); when SQLite
itself cannot be read, `salvage` copies every document that can still be read whole, with all its
sentences and vectors, into a new database that replaces the damaged one in one rename.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from index.errors import LibraryError
from index.files import fsync_dir
from index.library.schema import (
    DB_NAME,
    DOCUMENT_COLUMNS,
    SCHEMA,
    SCHEMA_VERSION,
    SENTENCE_COLUMNS,
    insert_sql,
    write_lock,
)

_SIDE_FILES = ("", "-journal", "-wal")  # a hot journal must not be replayed into the new file


@dataclass(frozen=True, slots=True)
class Salvage:
    """What `Library.salvage_at` saved from a damaged database, and where the damaged file went."""

    documents: int
    sentences: int
    kept_as: Path
    replaced: bool  # False: nothing was readable, the damaged database was only moved aside

    @property
    def summary(self) -> str:
        if not self.documents:
            return (
                f"no article could be read from the damaged database, which is kept as {self.kept_as.name}."
                " Add your articles again: sanad add FILE"
            )
        return (
            f"saved {self.documents} articles ({self.sentences} sentences) from the damaged database,"
            f" which is kept as {self.kept_as.name}; the vector index was rebuilt."
        )


def replace_damaged(path: Path) -> tuple[Path, bool]:
    """Copy the damaged database of the library at `path` aside (`library.sqlite.damaged-<time>`) and
    replace it with what can still be read; where it went, and whether anything was readable.

    A crash at any point leaves either the damaged database (run this again) or the saved one. When
    nothing is readable, the damaged file is only removed (its copy stays)."""
    db_path = path / DB_NAME
    if not db_path.exists():
        raise LibraryError(f"No library at {path}. Add an article first: sanad add FILE")
    with write_lock(path):
        kept_as = path / f"{DB_NAME}.damaged-{datetime.now(UTC):%Y%m%dT%H%M%S}"
        for suffix in _SIDE_FILES:
            if (damaged := path / f"{DB_NAME}{suffix}").exists():
                shutil.copy2(damaged, kept_as.with_name(kept_as.name + suffix))
        saved = salvage(db_path, path / f".{DB_NAME}.salvage")
        if saved is None:
            for suffix in _SIDE_FILES:
                (path / f"{DB_NAME}{suffix}").unlink(missing_ok=True)
            return kept_as, False
        for suffix in _SIDE_FILES[1:]:
            (path / f"{DB_NAME}{suffix}").unlink(missing_ok=True)
        saved.replace(db_path)
        fsync_dir(path)
    return kept_as, True


def salvage(damaged: Path, target: Path) -> Path | None:
    """Copy the readable documents (with all their sentences) of `damaged` into a new database file
    `target`; None when not even the model it was embedded with can be read."""
    readable = _readable_copy(damaged, target.with_name(target.name + ".reading"))
    try:
        source = sqlite3.connect(f"{readable.as_uri()}?mode=ro", uri=True)
    except sqlite3.DatabaseError:
        readable.unlink()
        return None
    try:
        try:
            meta = dict(source.execute("SELECT key, value FROM meta").fetchall())
            dim = int(meta["dim"])
            if not {"model", "fingerprint", "probe"} <= meta.keys():
                return None
        except (sqlite3.DatabaseError, KeyError, ValueError):
            return None
        documents = {row[0]: row for row in _readable_rows(source, "documents", DOCUMENT_COLUMNS)[0]}
        rows, edges = _readable_rows(source, "sentences", SENTENCE_COLUMNS)
    finally:
        source.close()
        readable.unlink()
    # A document's sentences have consecutive ids, so one beside a damaged stretch may have lost some.
    suspects = {row[1] for row in rows if row[0] in edges}
    sentences: dict[int, list[tuple]] = {}
    for row in rows:
        sentences.setdefault(row[1], []).append(row)
    complete = []
    for document_id, document in documents.items():
        mine = sorted(sentences.get(document_id, []), key=lambda row: row[2])
        text = document[6]
        whole = [row for row in mine if text[row[4] : row[5]] == row[6] and len(row[7]) == 4 * dim]
        if document_id not in suspects and mine and len(whole) == len(mine) == mine[-1][2] + 1:
            complete.append((document, whole))
    target.unlink(missing_ok=True)
    db = sqlite3.connect(target)
    try:
        db.executescript(SCHEMA)
        with db:
            db.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", [*meta.items()])
            db.execute("UPDATE meta SET value = '0' WHERE key = 'generation'")
            # The new file has this version's tables whatever version the damaged one had.
            db.execute("UPDATE meta SET value = ? WHERE key = 'schema'", (str(SCHEMA_VERSION),))
            db.execute("DELETE FROM meta WHERE key IN ('index', 'index_file')")
            for document, rows in complete:
                db.execute(insert_sql("documents", DOCUMENT_COLUMNS), document)
                db.executemany(insert_sql("sentences", SENTENCE_COLUMNS), rows)
    finally:
        db.close()
    with open(target, "rb+") as handle:
        os.fsync(handle.fileno())
    return target


def _readable_copy(damaged: Path, copy: Path) -> Path:
    """A copy of a damaged database that SQLite will read. SQLite refuses a file shorter than its
    header says, so a truncated copy is padded back to that size: only the lost pages read as damaged."""
    shutil.copyfile(damaged, copy)
    with open(copy, "rb+") as handle:
        header = handle.read(100)
        if len(header) == 100 and header.startswith(b"SQLite format 3\0"):
            page_size = int.from_bytes(header[16:18], "big")
            size = (65536 if page_size == 1 else page_size) * int.from_bytes(header[28:32], "big")
            if copy.stat().st_size < size:
                handle.truncate(size)
    return copy


def _readable_rows(
    db: sqlite3.Connection, table: str, columns: Sequence[str]
) -> tuple[list[tuple], set[int]]:
    """The rows of `table` that can still be read, in id order, and the ids of the rows read just
    before and just after each damaged stretch. A damaged page ends a scan, which then goes on past it,
    jumping further after each failure (bounded)."""
    rows: list[tuple] = []
    edges: set[int] = set()
    last, failures, after_damage = 0, 0, False
    query = f"SELECT {', '.join(columns)} FROM {table} WHERE id > ? ORDER BY id"
    while failures < 40:
        try:
            for row in db.execute(query, (last,)):
                if after_damage:
                    edges.add(row[0])
                    after_damage = False
                last = row[0]
                rows.append(row)
            break
        except sqlite3.DatabaseError:
            failures += 1
            edges.add(last)
            last += 2**failures
            after_damage = True
    return rows, edges
