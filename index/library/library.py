"""The library on disk: documents and sentences in SQLite, their vectors in a FAISS index.

Layout of a library directory:

    library.sqlite         documents, sentences (text, exact span, vector), their content-token
                           vectors (int8, for reranking), meta (index/library/schema.py)
    vectors-<gen>.faiss    the vector index of the current generation (index/library/vectors.py)
    .lock                  held while writing, so writers in several processes take turns

`Library` composes the parts: the schema opens and migrates the database, the compatibility rule
decides which model may search it, the vector index follows each commit, and repair saves what a
damaged database still holds.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import sqlite3
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np

from index.errors import InputError, LibraryError
from index.library import schema
from index.library.ann import DEFAULT_POLICY, FLAT, IndexPlan, IndexPolicy
from index.library.compatibility import (
    check_model,
    read_backends,
    read_model,
    read_probe,
    record_backend,
    write_model,
)
from index.library.feedback import SELECT_VOTES, Vote, read_votes, record_vote
from index.library.repair import Salvage, replace_damaged
from index.library.schema import DB_NAME, SELECT_DOCUMENTS, SELECT_SENTENCES, corrupt, read_meta
from index.library.tokens import pack, unpack_many
from index.library.vectors import VectorIndex, check_recorded_size, index_path, write_empty
from index.records import Document, Embedded, ModelInfo, NewDocument, StoredSentence

log = logging.getLogger(__name__)

# Embeds a batch of sentence texts: the encoder's `embed_passages` (or `encode_passages`: no tokens).
VectorSource = Callable[[list[str]], np.ndarray | Embedded]


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
        self._vectors = VectorIndex(path, db, model.dim, policy)
        if load:
            self._vectors.load()

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

        `policy` decides the vector index's kind by the library's size (index/library/ann.py).
        """
        db_path = path / DB_NAME
        if not db_path.exists():
            if not create:
                raise LibraryError(f"No library at {path}. Add an article first: sanad add FILE")
            path.mkdir(parents=True, exist_ok=True)
            with schema.write_lock(path):
                if not db_path.exists():
                    _create(path, model, probe)
        db = schema.connect(db_path)
        try:
            schema.check_database(db, db_path)
            stored = read_model(db, path)
            check_model(db, path, stored, model, probe)
            return cls(path, db, stored, backend=model.backend, policy=policy)
        except BaseException:
            db.close()
            raise

    @classmethod
    def open_stored(cls, path: Path, *, policy: IndexPolicy = DEFAULT_POLICY) -> Library:
        """The library at `path` as its own model embedded it, without that model (to copy it
        elsewhere: `sanad migrate`); it adds nothing."""
        return cls._unchecked(path, policy, load=True)

    @classmethod
    def votes_at(cls, path: Path) -> list[Vote]:
        """The votes kept in the library at `path`, read without loading its model or its vectors
        (for `sanad feedback`); an older format is upgraded first."""
        db = schema.connect(path / DB_NAME)
        try:
            return read_votes(db.execute(SELECT_VOTES).fetchall())
        except sqlite3.DatabaseError as exc:
            raise corrupt(path, exc) from exc
        finally:
            db.close()

    @classmethod
    def check_at(cls, path: Path) -> None:
        """Raise what `open` would raise for a damaged library, without the model: a quick look at
        start-up, before the slow model load. The database is checked as `open` checks it; the vector
        index file must exist and have the size recorded for it (its checksum is left to `open`)."""
        db_path = path / DB_NAME
        if not db_path.exists():
            return
        db = schema.connect(db_path)
        try:
            schema.check_database(db, db_path)
            generation = int(read_meta(db, "generation"))
            identity = db.execute("SELECT value FROM meta WHERE key = 'index_file'").fetchone()
        except (sqlite3.DatabaseError, ValueError) as exc:
            raise corrupt(path, exc) from exc
        finally:
            db.close()
        check_recorded_size(index_path(path, generation), identity[0] if identity else None)

    @classmethod
    def repair_at(cls, path: Path, *, policy: IndexPolicy = DEFAULT_POLICY) -> int:
        """Rebuild the vector index of the library at `path`, even when it cannot be opened."""
        with cls._unchecked(path, policy) as library:
            return library.repair()

    @classmethod
    def salvage_at(cls, path: Path, *, policy: IndexPolicy = DEFAULT_POLICY) -> Salvage:
        """Save what can still be read from a damaged database into a new one, and rebuild the index.

        The damaged file is copied aside first (`library.sqlite.damaged-<time>`), then the new database
        replaces it in one rename (index/library/repair.py). A document is kept only with all of its
        sentences and vectors.
        """
        kept_as, replaced = replace_damaged(path)
        if not replaced:
            return Salvage(0, 0, kept_as, replaced=False)
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
    def _unchecked(cls, path: Path, policy: IndexPolicy, *, load: bool = False) -> Library:
        """The library for its own recorded model, which is not checked against a loaded one: without
        its vector index for repairs, with it (`load`, the database checked first) for copies."""
        if not (path / DB_NAME).exists():
            raise LibraryError(f"No library at {path}. Add an article first: sanad add FILE")
        db = schema.connect(path / DB_NAME)
        try:
            if load:
                schema.check_database(db, path / DB_NAME)
            return cls(path, db, read_model(db, path), load=load, policy=policy)
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
    def where(self) -> str:
        """The library, fit to show: its directory."""
        return str(self.path)

    @property
    def index_plan(self) -> IndexPlan:
        """The kind of vector index in use (exact or IVF) and its training."""
        return self._vectors.plan

    @property
    def generation(self) -> int:
        """The committed generation this handle last read: every add, remove or rebuild makes a new
        one, so what was read of an article at one generation holds until the next."""
        return self._vectors.generation

    def index_file(self) -> Path:
        """The FAISS file of the current generation."""
        return self._vectors.file()

    def documents(self) -> list[Document]:
        """All documents, oldest first."""
        return [Document(*row) for row in self._query(f"{SELECT_DOCUMENTS} ORDER BY d.id")]

    def document(self, document_id: int) -> Document | None:
        rows = self._query(f"{SELECT_DOCUMENTS} WHERE d.id = ?", (document_id,))
        return Document(*rows[0]) if rows else None

    def votes(self) -> list[Vote]:
        """The votes on answers from this library, oldest first (index/library/feedback.py)."""
        return read_votes(self._query(SELECT_VOTES))

    def record_vote(self, vote: Vote) -> int | None:
        """Keep a vote on an answer; a second vote by the same person on the same answer replaces it
        (the earlier vote is returned)."""
        with self._writing(refresh=False), self._db:
            return record_vote(self._db, vote)

    def recorded_probe(self) -> np.ndarray:
        """The probe vector recorded with the library's model (what another store checks a model by)."""
        with self._lock:
            return read_probe(self._db, self.path)

    def backends(self) -> list[str]:
        """Every backend whose vectors the library holds, the one that created (or rebuilt) it first."""
        with self._lock:
            return read_backends(self._db)

    def sentence_count(self) -> int:
        return int(self._query("SELECT count(*) FROM sentences")[0][0])

    def sentences(self, ids: Sequence[int]) -> dict[int, StoredSentence]:
        """The stored sentences with these ids (missing ids are left out)."""
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self._query(f"{SELECT_SENTENCES} WHERE id IN ({marks})", tuple(int(i) for i in ids))
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
        rows = self._query(f"{SELECT_SENTENCES} WHERE document_id = ? ORDER BY position", (document_id,))
        return [StoredSentence(*row) for row in rows]

    def neighbours(self, sentence: StoredSentence, *, before: int, after: int) -> list[StoredSentence]:
        """The sentences around `sentence` in its document, in order, itself included."""
        rows = self._query(
            f"{SELECT_SENTENCES} WHERE document_id = ? AND position BETWEEN ? AND ? ORDER BY position",
            (sentence.document_id, sentence.position - before, sentence.position + after),
        )
        return [StoredSentence(*row) for row in rows]

    def search(self, queries: np.ndarray, k: int) -> list[list[tuple[int, float]]]:
        """For each query vector, up to `k` (sentence id, inner product) pairs, best first.

        Exact while the library is small; beyond `policy.exact_limit` sentences an IVF index answers
        (recall@10 >= 0.95 against exact search, see index/library/ann.py).
        """
        queries = np.ascontiguousarray(queries, dtype=np.float32).reshape(-1, self.model.dim)
        with self._lock:
            return self._vectors.search(queries, k)

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
            (document, *embedded_parts(document, vectors, self.model.dim)) for document, vectors in items
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
                    record_backend(self._db, self.backend)
                    added = (np.concatenate(new_ids), np.concatenate(new_vectors))
                    self._vectors.update(self._count_rows(), added=added)
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
                self._vectors.update(self._count_rows(), removed=np.asarray(ids, dtype=np.int64))
        return True

    def repair(self) -> int:
        """Rebuild the FAISS index from the vectors stored in SQLite; returns the sentence count."""
        with self._writing(refresh=False):
            problems = self._query("PRAGMA quick_check")
            if problems[0][0] != "ok":
                raise corrupt(self.path, sqlite3.DatabaseError(problems[0][0]))
            with self._db:
                return self._vectors.rebuild(self._count_rows())

    def replace_vectors(self, model: ModelInfo, probe: np.ndarray, vectors_for: VectorSource) -> int:
        """Re-embed every stored sentence with `model` (after a model change); returns the count."""
        with self._writing(refresh=False):
            rows = self._query("SELECT id, text FROM sentences ORDER BY id")
            with self._db:
                self._db.execute("DELETE FROM tokens")  # the old model's
                for start in range(0, len(rows), 256):
                    chunk = rows[start : start + 256]
                    embedded = vectors_for([row[1] for row in chunk])
                    vectors, tokens = split_embedded(embedded)
                    ids = [int(row[0]) for row in chunk]
                    self._db.executemany(
                        "UPDATE sentences SET vector = ? WHERE id = ?",
                        [(v.tobytes(), i) for v, i in zip(vectors, ids, strict=True)],
                    )
                    if tokens is not None:
                        self._insert_tokens(ids, tokens)
                write_model(self._db, model, probe)
                self.model = model
                self._vectors.dim = model.dim
                return self._vectors.rebuild(len(rows))

    # ---------------------------------------------------------------- internals

    def _query(self, sql: str, params: tuple[object, ...] = ()) -> list[tuple]:
        with self._lock:
            try:
                return self._db.execute(sql, params).fetchall()
            except sqlite3.DatabaseError as exc:
                raise corrupt(self.path, exc) from exc

    def _count_rows(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM sentences").fetchone()[0])

    @contextlib.contextmanager
    def _writing(self, *, refresh: bool = True) -> Iterator[None]:
        with self._lock, schema.write_lock(self.path):
            self._vectors.remove_leftovers()
            if refresh:
                self._vectors.refresh()
            try:
                yield
            except sqlite3.DatabaseError as exc:
                raise corrupt(self.path, exc) from exc

    def _insert(self, document: NewDocument, vectors: np.ndarray, digest: str) -> tuple[int, np.ndarray]:
        """Insert a document's rows (inside the caller's transaction); its id and its sentence ids."""
        cursor = self._db.execute(
            "INSERT INTO documents"
            " (content_hash, title, language, source, added_at, text, published, author, read_by)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                digest,
                document.title,
                document.language,
                document.source,
                document.added_at or schema.now(),
                document.text,
                document.published,
                document.author,
                document.read_by,
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

    def _insert_tokens(self, ids: Iterable[int], tokens: Sequence[np.ndarray]) -> None:
        """Store sentences' content-token vectors (int8), inside the caller's transaction."""
        self._db.executemany(
            schema.insert_sql("tokens", ("sentence_id", "vectors")),
            [(int(i), pack(t)) for i, t in zip(ids, tokens, strict=True)],
        )


def _create(path: Path, model: ModelInfo, probe: np.ndarray) -> None:
    """A new library: the database is filled under a temporary name and renamed into place last."""
    tmp = path / f".{DB_NAME}.creating"
    tmp.unlink(missing_ok=True)
    db = sqlite3.connect(tmp)
    try:
        db.executescript(schema.SCHEMA)
        identity = write_empty(index_path(path, 0), model.dim)
        with db:
            schema.write_meta(
                db,
                {
                    "schema": str(schema.SCHEMA_VERSION),
                    "generation": "0",
                    "created_at": schema.now(),
                    "index": FLAT.to_json(),
                    "index_file": json.dumps(identity),
                },
            )
            write_model(db, model, probe)
    finally:
        db.close()
    tmp.replace(path / DB_NAME)


def embedded_parts(
    document: NewDocument, vectors: np.ndarray | Embedded, dim: int
) -> tuple[np.ndarray, list[np.ndarray] | None]:
    """A new document's sentence vectors (checked: one of size `dim` per sentence, each sentence an
    exact part of the text) and its token vectors when it has them; either library stores these."""
    if not document.sentences:
        raise InputError("The text has no sentences to add. Send an article with full sentences.")
    sentence_vectors, tokens = split_embedded(vectors)
    if sentence_vectors.shape != (len(document.sentences), dim):
        raise LibraryError(
            f"Expected {len(document.sentences)} vectors of size {dim}, got {sentence_vectors.shape}."
        )
    for sentence in document.sentences:
        if document.text[sentence.start : sentence.end] != sentence.text:
            raise InputError("A sentence is not an exact part of its document text.")
    return sentence_vectors, tokens


def split_embedded(vectors: np.ndarray | Embedded) -> tuple[np.ndarray, list[np.ndarray] | None]:
    """Sentence vectors (contiguous float32) and, when the encoder gave them, token vectors."""
    if isinstance(vectors, Embedded):
        return np.ascontiguousarray(vectors.vectors, dtype=np.float32), vectors.tokens
    return np.ascontiguousarray(vectors, dtype=np.float32), None
