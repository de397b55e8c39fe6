"""The library on disk: sentences and documents in SQLite, their vectors in a FAISS index.

This is the only module that imports faiss.

Layout of a library directory:

    library.sqlite         documents, sentences (text, exact span, vector), meta (model, generation)
    vectors-<gen>.faiss    inner-product index over the sentence vectors, keyed by sentence id
    .lock                  held while writing, so writers in several processes take turns

SQLite is the source of truth and its commit is the commit point of every change. A change first
writes the next generation's FAISS file (temp file, fsync, rename), then commits the rows and the new
generation number in one transaction, then deletes the old file. A crash at any step leaves a
generation number that names a complete FAISS file, so the library opens as it was before or after.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import sqlite3
import threading
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import faiss
import numpy as np

from index.atomic import atomic_write_bytes
from index.errors import CorruptLibraryError, InputError, LibraryError, ModelMismatchError
from index.model import ModelInfo

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2
DB_NAME = "library.sqlite"
# Below this cosine between the stored and the loaded model's probe vectors, the models differ.
PROBE_AGREEMENT = 0.98

# Embeds a batch of sentence texts: the encoder's `encode_passages`.
VectorSource = Callable[[list[str]], np.ndarray]

# Migration N takes a library from format N to N + 1; it runs in one transaction under the write lock.
_MIGRATIONS = {
    1: ("ALTER TABLE documents ADD COLUMN published TEXT", "ALTER TABLE documents ADD COLUMN author TEXT"),
}

_SCHEMA = """
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
    author TEXT
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
"""


@dataclass(frozen=True, slots=True)
class NewSentence:
    """A sentence to store: its exact span in the document text and where it stands."""

    start: int
    end: int
    paragraph: int
    position: int
    text: str


@dataclass(frozen=True, slots=True)
class NewDocument:
    """A document to add: its full text, metadata and the sentences cut from it."""

    text: str
    title: str | None
    language: str | None
    source: str | None
    sentences: Sequence[NewSentence]
    published: str | None = None  # the article's date, as the page gives it (ISO when known)
    author: str | None = None


@dataclass(frozen=True, slots=True)
class Document:
    """A stored document."""

    id: int
    title: str | None
    language: str | None
    source: str | None
    added_at: str
    sentence_count: int
    characters: int
    paragraph_count: int
    published: str | None = None
    author: str | None = None

    @property
    def label(self) -> str:
        return self.title or self.source or f"document {self.id}"


@dataclass(frozen=True, slots=True)
class StoredSentence:
    """A stored sentence; `text` is exactly the document text from `start` to `end`."""

    id: int
    document_id: int
    position: int
    paragraph: int
    start: int
    end: int
    text: str


def content_hash(text: str) -> str:
    """Hash that ignores what pasting changes (Unicode form, line endings, runs of spaces)."""
    canonical = " ".join(unicodedata.normalize("NFC", text).split())
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class Library:
    """A directory of documents searchable by sentence vectors. Thread-safe."""

    def __init__(self, path: Path, db: sqlite3.Connection, model: ModelInfo, *, load: bool = True) -> None:
        self.path = path
        self.model = model
        self._db = db
        self._lock = threading.RLock()
        self._generation = int(_read_meta(db, "generation"))
        self._index: faiss.Index = _empty_index(model.dim)
        if load:
            self._load_index()

    # ---------------------------------------------------------------- opening

    @classmethod
    def open(cls, path: Path, model: ModelInfo, probe: np.ndarray, *, create: bool = True) -> Library:
        """Open the library at `path` for `model`, creating it when absent and `create` is set."""
        db_path = path / DB_NAME
        if not db_path.exists():
            if not create:
                raise LibraryError(f"No library at {path}. Add an article first: sanad add FILE")
            path.mkdir(parents=True, exist_ok=True)
            with _write_lock(path):
                if not db_path.exists():
                    _create(path, model, probe)
        db = _connect(db_path)
        try:
            stored = _read_model(db, path)
            _check_model(db, path, stored, model, probe)
            return cls(path, db, stored)
        except BaseException:
            db.close()
            raise

    @classmethod
    def repair_at(cls, path: Path) -> int:
        """Rebuild the vector index of the library at `path`, even when it cannot be opened."""
        with cls._unchecked(path) as library:
            return library.repair()

    @classmethod
    def rebuild_at(cls, path: Path, model: ModelInfo, probe: np.ndarray, vectors_for: VectorSource) -> int:
        """Re-embed the library at `path` with another model."""
        with cls._unchecked(path) as library:
            return library.replace_vectors(model, probe, vectors_for)

    @classmethod
    def _unchecked(cls, path: Path) -> Library:
        """The library without loading its vector index or checking its model: for repairs."""
        if not (path / DB_NAME).exists():
            raise LibraryError(f"No library at {path}. Add an article first: sanad add FILE")
        db = _connect(path / DB_NAME)
        try:
            return cls(path, db, _read_model(db, path), load=False)
        except BaseException:
            db.close()
            raise

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---------------------------------------------------------------- reading

    def documents(self) -> list[Document]:
        """All documents, oldest first."""
        rows = self._query(f"{_SELECT_DOCUMENTS} ORDER BY d.id")
        return [_document(row) for row in rows]

    def document(self, document_id: int) -> Document | None:
        rows = self._query(f"{_SELECT_DOCUMENTS} WHERE d.id = ?", (document_id,))
        return _document(rows[0]) if rows else None

    def sentence_count(self) -> int:
        return int(self._query("SELECT count(*) FROM sentences")[0][0])

    def sentences(self, ids: Sequence[int]) -> dict[int, StoredSentence]:
        """The stored sentences with these ids (missing ids are left out)."""
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self._query(
            "SELECT id, document_id, position, paragraph, start, end, text FROM sentences"
            f" WHERE id IN ({marks})",
            tuple(int(i) for i in ids),
        )
        return {row[0]: StoredSentence(*row) for row in rows}

    def neighbours(self, sentence: StoredSentence, *, before: int, after: int) -> list[StoredSentence]:
        """The sentences around `sentence` in its document, in order, itself included."""
        rows = self._query(
            "SELECT id, document_id, position, paragraph, start, end, text FROM sentences"
            " WHERE document_id = ? AND position BETWEEN ? AND ? ORDER BY position",
            (sentence.document_id, sentence.position - before, sentence.position + after),
        )
        return [StoredSentence(*row) for row in rows]

    def search(self, queries: np.ndarray, k: int) -> list[list[tuple[int, float]]]:
        """For each query vector, up to `k` (sentence id, inner product) pairs, best first."""
        queries = np.ascontiguousarray(queries, dtype=np.float32).reshape(-1, self.model.dim)
        with self._lock:
            self._refresh()
            if self._index.ntotal == 0:
                return [[] for _ in range(len(queries))]
            scores, ids = self._index.search(queries, min(k, self._index.ntotal))
        return [
            [(int(i), float(s)) for i, s in zip(row_ids, row_scores, strict=True) if i >= 0]
            for row_ids, row_scores in zip(ids, scores, strict=True)
        ]

    def vectors(self, ids: Sequence[int]) -> np.ndarray:
        """Stored vectors for `ids`, in that order."""
        found = self.sentences(ids)
        missing = [i for i in ids if i not in found]
        if missing:
            raise LibraryError(f"Sentences {missing[:5]} are not in the library.")
        marks = ",".join("?" * len(ids))
        rows = dict(self._query(f"SELECT id, vector FROM sentences WHERE id IN ({marks})", tuple(ids)))
        return np.stack([np.frombuffer(rows[i], dtype=np.float32) for i in ids])

    # ---------------------------------------------------------------- writing

    def add(self, document: NewDocument, vectors: np.ndarray) -> tuple[Document, bool]:
        """Store `document` with one vector per sentence; returns it and whether it was new.

        The same content added twice is stored once: the second add returns the first document.
        """
        if not document.sentences:
            raise InputError("The text has no sentences to add. Send an article with full sentences.")
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.shape != (len(document.sentences), self.model.dim):
            raise LibraryError(
                f"Expected {len(document.sentences)} vectors of size {self.model.dim}, got {vectors.shape}."
            )
        digest = content_hash(document.text)
        with self._writing():
            existing = self._query("SELECT id FROM documents WHERE content_hash = ?", (digest,))
            if existing:
                found = self.document(existing[0][0])
                assert found is not None
                return found, False
            with self._db:
                cursor = self._db.execute(
                    "INSERT INTO documents"
                    " (content_hash, title, language, source, added_at, text, published, author)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        digest,
                        document.title,
                        document.language,
                        document.source,
                        _now(),
                        document.text,
                        document.published,
                        document.author,
                    ),
                )
                document_id = int(cursor.lastrowid or 0)
                ids = []
                for sentence, vector in zip(document.sentences, vectors, strict=True):
                    if document.text[sentence.start : sentence.end] != sentence.text:
                        raise InputError("A sentence is not an exact part of its document text.")
                    cursor = self._db.execute(
                        "INSERT INTO sentences (document_id, position, paragraph, start, end, text, vector)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (
                            document_id,
                            sentence.position,
                            sentence.paragraph,
                            sentence.start,
                            sentence.end,
                            sentence.text,
                            vector.tobytes(),
                        ),
                    )
                    ids.append(int(cursor.lastrowid or 0))
                index = faiss.clone_index(self._index)
                index.add_with_ids(vectors, np.asarray(ids, dtype=np.int64))
                self._commit_index(index)
        added = self.document(document_id)
        assert added is not None
        log.info("added document %d (%s): %d sentences", document_id, added.label, len(ids))
        return added, True

    def remove(self, document_id: int) -> bool:
        """Delete a document, its sentences and their vectors; False when it was not there."""
        with self._writing():
            ids = [
                row[0]
                for row in self._query("SELECT id FROM sentences WHERE document_id = ?", (document_id,))
            ]
            with self._db:
                deleted = self._db.execute("DELETE FROM documents WHERE id = ?", (document_id,)).rowcount
                if not deleted:
                    return False
                index = faiss.clone_index(self._index)
                index.remove_ids(np.asarray(ids, dtype=np.int64))
                self._commit_index(index)
        return True

    def repair(self) -> int:
        """Rebuild the FAISS index from the vectors stored in SQLite; returns the sentence count."""
        with self._writing(refresh=False):
            problems = self._query("PRAGMA quick_check")
            if problems[0][0] != "ok":
                raise CorruptLibraryError(
                    f"{self.path / DB_NAME} is damaged ({problems[0][0]}). Restore it from a backup, or"
                    " delete the library directory and add the articles again."
                )
            index = _empty_index(self.model.dim)
            for ids, vectors in self._stored_vectors():
                index.add_with_ids(vectors, ids)
            with self._db:
                self._commit_index(index)
        return int(self._index.ntotal)

    def replace_vectors(self, model: ModelInfo, probe: np.ndarray, vectors_for: VectorSource) -> int:
        """Re-embed every stored sentence with `model` (after a model change); returns the count."""
        with self._writing(refresh=False):
            index = _empty_index(model.dim)
            rows = self._query("SELECT id, text FROM sentences ORDER BY id")
            with self._db:
                for start in range(0, len(rows), 256):
                    chunk = rows[start : start + 256]
                    ids = np.asarray([row[0] for row in chunk], dtype=np.int64)
                    vectors = np.ascontiguousarray(vectors_for([row[1] for row in chunk]), dtype=np.float32)
                    self._db.executemany(
                        "UPDATE sentences SET vector = ? WHERE id = ?",
                        [(v.tobytes(), int(i)) for v, i in zip(vectors, ids, strict=True)],
                    )
                    index.add_with_ids(vectors, ids)
                _write_model(self._db, model, probe)
                self.model = model
                self._commit_index(index)
        return int(self._index.ntotal)

    # ---------------------------------------------------------------- internals

    def _query(self, sql: str, params: tuple[object, ...] = ()) -> list[tuple]:
        with self._lock:
            try:
                return self._db.execute(sql, params).fetchall()
            except sqlite3.DatabaseError as exc:
                raise _corrupt(self.path, exc) from exc

    @contextlib.contextmanager
    def _writing(self, *, refresh: bool = True) -> Iterator[None]:
        with self._lock, _write_lock(self.path):
            self._remove_leftovers()
            if refresh:
                self._refresh()
            try:
                yield
            except sqlite3.DatabaseError as exc:
                raise _corrupt(self.path, exc) from exc

    def _stored_vectors(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        cursor = self._db.execute("SELECT id, vector FROM sentences ORDER BY id")
        while rows := cursor.fetchmany(4096):
            ids = np.asarray([row[0] for row in rows], dtype=np.int64)
            vectors = np.frombuffer(b"".join(row[1] for row in rows), dtype=np.float32)
            yield ids, vectors.reshape(len(rows), self.model.dim)

    def _commit_index(self, index: faiss.Index) -> None:
        """Write `index` as the next generation; the caller's transaction commits it."""
        generation = self._generation + 1
        atomic_write_bytes(self._index_path(generation), faiss.serialize_index(index).tobytes())
        self._db.execute("UPDATE meta SET value = ? WHERE key = 'generation'", (str(generation),))
        self._db.commit()
        self._index_path(self._generation).unlink(missing_ok=True)
        self._index, self._generation = index, generation

    def _refresh(self) -> None:
        """Reload the FAISS index when another process has committed a newer generation."""
        if _read_meta(self._db, "generation") != str(self._generation):
            self._load_index()

    def _load_index(self) -> None:
        with self._lock:
            for attempt in range(3):
                # One statement reads a consistent snapshot. Another process may still commit and delete
                # the file before it is opened, so a vanished file is looked up again.
                try:
                    generation, count = map(
                        int,
                        self._db.execute(
                            "SELECT (SELECT value FROM meta WHERE key = 'generation'),"
                            " (SELECT count(*) FROM sentences)"
                        ).fetchone(),
                    )
                except (sqlite3.DatabaseError, TypeError, ValueError) as exc:
                    raise _corrupt(self.path, exc) from exc
                path = self._index_path(generation)
                try:
                    index = faiss.deserialize_index(np.fromfile(path, dtype=np.uint8))
                    break
                except (OSError, RuntimeError) as exc:
                    if attempt == 2 or _read_meta(self._db, "generation") == str(generation):
                        raise CorruptLibraryError(
                            f"The vector index {path.name} in {self.path} is missing or damaged."
                            " Rebuild it from the stored sentences: sanad repair"
                        ) from exc
            if index.ntotal != count or index.d != self.model.dim:
                raise CorruptLibraryError(
                    f"The vector index in {self.path} holds {index.ntotal} vectors for {count} sentences."
                    " Rebuild it from the stored sentences: sanad repair"
                )
            self._index, self._generation = index, generation

    def _remove_leftovers(self) -> None:
        """Delete files a crashed writer left behind; only safe while holding the write lock."""
        keep = self._index_path(int(_read_meta(self._db, "generation"))).name
        for stale in [*self.path.glob("vectors-*.faiss"), *self.path.glob(".*.tmp")]:
            if stale.name != keep:
                with contextlib.suppress(OSError):
                    stale.unlink()

    def _index_path(self, generation: int) -> Path:
        return self.path / f"vectors-{generation:06d}.faiss"


