"""The library on disk: sentences and documents in SQLite, their vectors in a FAISS index.

This is the only module that imports faiss.

Layout of a library directory:

    library.sqlite         documents, sentences (text, exact span, vector), their content-token
                           vectors (int8, for reranking), meta (model, backends, generation, the
                           index plan and the index file's size and CRC-32)
    vectors-<gen>.faiss    inner-product index over the sentence vectors, keyed by sentence id: exact
                           while the library is small, IVF beyond (see index/ann.py)
    .lock                  held while writing, so writers in several processes take turns

SQLite is the source of truth and its commit is the commit point of every change. A change first
writes the next generation's FAISS file (temp file, fsync, rename), then commits the rows and the new
generation number in one transaction, then deletes the old file. A crash at any step leaves a
generation number that names a complete FAISS file, so the library opens as it was before or after.

The meta table records the model (name, fingerprint, dimension, the vector of a probe text) and every
backend that embedded stored sentences ("torch", "onnx-fp32", "onnx-int8"), first the one that created
or last rebuilt the library. One model's backends agree closely enough to share a library: another
backend is accepted when its probe vector agrees with the stored one (PROBE_AGREEMENT), a model with
other files only when it embeds the probe all but identically (SAME_VECTORS), and another model is
refused.
The FAISS file is derived data: `repair` rebuilds it from the vectors in SQLite, and a file whose size
or checksum disagrees with the meta row is reported as damaged when the library opens.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import shutil
import sqlite3
import threading
import unicodedata
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import faiss
import numpy as np

from index.ann import DEFAULT_POLICY, FLAT, IndexPlan, IndexPolicy
from index.atomic import atomic_write_with, fsync_dir
from index.errors import (
    CorruptLibraryError,
    DamagedDatabaseError,
    InputError,
    LibraryError,
    ModelMismatchError,
)
from index.late import pack, unpack_many
from index.model import Embedded, ModelInfo

log = logging.getLogger(__name__)

SCHEMA_VERSION = 3
DB_NAME = "library.sqlite"
# Searches for fewer query vectors than this run on one thread (faiss itself switches to BLAS at 20).
FEW_QUERIES = 20
# Databases up to this size are checked page by page whenever a library opens (about 0.1 s per 100 MB).
QUICK_CHECK_BYTES = 256 * 2**20
# Below this cosine between the stored and the loaded model's probe vectors, the models differ.
PROBE_AGREEMENT = 0.98
# A model with other files (another fingerprint) must embed the probe all but identically: a
# fine-tuned model can agree above PROBE_AGREEMENT and still rank differently.
SAME_VECTORS = 0.9999

# Embeds a batch of sentence texts: the encoder's `embed_passages` (or `encode_passages`: no tokens).
VectorSource = Callable[[list[str]], np.ndarray | Embedded]

# Migration N takes a library from format N to N + 1; it runs in one transaction under the write lock.
_MIGRATIONS = {
    1: ("ALTER TABLE documents ADD COLUMN published TEXT", "ALTER TABLE documents ADD COLUMN author TEXT"),
    2: (
        "CREATE TABLE tokens (sentence_id INTEGER PRIMARY KEY"
        " REFERENCES sentences(id) ON DELETE CASCADE, vectors BLOB NOT NULL)",
    ),
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
-- Content-token vectors of a sentence (index/late.py, int8). Derived data: a sentence without them
-- (added before format 3, or salvaged) has them computed when it is ranked.
CREATE TABLE tokens (
    sentence_id INTEGER PRIMARY KEY REFERENCES sentences(id) ON DELETE CASCADE,
    vectors BLOB NOT NULL
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


def content_hash(text: str) -> str:
    """Hash that ignores what pasting changes (Unicode form, line endings, runs of spaces)."""
    canonical = " ".join(unicodedata.normalize("NFC", text).split())
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class Library:
    """A directory of documents searchable by sentence vectors. Thread-safe."""

    def __init__(
        self,
        path: Path,
        db: sqlite3.Connection,
        model: ModelInfo,
        *,
        load: bool = True,
        backend: str | None = None,
        policy: IndexPolicy = DEFAULT_POLICY,
    ) -> None:
        self.path = path
        self.model = model
        # The backend embedding what this handle adds (None: it adds nothing, as for repairs).
        self.backend = backend
        self.policy = policy
        self._db = db
        self._lock = threading.RLock()
        self._generation = int(_read_meta(db, "generation"))
        self._index: faiss.Index = _flat_index(model.dim)
        self._plan = FLAT
        if load:
            self._load_index()

    # ---------------------------------------------------------------- opening

    @classmethod
    def open(
        cls,
        path: Path,
        model: ModelInfo,
        probe: np.ndarray,
        *,
        create: bool = True,
        policy: IndexPolicy = DEFAULT_POLICY,
    ) -> Library:
        """Open the library at `path` for `model`, creating it when absent and `create` is set.

        `policy` decides the vector index's kind by the library's size (index/ann.py).
        """
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
            _check_database(db, db_path)
            stored = _read_model(db, path)
            _check_model(db, path, stored, model, probe)
            return cls(path, db, stored, backend=model.backend, policy=policy)
        except BaseException:
            db.close()
            raise

    @classmethod
    def check_at(cls, path: Path) -> None:
        """Raise what `open` would raise for a damaged library, without the model: a quick look at
        start-up, before the slow model load. The database is checked as `open` checks it; the vector
        index file must exist and have the size recorded for it (its checksum is left to `open`)."""
        db_path = path / DB_NAME
        if not db_path.exists():
            return
        db = _connect(db_path)
        try:
            _check_database(db, db_path)
            generation = int(_read_meta(db, "generation"))
            identity = db.execute("SELECT value FROM meta WHERE key = 'index_file'").fetchone()
        except (sqlite3.DatabaseError, ValueError) as exc:
            raise _corrupt(path, exc) from exc
        finally:
            db.close()
        index_path = path / f"vectors-{generation:06d}.faiss"
        try:
            if not index_path.exists():
                raise FileNotFoundError(index_path)
            recorded = json.loads(identity[0])["bytes"] if identity else index_path.stat().st_size
            if index_path.stat().st_size != recorded:
                raise _DamagedFile(f"{index_path.stat().st_size:,} bytes instead of {recorded:,}")
        except (OSError, _DamagedFile) as exc:
            raise _index_error(path, index_path, exc) from exc

    @classmethod
    def repair_at(cls, path: Path, *, policy: IndexPolicy = DEFAULT_POLICY) -> int:
        """Rebuild the vector index of the library at `path`, even when it cannot be opened."""
        with cls._unchecked(path, policy) as library:
            return library.repair()

    @classmethod
    def salvage_at(cls, path: Path, *, policy: IndexPolicy = DEFAULT_POLICY) -> Salvage:
        """Save what can still be read from a damaged database into a new one, and rebuild the index.

        The damaged file is copied aside first (`library.sqlite.damaged-<time>`), then the new database
        replaces it in one rename: a crash at any point leaves either the damaged database (run this
        again) or the saved one. A document is kept only with all of its sentences and vectors.
        """
        db_path = path / DB_NAME
        if not db_path.exists():
            raise LibraryError(f"No library at {path}. Add an article first: sanad add FILE")
        with _write_lock(path):
            kept_as = path / f"{DB_NAME}.damaged-{datetime.now(UTC):%Y%m%dT%H%M%S}"
            for suffix in ("", "-journal", "-wal"):  # a hot journal must not be replayed into the new file
                if (damaged := path / f"{DB_NAME}{suffix}").exists():
                    shutil.copy2(damaged, kept_as.with_name(kept_as.name + suffix))
            saved = _salvage(db_path, path / f".{DB_NAME}.salvage")
            if saved is None:
                for suffix in ("", "-journal", "-wal"):
                    (path / f"{DB_NAME}{suffix}").unlink(missing_ok=True)
                return Salvage(0, 0, kept_as, replaced=False)
            for suffix in ("-journal", "-wal"):
                (path / f"{DB_NAME}{suffix}").unlink(missing_ok=True)
            saved.replace(db_path)
            fsync_dir(path)
        sentences = cls.repair_at(path, policy=policy)
        with cls._unchecked(path, policy) as library:
            return Salvage(len(library.documents()), sentences, kept_as, replaced=True)

    @classmethod
    def rebuild_at(
        cls,
        path: Path,
        model: ModelInfo,
        probe: np.ndarray,
        vectors_for: VectorSource,
        *,
        policy: IndexPolicy = DEFAULT_POLICY,
    ) -> int:
        """Re-embed the library at `path` with another model."""
        with cls._unchecked(path, policy) as library:
            return library.replace_vectors(model, probe, vectors_for)

    @classmethod
    def _unchecked(cls, path: Path, policy: IndexPolicy) -> Library:
        """The library without loading its vector index or checking its model: for repairs."""
        if not (path / DB_NAME).exists():
            raise LibraryError(f"No library at {path}. Add an article first: sanad add FILE")
        db = _connect(path / DB_NAME)
        try:
            return cls(path, db, _read_model(db, path), load=False, policy=policy)
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

    @property
    def index_plan(self) -> IndexPlan:
        """The kind of vector index in use (exact or IVF) and its training."""
        return self._plan

    def index_file(self) -> Path:
        """The FAISS file of the current generation."""
        return self._index_path(self._generation)

    def documents(self) -> list[Document]:
        """All documents, oldest first."""
        rows = self._query(f"{_SELECT_DOCUMENTS} ORDER BY d.id")
        return [_document(row) for row in rows]

    def document(self, document_id: int) -> Document | None:
        rows = self._query(f"{_SELECT_DOCUMENTS} WHERE d.id = ?", (document_id,))
        return _document(rows[0]) if rows else None

    def backends(self) -> list[str]:
        """Every backend whose vectors the library holds, the one that created (or rebuilt) it first."""
        with self._lock:
            return _read_backends(self._db)

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

    def document_text(self, document_id: int, start: int, end: int) -> str:
        """Exactly the document's text from `start` to `end` (character offsets)."""
        rows = self._query(
            "SELECT substr(text, ?, ?) FROM documents WHERE id = ?", (start + 1, end - start, document_id)
        )
        if not rows:
            raise LibraryError(f"Document {document_id} is not in the library.")
        return str(rows[0][0])

    def document_sentences(self, document_id: int) -> list[StoredSentence]:
        """Every sentence of one document, in order."""
        rows = self._query(
            "SELECT id, document_id, position, paragraph, start, end, text FROM sentences"
            " WHERE document_id = ? ORDER BY position",
            (document_id,),
        )
        return [StoredSentence(*row) for row in rows]

    def neighbours(self, sentence: StoredSentence, *, before: int, after: int) -> list[StoredSentence]:
        """The sentences around `sentence` in its document, in order, itself included."""
        rows = self._query(
            "SELECT id, document_id, position, paragraph, start, end, text FROM sentences"
            " WHERE document_id = ? AND position BETWEEN ? AND ? ORDER BY position",
            (sentence.document_id, sentence.position - before, sentence.position + after),
        )
        return [StoredSentence(*row) for row in rows]

    def search(self, queries: np.ndarray, k: int) -> list[list[tuple[int, float]]]:
        """For each query vector, up to `k` (sentence id, inner product) pairs, best first.

        Exact while the library is small; beyond `policy.exact_limit` sentences an IVF index answers
        (recall@10 >= 0.95 against exact search, see index/ann.py).
        """
        queries = np.ascontiguousarray(queries, dtype=np.float32).reshape(-1, self.model.dim)
        with self._lock, _threads(1 if len(queries) < FEW_QUERIES else None):
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

    def token_vectors(self, ids: Sequence[int]) -> dict[int, np.ndarray]:
        """Stored content-token vectors (unit rows) for those of `ids` that have them."""
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self._query(
            f"SELECT sentence_id, vectors FROM tokens WHERE sentence_id IN ({marks})",
            tuple(int(i) for i in ids),
        )
        return dict(
            zip((int(i) for i, _ in rows), unpack_many([b for _, b in rows], self.model.dim), strict=True)
        )

    def _insert_tokens(self, ids: Iterable[int], tokens: Sequence[np.ndarray]) -> None:
        """Store sentences' content-token vectors (int8), inside the caller's transaction."""
        self._db.executemany(
            _insert_sql("tokens", ("sentence_id", "vectors")),
            [(int(i), pack(t)) for i, t in zip(ids, tokens, strict=True)],
        )

    # ---------------------------------------------------------------- writing

    def add(self, document: NewDocument, vectors: np.ndarray | Embedded) -> tuple[Document, bool]:
        """Store `document` with one vector per sentence (and its token vectors, when `vectors` is
        an `Embedded` that has them); returns it and whether it was new.

        The same content added twice is stored once: the second add returns the first document.
        """
        return self.add_many([(document, vectors)])[0]

    def add_many(
        self, items: Sequence[tuple[NewDocument, np.ndarray | Embedded]]
    ) -> list[tuple[Document, bool]]:
        """Store several documents in one write (one index file, one commit); for each, as `add`.

        Either all of them are stored or, when anything fails, none.
        """
        checked = [
            (document, self._checked_vectors(document, _vectors_of(vectors)), _tokens_of(vectors))
            for document, vectors in items
        ]
        results: list[tuple[int, bool]] = []
        with self._writing():
            new_ids: list[np.ndarray] = []
            new_vectors: list[np.ndarray] = []
            with self._db:
                for document, vectors, tokens in checked:
                    digest = content_hash(document.text)
                    existing = self._query("SELECT id FROM documents WHERE content_hash = ?", (digest,))
                    if existing:
                        results.append((int(existing[0][0]), False))
                        continue
                    document_id, ids = self._insert(document, vectors, digest)
                    if tokens is not None:
                        self._insert_tokens(ids, tokens)
                    results.append((document_id, True))
                    new_ids.append(ids)
                    new_vectors.append(vectors)
                if new_ids:
                    self._record_backend()
                    self._update_index(added=(np.concatenate(new_ids), np.concatenate(new_vectors)))
        documents = []
        for document_id, new in results:
            found = self.document(document_id)
            assert found is not None
            if new:
                log.info("added document %d (%s): %d sentences", found.id, found.label, found.sentence_count)
            documents.append((found, new))
        return documents

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
                self._update_index(removed=np.asarray(ids, dtype=np.int64))
        return True

    def repair(self) -> int:
        """Rebuild the FAISS index from the vectors stored in SQLite; returns the sentence count."""
        with self._writing(refresh=False):
            problems = self._query("PRAGMA quick_check")
            if problems[0][0] != "ok":
                raise _corrupt(self.path, sqlite3.DatabaseError(problems[0][0]))
            with self._db:
                plan = self.policy.plan(self._count_rows())
                self._commit_index(self._build_index(plan), plan)
        return int(self._index.ntotal)

    def replace_vectors(self, model: ModelInfo, probe: np.ndarray, vectors_for: VectorSource) -> int:
        """Re-embed every stored sentence with `model` (after a model change); returns the count."""
        with self._writing(refresh=False):
            rows = self._query("SELECT id, text FROM sentences ORDER BY id")
            with self._db:
                self._db.execute("DELETE FROM tokens")  # the old model's
                for start in range(0, len(rows), 256):
                    chunk = rows[start : start + 256]
                    embedded = vectors_for([row[1] for row in chunk])
                    vectors = np.ascontiguousarray(_vectors_of(embedded), dtype=np.float32)
                    ids = [int(row[0]) for row in chunk]
                    self._db.executemany(
                        "UPDATE sentences SET vector = ? WHERE id = ?",
                        [(v.tobytes(), i) for v, i in zip(vectors, ids, strict=True)],
                    )
                    if (tokens := _tokens_of(embedded)) is not None:
                        self._insert_tokens(ids, tokens)
                _write_model(self._db, model, probe)
                self.model = model
                plan = self.policy.plan(len(rows))
                self._commit_index(self._build_index(plan), plan)
        return int(self._index.ntotal)

    # ---------------------------------------------------------------- internals

    def _record_backend(self) -> None:
        """Add this handle's backend to the recorded ones; the caller's transaction commits it."""
        backends = _read_backends(self._db)
        if self.backend is not None and self.backend not in backends:
            self._db.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('backends', ?)",
                (json.dumps([*backends, self.backend]),),
            )

    def _query(self, sql: str, params: tuple[object, ...] = ()) -> list[tuple]:
        with self._lock:
            try:
                return self._db.execute(sql, params).fetchall()
            except sqlite3.DatabaseError as exc:
                raise _corrupt(self.path, exc) from exc

    def _count_rows(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM sentences").fetchone()[0])

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

    def _checked_vectors(self, document: NewDocument, vectors: np.ndarray) -> np.ndarray:
        if not document.sentences:
            raise InputError("The text has no sentences to add. Send an article with full sentences.")
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.shape != (len(document.sentences), self.model.dim):
            raise LibraryError(
                f"Expected {len(document.sentences)} vectors of size {self.model.dim}, got {vectors.shape}."
            )
        for sentence in document.sentences:
            if document.text[sentence.start : sentence.end] != sentence.text:
                raise InputError("A sentence is not an exact part of its document text.")
        return vectors

    def _insert(self, document: NewDocument, vectors: np.ndarray, digest: str) -> tuple[int, np.ndarray]:
        """Insert a document's rows (inside the caller's transaction); its id and its sentence ids."""
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
        return document_id, np.asarray(ids, dtype=np.int64)

    def _update_index(
        self,
        *,
        added: tuple[np.ndarray, np.ndarray] | None = None,
        removed: np.ndarray | None = None,
    ) -> None:
        """Apply a change to the vector index and commit it (inside the caller's transaction).

        The change goes into the live index (no copy of a large index); should anything fail before the
        commit, the index is loaded again from the last committed generation. When the library's new
        size calls for another kind of index, it is rebuilt from SQLite instead.
        """
        count = self._count_rows()
        try:
            if self.policy.keeps(self._plan, count):
                index, plan = self._index, self._plan
                if added is not None:
                    index.add_with_ids(added[1], added[0])
                if removed is not None and len(removed):
                    index.remove_ids(removed)
            else:
                plan = self.policy.plan(count)
                log.info("library of %d sentences: rebuilding its vector index as %s", count, plan.label)
                index = self._build_index(plan)
            self._commit_index(index, plan)
        except BaseException:
            self._db.rollback()
            self._forget_uncommitted()
            raise

    def _build_index(self, plan: IndexPlan) -> faiss.Index:
        """A new index of every vector stored in SQLite (uncommitted rows of this write included)."""
        if plan.kind == "flat":
            index = _flat_index(self.model.dim)
        else:
            index = _ivf_index(self.model.dim, plan, self.policy)
            index.train(self._training_sample(plan))
        for ids, vectors in self._stored_vectors():
            index.add_with_ids(vectors, ids)
        return index

    def _training_sample(self, plan: IndexPlan) -> np.ndarray:
        """A reproducible sample of the stored vectors, as many as the policy allows."""
        ids = np.asarray([row[0] for row in self._db.execute("SELECT id FROM sentences ORDER BY id")])
        size = self.policy.train_points(len(ids), plan.nlist)
        chosen = np.sort(np.random.default_rng(self.policy.seed).choice(ids, size=size, replace=False))
        sample = np.empty((size, self.model.dim), dtype=np.float32)
        filled = 0
        for batch_ids, vectors in self._stored_vectors():
            keep = np.isin(batch_ids, chosen, assume_unique=True)
            sample[filled : filled + int(keep.sum())] = vectors[keep]
            filled += int(keep.sum())
        return sample[:filled]

    def _stored_vectors(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        cursor = self._db.execute("SELECT id, vector FROM sentences ORDER BY id")
        while rows := cursor.fetchmany(4096):
            ids = np.asarray([row[0] for row in rows], dtype=np.int64)
            vectors = np.frombuffer(b"".join(row[1] for row in rows), dtype=np.float32)
            yield ids, vectors.reshape(len(rows), self.model.dim)

    def _commit_index(self, index: faiss.Index, plan: IndexPlan) -> None:
        """Write `index` as the next generation; the caller's transaction commits it."""
        generation = self._generation + 1
        path = self._index_path(generation)
        atomic_write_with(path, lambda tmp: faiss.write_index(index, str(tmp)))
        values = {
            "generation": str(generation),
            "index": plan.to_json(),
            "index_file": json.dumps(_file_identity(path)),
        }
        self._db.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", list(values.items()))
        self._db.commit()
        self._index_path(self._generation).unlink(missing_ok=True)
        self._index, self._generation, self._plan = index, generation, plan

    def _forget_uncommitted(self) -> None:
        """After a failed write: back to the committed index, or to none until the library is reopened."""
        try:
            self._load_index()
        except LibraryError:
            self._index, self._generation = _flat_index(self.model.dim), -1  # _refresh() loads it again

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
                    generation, count, plan_json, identity = self._db.execute(
                        "SELECT (SELECT value FROM meta WHERE key = 'generation'),"
                        " (SELECT count(*) FROM sentences),"
                        " (SELECT value FROM meta WHERE key = 'index'),"
                        " (SELECT value FROM meta WHERE key = 'index_file')"
                    ).fetchone()
                    generation, count = int(generation), int(count)
                    plan = FLAT if plan_json is None else IndexPlan.from_json(plan_json)
                except (sqlite3.DatabaseError, TypeError, ValueError, KeyError) as exc:
                    raise _corrupt(self.path, exc) from exc
                path = self._index_path(generation)
                try:
                    _check_file(path, identity)
                    index = faiss.read_index(str(path))
                    break
                except (OSError, RuntimeError, _DamagedFile) as exc:
                    if attempt == 2 or _read_meta(self._db, "generation") == str(generation):
                        raise _index_error(self.path, path, exc) from exc
            shape = _shape_of(index)
            if index.ntotal != count or index.d != self.model.dim or shape != (plan.kind, plan.nlist):
                raise CorruptLibraryError(
                    f"The vector index in {self.path} holds {index.ntotal} vectors of size {index.d} in a"
                    f" {shape[0]} index for {count} sentences in a {plan.kind} index. Rebuild it from the"
                    " stored sentences: sanad repair"
                )
            if plan.kind == "ivf":
                faiss.extract_index_ivf(index).nprobe = plan.nprobe
            self._index, self._generation, self._plan = index, generation, plan

    def _remove_leftovers(self) -> None:
        """Delete files a crashed writer left behind; only safe while holding the write lock."""
        keep = self._index_path(int(_read_meta(self._db, "generation"))).name
        for stale in [*self.path.glob("vectors-*.faiss"), *self.path.glob(".*.tmp")]:
            if stale.name != keep:
                with contextlib.suppress(OSError):
                    stale.unlink()

    def _index_path(self, generation: int) -> Path:
        return self.path / f"vectors-{generation:06d}.faiss"


@contextlib.contextmanager
def _threads(count: int | None) -> Iterator[None]:
    """Run faiss with `count` OpenMP threads in this thread (None: as it is), then as before.

    A search for one or a few queries is faster on one thread: splitting it costs more than it saves,
    and on a busy machine the second thread waits for a core (measured at 10^4 sentences with other
    jobs running: p50 56 ms on two threads, 1.8 ms on one). The bot runs several searches at once in
    worker threads instead. OpenMP's thread count belongs to the calling thread, so other threads
    (a writer training IVF) keep theirs."""
    if count is None:
        yield
        return
    previous = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(count)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(previous)


class _DamagedFile(Exception):
    """The index file's size or checksum is not the one recorded when it was written."""


def _index_error(library: Path, index_path: Path, exc: Exception) -> CorruptLibraryError:
    """One line on what is wrong with an index file (faiss's own messages are long C++ traces)."""
    if isinstance(exc, FileNotFoundError):
        damage = "missing"
    elif isinstance(exc, _DamagedFile):
        damage = f"damaged ({exc})"
    else:
        damage = "damaged (faiss cannot read it)"
    return CorruptLibraryError(
        f"The vector index {index_path.name} in {library} is {damage}. Rebuild it from the stored"
        " sentences: sanad repair"
    )


def _flat_index(dim: int) -> faiss.Index:
    return faiss.IndexIDMap2(faiss.IndexFlatIP(dim))


def _ivf_index(dim: int, plan: IndexPlan, policy: IndexPolicy) -> faiss.Index:
    """IVF-Flat over inner products, untrained. Plain (not spherical) k-means: a query then probes the
    cells whose mean vector scores highest, which are the cells with the best average score."""
    index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, plan.nlist, faiss.METRIC_INNER_PRODUCT)
    index.cp.seed = policy.seed
    index.cp.niter = policy.train_iterations
    index.cp.max_points_per_centroid = 1 << 30  # the sample is already bounded; faiss must not resample
    index.nprobe = plan.nprobe
    return index


def _shape_of(index: faiss.Index) -> tuple[str, int]:
    """The kind of a loaded index and its IVF cell count (0 for exact)."""
    ivf = faiss.try_extract_index_ivf(index)
    return ("flat", 0) if ivf is None else ("ivf", int(ivf.nlist))


_CHUNK = 1 << 24


def _file_identity(path: Path) -> dict[str, int]:
    """Size and CRC-32 of a file, read in chunks (an index of 10^6 sentences is 1.5 GB)."""
    crc = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            crc = zlib.crc32(chunk, crc)
    return {"bytes": path.stat().st_size, "crc32": crc}


def _check_file(path: Path, identity: str | None) -> None:
    """Raise `_DamagedFile` when `path` is not the file recorded as `identity` (None: not recorded, as in
    libraries written before the check existed)."""
    if identity is None:
        return
    expected = json.loads(identity)
    if not path.exists():
        raise FileNotFoundError(path)
    size = path.stat().st_size
    if size != expected["bytes"]:
        raise _DamagedFile(f"{size:,} bytes instead of {expected['bytes']:,}")
    if _file_identity(path)["crc32"] != expected["crc32"]:
        raise _DamagedFile("its checksum does not match")


def _salvage(damaged: Path, target: Path) -> Path | None:
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
        documents = {row[0]: row for row in _readable_rows(source, "documents", _DOCUMENT_COLUMNS)[0]}
        rows, edges = _readable_rows(source, "sentences", _SENTENCE_COLUMNS)
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
        db.executescript(_SCHEMA)
        with db:
            db.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", [*meta.items()])
            db.execute("UPDATE meta SET value = '0' WHERE key = 'generation'")
            # The new file has this version's tables whatever version the damaged one had.
            db.execute("UPDATE meta SET value = ? WHERE key = 'schema'", (str(SCHEMA_VERSION),))
            db.execute("DELETE FROM meta WHERE key IN ('index', 'index_file')")
            for document, rows in complete:
                db.execute(_insert_sql("documents", _DOCUMENT_COLUMNS), document)
                db.executemany(_insert_sql("sentences", _SENTENCE_COLUMNS), rows)
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


def _vectors_of(vectors: np.ndarray | Embedded) -> np.ndarray:
    return vectors.vectors if isinstance(vectors, Embedded) else vectors


def _tokens_of(vectors: np.ndarray | Embedded) -> list[np.ndarray] | None:
    return vectors.tokens if isinstance(vectors, Embedded) else None


def _insert_sql(table: str, columns: Sequence[str]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


_DOCUMENT_COLUMNS = ("id", "content_hash", "title", "language", "source", "added_at", "text")
_SENTENCE_COLUMNS = ("id", "document_id", "position", "paragraph", "start", "end", "text", "vector")


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


def _create(path: Path, model: ModelInfo, probe: np.ndarray) -> None:
    tmp = path / f".{DB_NAME}.creating"
    tmp.unlink(missing_ok=True)
    db = sqlite3.connect(tmp)
    try:
        db.executescript(_SCHEMA)
        index_path = path / "vectors-000000.faiss"
        atomic_write_with(index_path, lambda file: faiss.write_index(_flat_index(model.dim), str(file)))
        with db:
            db.executemany(
                "INSERT INTO meta (key, value) VALUES (?, ?)",
                [
                    ("schema", str(SCHEMA_VERSION)),
                    ("generation", "0"),
                    ("created_at", _now()),
                    ("index", FLAT.to_json()),
                    ("index_file", json.dumps(_file_identity(index_path))),
                ],
            )
            _write_model(db, model, probe)
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


def _check_database(db: sqlite3.Connection, db_path: Path) -> None:
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
        raise _corrupt(db_path.parent, exc) from exc


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
        "backends": json.dumps([model.backend]),
    }
    db.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", list(values.items()))


def _read_model(db: sqlite3.Connection, path: Path) -> ModelInfo:
    try:
        return ModelInfo(
            name=_read_meta(db, "model"),
            fingerprint=_read_meta(db, "fingerprint"),
            dim=int(_read_meta(db, "dim")),
            backend=_read_backends(db)[0],
        )
    except (sqlite3.DatabaseError, ValueError) as exc:
        raise _corrupt(path, exc) from exc


def _read_backends(db: sqlite3.Connection) -> list[str]:
    """The recorded backends; a library from before they were recorded was embedded by torch."""
    row = db.execute("SELECT value FROM meta WHERE key = 'backends'").fetchone()
    backends = json.loads(row[0]) if row else ["torch"]
    if not backends or not all(isinstance(b, str) for b in backends):
        raise sqlite3.DatabaseError(f"meta key 'backends' holds {row[0]!r}")
    return list(backends)


def _check_model(
    db: sqlite3.Connection, path: Path, stored: ModelInfo, loaded: ModelInfo, probe: np.ndarray
) -> None:
    """Refuse a model whose vectors would not be comparable with the stored ones. The same model on the
    same backend is trusted by its fingerprint; on another backend (or a model with other files) the
    probe vectors must agree."""
    if (stored.fingerprint, stored.dim, stored.backend) == (loaded.fingerprint, loaded.dim, loaded.backend):
        return
    agreement = None
    if stored.dim == loaded.dim:
        stored_probe = np.asarray(json.loads(_read_meta(db, "probe")), dtype=np.float32)
        agreement = float(stored_probe @ probe)
        if agreement >= (PROBE_AGREEMENT if stored.fingerprint == loaded.fingerprint else SAME_VECTORS):
            return
    if stored.fingerprint == loaded.fingerprint and agreement is not None:
        raise ModelMismatchError(
            f"The library at {path} was embedded by {stored.name} on {stored.backend}, and on"
            f" {loaded.backend} the same model embeds differently (probe cosine {agreement:.3f}, below"
            f" {PROBE_AGREEMENT}). Set SANAD_BACKEND={stored.backend}, or re-embed: sanad rebuild"
        )
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


def _corrupt(path: Path, exc: Exception) -> DamagedDatabaseError:
    detail = " ".join(str(exc).split())
    return DamagedDatabaseError(
        f"The library database {path / DB_NAME} is damaged ({detail}). Run sanad repair: it keeps the"
        " damaged file aside and saves what can still be read."
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
