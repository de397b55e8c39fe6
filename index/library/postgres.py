"""The library on a PostgreSQL server: the same handle as the on-disk one, its vectors in pgvector.

Every library (the shared one and each chat's) is one row of `libraries`; its documents, sentences,
vectors (`vector`, inner product `<#>`), content-token vectors (int8 bytea) and votes are rows that
name it. An add is one transaction, a remove deletes rows: no index file follows the commit, so there
is nothing to repair. Search is exact, one library's rows found through a b-tree on `library_id`, until
a library is large enough for its own IVF index (index/library/ann.py says when): a partial index on
its rows, built without blocking other writers (CONCURRENTLY) by the write that makes it that large,
and kept up to date by the server from then on.

Several processes (bot workers) may write one library at once: each write first locks the library's
row, so they take turns as the on-disk library's writers take turns by its lock file. The tables come
from `sanad setup` (index/library/server_schema.py); a server that is behind is refused by name.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import numpy as np

from index.database import Postgres, Transaction
from index.errors import LibraryError
from index.library.ann import FLAT, SERVER_POLICY, IndexPlan, IndexPolicy
from index.library.compatibility import backends_of, model_meta, model_of, refuse_other_model, with_backend
from index.library.feedback import Vote, read_votes, vote_row
from index.library.library import VectorSource, content_hash, embedded_parts, split_embedded
from index.library.schema import now
from index.library.server_schema import COMPONENT, MIGRATIONS
from index.library.tokens import pack, unpack_many
from index.records import Document, Embedded, ModelInfo, NewDocument, StoredSentence

log = logging.getLogger(__name__)

SHARED = "shared"  # the name of the library every chat reads
RECHECK_INDEX_SECONDS = 30.0  # how long a handle trusts what it knows of its vector index (another
# process may have built or dropped it)
BUILD_MEMORY = "4GB"  # maintenance_work_mem while an index is built: k-means then runs in memory

_DOCUMENTS = (
    "SELECT d.id, d.title, d.language, d.source, d.added_at,"
    " (SELECT count(*) FROM sentences s WHERE s.library_id = d.library_id AND s.document_id = d.id),"
    " length(d.text), (SELECT coalesce(max(paragraph) + 1, 0) FROM sentences s"
    " WHERE s.library_id = d.library_id AND s.document_id = d.id),"
    " d.published, d.author, d.read_by"
    " FROM documents d WHERE d.library_id = ?"
)
_SENTENCES = "SELECT id, document_id, position, paragraph, start_at, end_at, text FROM sentences"
_VOTES = (
    "SELECT answer, voter, vote, question, quotes, language, voted_at FROM feedback"
    " WHERE library_id = ? ORDER BY id"
)


def set_up(database: Postgres) -> int:
    """Create or upgrade the library tables (`sanad setup`); how many migrations ran."""
    return database.migrate(COMPONENT, MIGRATIONS)


def library_names(database: Postgres) -> list[str]:
    """Every library the server holds, by name."""
    return [str(row[0]) for row in database.query("SELECT name FROM libraries ORDER BY name")]


def library_exists(database: Postgres, name: str) -> bool:
    return _library_id(database, name) is not None


def _library_with_meta(database: Postgres, name: str) -> tuple[int | None, dict[str, str]]:
    """A library's id and its meta entries, in one round trip (opening a chat's library is on the path
    of its first question)."""
    rows = database.query(
        "SELECT l.id, m.key, m.value FROM libraries l LEFT JOIN library_meta m ON m.library_id = l.id"
        " WHERE l.name = ?",
        (name,),
    )
    if not rows:
        return None, {}
    return int(rows[0][0]), {str(key): str(value) for _, key, value in rows if key is not None}


def _library_id(database: Postgres, name: str) -> int | None:
    rows = database.query("SELECT id FROM libraries WHERE name = ?", (name,))
    return int(rows[0][0]) if rows else None


class PostgresLibrary:
    """One library's rows on a PostgreSQL server, with the on-disk `Library`'s methods. Thread-safe
    (every call borrows a pooled connection)."""

    def __init__(
        self,
        database: Postgres,
        name: str,
        library_id: int,
        model: ModelInfo,
        backend: str | None,
        policy: IndexPolicy = SERVER_POLICY,
    ):
        self.database = database
        self.name = name
        self.model = model
        self.backend = backend  # what this handle adds is embedded by it (None: it adds nothing)
        self.policy = policy
        self._id = library_id
        self._index_prefix = f"sentences_ivf_{library_id}_"  # and the size its index was trained for
        self._plan: tuple[float, IndexPlan] | None = None  # (when it was looked up, the usable index)

    @classmethod
    def open(
        cls,
        database: Postgres,
        name: str,
        model: ModelInfo,
        probe: np.ndarray,
        *,
        create: bool = True,
        policy: IndexPolicy = SERVER_POLICY,
    ) -> PostgresLibrary:
        """Open the library called `name` for `model`, creating it when absent and `create` is set.

        The tables must be set up (`sanad setup`); another model is refused as on disk. `policy` says
        when the library gets an IVF index."""
        database.check(COMPONENT, MIGRATIONS)
        library_id, meta = _library_with_meta(database, name)
        if library_id is None:
            if not create:
                raise LibraryError(
                    f"No library {name!r} at {database.where}. Add an article first: sanad add FILE"
                )
            with database.transaction() as db:
                created = db.execute(
                    "INSERT INTO libraries (name, created_at) VALUES (?, ?)"
                    " ON CONFLICT (name) DO NOTHING RETURNING id",
                    (name, now()),
                ).fetchone()
                if created is not None:  # not made meanwhile by another process
                    _write_meta(db, int(created[0]), model_meta(model, probe))
            library_id, meta = _library_with_meta(database, name)
            assert library_id is not None
        try:
            stored = model_of(meta)
        except (KeyError, ValueError) as exc:
            raise LibraryError(
                f"The library {name!r} at {database.where} has no usable model record: {exc}"
            ) from None
        refuse_other_model(f"{database.where} ({name})", meta, stored, model, probe)
        return cls(database, name, library_id, stored, model.backend, policy)

    @classmethod
    def rebuild(
        cls, database: Postgres, name: str, model: ModelInfo, probe: np.ndarray, vectors_for: VectorSource
    ) -> int:
        """Re-embed library `name` with another model (`sanad rebuild`); returns the sentence count."""
        database.check(COMPONENT, MIGRATIONS)
        library_id, meta = _library_with_meta(database, name)
        if library_id is None:
            raise LibraryError(
                f"No library {name!r} at {database.where}. Add an article first: sanad add FILE"
            )
        library = cls(database, name, library_id, model_of(meta), None)
        return library.replace_vectors(model, probe, vectors_for)

    @classmethod
    def votes_of(cls, database: Postgres, name: str) -> list[Vote]:
        """The votes kept in library `name`, without its model (for `sanad feedback`)."""
        library_id = _library_id(database, name)
        return [] if library_id is None else read_votes(database.query(_VOTES, (library_id,)))

    def close(self) -> None:
        """Nothing to let go of: the pool belongs to whoever connected it."""

    def __enter__(self) -> PostgresLibrary:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---------------------------------------------------------------- reading

    @property
    def where(self) -> str:
        """The library, fit to show: the server (its password hidden) and the library's name."""
        return f"{self.database.where} ({self.name})"

    @property
    def index_plan(self) -> IndexPlan:
        return self._usable_index()

    @property
    def generation(self) -> int:
        """Constant: ids are never reused here and an article never changes after its add, so what was
        read of one holds for as long as it is there."""
        return 0

    def documents(self) -> list[Document]:
        return [Document(*row) for row in self._query(f"{_DOCUMENTS} ORDER BY d.id", (self._id,))]

    def document(self, document_id: int) -> Document | None:
        rows = self._query(f"{_DOCUMENTS} AND d.id = ?", (self._id, document_id))
        return Document(*rows[0]) if rows else None

    def votes(self) -> list[Vote]:
        return read_votes(self._query(_VOTES, (self._id,)))

    def record_vote(self, vote: Vote) -> int | None:
        """As on disk: a second vote by the same person on the same answer replaces the first, which
        is returned."""
        with self.database.transaction() as db:
            earlier = db.execute(
                "SELECT vote FROM feedback WHERE library_id = ? AND answer = ? AND voter = ?",
                (self._id, vote.answer, vote.voter),
            ).fetchone()
            db.execute(
                "INSERT INTO feedback (library_id, answer, voter, vote, question, quotes, language, voted_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (library_id, answer, voter)"
                " DO UPDATE SET vote = excluded.vote, voted_at = excluded.voted_at",
                (self._id, *vote_row(vote)),
            )
        return None if earlier is None else int(earlier[0])

    def backends(self) -> list[str]:
        return backends_of(_read_meta(self.database, self._id))

    def sentence_count(self) -> int:
        return int(self._query("SELECT count(*) FROM sentences WHERE library_id = ?", (self._id,))[0][0])

    def sentences(self, ids: Sequence[int]) -> dict[int, StoredSentence]:
        if not ids:
            return {}
        rows = self._query(
            f"{_SENTENCES} WHERE library_id = ? AND id = ANY(?)", (self._id, [int(i) for i in ids])
        )
        return {int(row[0]): StoredSentence(*row) for row in rows}

    def document_text(self, document_id: int, start: int, end: int) -> str:
        rows = self._query(
            "SELECT substr(text, ?, ?) FROM documents WHERE id = ? AND library_id = ?",
            (start + 1, end - start, document_id, self._id),
        )
        if not rows:
            raise LibraryError(f"Document {document_id} is not in the library.")
        return str(rows[0][0])

    def document_sentences(self, document_id: int) -> list[StoredSentence]:
        rows = self._query(
            f"{_SENTENCES} WHERE document_id = ? AND library_id = ? ORDER BY position",
            (document_id, self._id),
        )
        return [StoredSentence(*row) for row in rows]

    def neighbours(self, sentence: StoredSentence, *, before: int, after: int) -> list[StoredSentence]:
        rows = self._query(
            f"{_SENTENCES} WHERE library_id = ? AND document_id = ? AND position BETWEEN ? AND ?"
            " ORDER BY position",
            (self._id, sentence.document_id, sentence.position - before, sentence.position + after),
        )
        return [StoredSentence(*row) for row in rows]

    def search(self, queries: np.ndarray, k: int) -> list[list[tuple[int, float]]]:
        """For each query vector, up to `k` (sentence id, inner product) pairs, best first: exact."""
        queries = np.ascontiguousarray(queries, dtype=np.float32).reshape(-1, self.model.dim)
        plan = self._usable_index()
        if plan.kind == "ivf":
            return self._search_ivf(queries, k, plan)
        results = []
        for query in queries:
            rows = self._query(
                "SELECT id, -(vector <#> ?) AS score FROM sentences WHERE library_id = ?"
                " ORDER BY vector <#> ?, id LIMIT ?",
                (query, self._id, query, int(k)),
            )
            results.append([(int(i), float(score)) for i, score in rows])
        return results

    def vectors(self, ids: Sequence[int]) -> np.ndarray:
        rows = dict(
            self._query(
                "SELECT id, vector FROM sentences WHERE library_id = ? AND id = ANY(?)",
                (self._id, [int(i) for i in ids]),
            )
        )
        missing = [i for i in ids if i not in rows]
        if missing:
            raise LibraryError(f"Sentences {missing[:5]} are not in the library.")
        return np.stack([np.asarray(rows[i], dtype=np.float32) for i in ids])

    def token_vectors(self, ids: Sequence[int]) -> dict[int, np.ndarray]:
        if not ids:
            return {}
        rows = self._query(
            "SELECT id, tokens FROM sentences WHERE library_id = ? AND id = ANY(?) AND tokens IS NOT NULL",
            (self._id, [int(i) for i in ids]),
        )
        blobs = [bytes(blob) for _, blob in rows]
        return dict(zip((int(i) for i, _ in rows), unpack_many(blobs, self.model.dim), strict=True))

    # ---------------------------------------------------------------- writing

    def add(self, document: NewDocument, vectors: np.ndarray | Embedded) -> tuple[Document, bool]:
        return self.add_many([(document, vectors)])[0]

    def add_many(
        self, items: Sequence[tuple[NewDocument, np.ndarray | Embedded]]
    ) -> list[tuple[Document, bool]]:
        """Store several documents in one transaction: all of them, or, when anything fails, none. The
        same content added twice is stored once."""
        checked = [
            (document, *embedded_parts(document, vectors, self.model.dim)) for document, vectors in items
        ]
        results: list[tuple[int, bool]] = []
        with self._writing() as db:
            for document, vectors, tokens in checked:  # under the library's row lock (`_writing`)
                results.append(self._insert(db, document, vectors, tokens))
            if any(new for _, new in results):
                meta = {str(k): str(v) for k, v in db.execute(_META, (self._id,)).fetchall()}
                _write_meta(db, self._id, with_backend(meta, self.backend))
        if any(new for _, new in results):
            self._plan_index()
        documents = []
        for document_id, new in results:
            found = self.document(document_id)
            assert found is not None
            if new:
                log.info(
                    "added document %d (%s) to %s: %d sentences",
                    found.id,
                    found.label,
                    self.name,
                    found.sentence_count,
                )
            documents.append((found, new))
        return documents

    def remove(self, document_id: int) -> bool:
        """Delete a document with its sentences and vectors; False when it was not there."""
        with self._writing() as db:
            deleted = db.execute(
                "DELETE FROM documents WHERE id = ? AND library_id = ?", (document_id, self._id)
            ).rowcount
        if deleted:
            self._plan_index()
        return bool(deleted)

    def repair(self) -> int:
        """Nothing to rebuild (no index file follows the rows); returns the sentence count."""
        return self.sentence_count()

    def replace_vectors(self, model: ModelInfo, probe: np.ndarray, vectors_for: VectorSource) -> int:
        """Re-embed every stored sentence with `model` (after a model change), in one transaction."""
        with self._writing() as db:
            rows = db.execute(
                "SELECT id, text FROM sentences WHERE library_id = ? ORDER BY id", (self._id,)
            ).fetchall()
            for start in range(0, len(rows), 256):
                chunk = rows[start : start + 256]
                embedded = vectors_for([str(row[1]) for row in chunk])
                vectors, tokens = split_embedded(embedded)
                db.executemany(
                    "UPDATE sentences SET vector = ?, tokens = ? WHERE id = ?",
                    [
                        (vector, pack(tokens[n]) if tokens is not None else None, int(row[0]))
                        for n, (vector, row) in enumerate(zip(vectors, chunk, strict=True))
                    ],
                )
            _write_meta(db, self._id, model_meta(model, probe))
        self.model = model
        return len(rows)

    # ---------------------------------------------------------------- internals

    def _query(self, sql: str, params: tuple[object, ...]) -> list[tuple[Any, ...]]:
        return self.database.query(sql, params)

    @contextmanager
    def _writing(self) -> Iterator[Transaction]:
        """One transaction holding the library's row lock: writers of one library take turns."""
        with self.database.transaction() as db:
            found = db.execute("SELECT id FROM libraries WHERE id = ? FOR UPDATE", (self._id,)).fetchone()
            if found is None:
                raise LibraryError(f"The library {self.where} was deleted meanwhile.")
            yield db

    def _insert(
        self, db: Transaction, document: NewDocument, vectors: np.ndarray, tokens: list[np.ndarray] | None
    ) -> tuple[int, bool]:
        """Insert a document's rows (inside the caller's transaction); its id and whether it is new
        (the library may hold the same content already). Numbers are the library's own, counted up
        and never reused (a button that removes article 5 must not remove another one later); a copy
        keeps its number."""
        counter = db.execute("SELECT next_document FROM libraries WHERE id = ?", (self._id,)).fetchone()
        assert counter is not None
        number = document.number or int(counter[0])
        digest = content_hash(document.text)
        created = db.execute(
            "INSERT INTO documents (library_id, id, content_hash, title, language, source, added_at, text,"
            " published, author, read_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (library_id, content_hash) DO NOTHING RETURNING id",
            (
                self._id,
                number,
                digest,
                document.title,
                document.language,
                document.source,
                document.added_at or now(),
                document.text,
                document.published,
                document.author,
                document.read_by,
            ),
        ).fetchone()
        if created is None:
            existing = db.execute(
                "SELECT id FROM documents WHERE library_id = ? AND content_hash = ?", (self._id, digest)
            ).fetchone()
            assert existing is not None
            return int(existing[0]), False
        document_id = int(created[0])
        db.execute(
            "UPDATE libraries SET next_document = greatest(next_document, ?) WHERE id = ?",
            (document_id + 1, self._id),
        )
        db.executemany(
            "INSERT INTO sentences (library_id, document_id, position, paragraph, start_at, end_at, text,"
            " vector, tokens) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    self._id,
                    document_id,
                    sentence.position,
                    sentence.paragraph,
                    sentence.start,
                    sentence.end,
                    sentence.text,
                    vector,
                    pack(tokens[n]) if tokens is not None else None,
                )
                for n, (sentence, vector) in enumerate(zip(document.sentences, vectors, strict=True))
            ],
        )
        return document_id, True

    # ---------------------------------------------------------------- the IVF index

    def _indexes(self) -> list[tuple[str, bool]]:
        """The library's IVF indexes by name (the size each was trained for ends it), usable ones first:
        a build cut short leaves one that is not."""
        rows = self._query(
            "SELECT c.relname, i.indisvalid FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid"
            " WHERE starts_with(c.relname, ?) ORDER BY i.indisvalid DESC, c.relname",
            (self._index_prefix,),
        )
        return [(str(name), bool(valid)) for name, valid in rows]

    def _index(self, indexes: list[tuple[str, bool]]) -> tuple[IndexPlan, bool]:
        """The plan of the index searches would use (FLAT when there is none), and whether it is usable."""
        if not indexes:
            return FLAT, False
        name, valid = indexes[0]
        trained_for = int(name.removeprefix(self._index_prefix))
        planned = self.policy.plan(max(trained_for, self.policy.exact_limit))
        return replace(planned, trained_for=trained_for), valid

    def _usable_index(self) -> IndexPlan:
        """The index searches go through, looked up at most every RECHECK_INDEX_SECONDS."""
        checked = time.monotonic()
        if self._plan is None or checked - self._plan[0] > RECHECK_INDEX_SECONDS:
            plan, valid = self._index(self._indexes())
            self._plan = (checked, plan if valid else FLAT)
        return self._plan[1]

    def _plan_index(self) -> None:
        """Build, retrain or drop the library's IVF index when its size asks for it (the policy's
        bounds). One process does it (an advisory lock); searches go on meanwhile through what there is.
        The new index is built beside the old one, without blocking writers, and the old one dropped."""
        self._plan = None
        indexes = self._indexes()
        current, valid = self._index(indexes)
        count = self.sentence_count()
        if valid and self.policy.keeps(current, count):
            return
        if not indexes and count < self.policy.exact_limit:
            return
        wanted = self.policy.plan(count)
        with self.database.session() as db:
            locked = db.execute("SELECT pg_try_advisory_lock(hashtext(?))", (self._index_prefix,)).fetchone()
            if not (locked and locked[0]):
                return  # another process is at it
            for broken in [name for name, usable in self._indexes() if not usable]:
                db.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {broken}")  # a build cut short
            if wanted.kind == "ivf":
                log.info(
                    "%s has %d sentences: building its vector index (%s)", self.where, count, wanted.label
                )
                started = time.monotonic()
                db.execute(f"SET maintenance_work_mem = '{BUILD_MEMORY}'")
                db.execute(
                    f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {self._index_prefix}{count} ON sentences"
                    f" USING ivfflat ((vector::vector({self.model.dim})) vector_ip_ops)"
                    f" WITH (lists = {wanted.nlist}) WHERE library_id = {self._id}"
                )
                log.info("%s: vector index built in %.1f s", self.where, time.monotonic() - started)
            else:
                log.info("%s has %d sentences: searched exactly again", self.where, count)
            for old in [name for name, _ in self._indexes() if name != f"{self._index_prefix}{count}"]:
                db.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {old}")
        self._plan = None

    def _search_ivf(self, queries: np.ndarray, k: int, plan: IndexPlan) -> list[list[tuple[int, float]]]:
        """Nearest sentences through the IVF index. The library's id is written into the SQL, so that
        the planner matches the partial index to it; iterative scan probes further cells when the ones
        probed hold fewer than `k` rows."""
        dim = self.model.dim
        sql = (
            f"SELECT id, -(vector <#> ?) FROM sentences WHERE library_id = {self._id}"
            f" ORDER BY vector::vector({dim}) <#> ?::vector({dim}) LIMIT ?"
        )
        results = []
        with self.database.transaction() as db:
            db.execute(f"SET LOCAL ivfflat.probes = {plan.nprobe}")
            db.execute("SET LOCAL ivfflat.iterative_scan = relaxed_order")
            for query in queries:
                rows = db.execute(sql, (query, query, int(k))).fetchall()
                results.append(
                    sorted(((int(i), float(score)) for i, score in rows), key=lambda hit: (-hit[1], hit[0]))
                )
        return results


_META = "SELECT key, value FROM library_meta WHERE library_id = ?"


def _read_meta(database: Postgres, library_id: int) -> dict[str, str]:
    return {str(key): str(value) for key, value in database.query(_META, (library_id,))}


def _write_meta(db: Transaction, library_id: int, entries: dict[str, str]) -> None:
    if entries:
        db.executemany(
            "INSERT INTO library_meta (library_id, key, value) VALUES (?, ?, ?)"
            " ON CONFLICT (library_id, key) DO UPDATE SET value = excluded.value",
            [(library_id, key, value) for key, value in entries.items()],
        )