def _empty_index(dim: int) -> faiss.Index:
    return faiss.IndexIDMap2(faiss.IndexFlatIP(dim))


def _create(path: Path, model: ModelInfo, probe: np.ndarray) -> None:
    tmp = path / f".{DB_NAME}.creating"
    tmp.unlink(missing_ok=True)
    db = sqlite3.connect(tmp)
    try:
        db.executescript(_SCHEMA)
        with db:
            db.executemany(
                "INSERT INTO meta (key, value) VALUES (?, ?)",
                [("schema", str(SCHEMA_VERSION)), ("generation", "0"), ("created_at", _now())],
            )
            _write_model(db, model, probe)
        atomic_write_bytes(path / "vectors-000000.faiss", faiss.serialize_index(_empty_index(model.dim)))
    finally:
        db.close()
    tmp.replace(path / DB_NAME)


def _connect(db_path: Path) -> sqlite3.Connection:
    try:
        db = sqlite3.connect(db_path, check_same_thread=False)
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA synchronous = FULL")
        schema = int(_read_meta(db, "schema"))
        if schema < SCHEMA_VERSION:
            schema = _migrate(db, db_path.parent)
    except (sqlite3.DatabaseError, ValueError) as exc:
        raise _corrupt(db_path.parent, exc) from exc
    if schema != SCHEMA_VERSION:
        db.close()
        raise LibraryError(
            f"The library at {db_path.parent} has format {schema}; this Sanad reads format {SCHEMA_VERSION}."
            " Upgrade Sanad, or add the articles to a new library (set SANAD_DATA)."
        )
    return db


def _migrate(db: sqlite3.Connection, path: Path) -> int:
    """Bring an older library up to this format; a crash rolls a step back, never half-applies it."""
    with _write_lock(path):
        schema = int(_read_meta(db, "schema"))  # another process may have migrated meanwhile
        while schema in _MIGRATIONS:
            db.execute("BEGIN")
            try:
                for statement in _MIGRATIONS[schema]:
                    db.execute(statement)
                db.execute("UPDATE meta SET value = ? WHERE key = 'schema'", (str(schema + 1),))
                db.commit()
            except BaseException:
                db.rollback()
                raise
            log.info("library %s upgraded to format %d", path, schema + 1)
            schema += 1
    return schema


def _read_meta(db: sqlite3.Connection, key: str) -> str:
    row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    if row is None:
        raise sqlite3.DatabaseError(f"meta key {key!r} is missing")
    return str(row[0])


def _write_model(db: sqlite3.Connection, model: ModelInfo, probe: np.ndarray) -> None:
    values = {
        "model": model.name,
        "fingerprint": model.fingerprint,
        "dim": str(model.dim),
        "probe": json.dumps([round(float(x), 6) for x in probe]),
    }
    db.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", list(values.items()))


def _read_model(db: sqlite3.Connection, path: Path) -> ModelInfo:
    try:
        return ModelInfo(
            name=_read_meta(db, "model"),
            fingerprint=_read_meta(db, "fingerprint"),
            dim=int(_read_meta(db, "dim")),
        )
    except (sqlite3.DatabaseError, ValueError) as exc:
        raise _corrupt(path, exc) from exc


def _check_model(
    db: sqlite3.Connection, path: Path, stored: ModelInfo, loaded: ModelInfo, probe: np.ndarray
) -> None:
    """Refuse a model whose vectors would not be comparable with the stored ones."""
    if stored.fingerprint == loaded.fingerprint and stored.dim == loaded.dim:
        return
    same = False
    if stored.dim == loaded.dim:
        stored_probe = np.asarray(json.loads(_read_meta(db, "probe")), dtype=np.float32)
        same = float(stored_probe @ probe) >= PROBE_AGREEMENT
    if not same:
        raise ModelMismatchError(
            f"The library at {path} was embedded with {stored.name} ({stored.dim}-d, fingerprint"
            f" {stored.fingerprint}), but {loaded.name} ({loaded.dim}-d, fingerprint {loaded.fingerprint})"
            f" is loaded. Re-embed the library with the loaded model: sanad rebuild"
            f" (or set SANAD_MODEL={stored.name})."
        )


_SELECT_DOCUMENTS = (
    "SELECT d.id, d.title, d.language, d.source, d.added_at,"
    " (SELECT count(*) FROM sentences s WHERE s.document_id = d.id), length(d.text),"
    " (SELECT coalesce(max(paragraph) + 1, 0) FROM sentences s WHERE s.document_id = d.id),"
    " d.published, d.author"
    " FROM documents d"
)


def _document(row: tuple) -> Document:
    return Document(*row)


def _corrupt(path: Path, exc: Exception) -> CorruptLibraryError:
    return CorruptLibraryError(
        f"The library database in {path} cannot be read ({exc}). Run sanad repair; if that fails,"
        " delete the directory and add the articles again."
    )


@contextlib.contextmanager
def _write_lock(path: Path) -> Iterator[None]:
    with open(path / ".lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
