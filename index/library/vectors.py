"""The library's vector index: a FAISS file per generation, the live index in memory. The only module
that imports faiss.

    vectors-<gen>.faiss    inner-product index over the sentence vectors, keyed by sentence id: exact
                           while the library is small, IVF beyond (see index/library/ann.py)

The commit protocol: a change first writes the next generation's file (temp file, fsync, rename), then
commits the rows and the new generation number in one SQLite transaction, then deletes the old file.
A crash at any step leaves a generation number that names a complete file, so the library opens as it
was before or after. The file is derived data: it can always be rebuilt from the vectors in SQLite
(`sanad repair`), and a file whose size or checksum disagrees with the meta row is reported as damaged.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import faiss
import numpy as np

from index.errors import CorruptLibraryError, LibraryError
from index.files import atomic_write_with, file_identity
from index.library.ann import FLAT, IndexPlan, IndexPolicy
from index.library.schema import corrupt, read_meta, write_meta

log = logging.getLogger(__name__)

# Searches for fewer query vectors than this run on one thread (faiss itself switches to BLAS at 20).
FEW_QUERIES = 20


class DamagedFile(Exception):
    """The index file's size or checksum is not the one recorded when it was written."""


class VectorIndex:
    """The FAISS index of the library at `path`, kept in step with the database `db`. Not thread-safe
    by itself: the library calls it under its own lock."""

    def __init__(self, path: Path, db: sqlite3.Connection, dim: int, policy: IndexPolicy) -> None:
        self.path = path
        self.dim = dim
        self.policy = policy
        self._db = db
        self.generation = int(read_meta(db, "generation"))
        self.index: faiss.Index = flat_index(dim)
        self.plan = FLAT

    @property
    def ntotal(self) -> int:
        return int(self.index.ntotal)

    def file(self, generation: int | None = None) -> Path:
        """The file of `generation` (default: the current one)."""
        return index_path(self.path, self.generation if generation is None else generation)

    def search(self, queries: np.ndarray, k: int) -> list[list[tuple[int, float]]]:
        """For each query vector, up to `k` (sentence id, inner product) pairs, best first."""
        with threads(1 if len(queries) < FEW_QUERIES else None):
            self.refresh()
            if self.index.ntotal == 0:
                return [[] for _ in range(len(queries))]
            scores, ids = self.index.search(queries, min(k, self.index.ntotal))
        return [
            [(int(i), float(s)) for i, s in zip(row_ids, row_scores, strict=True) if i >= 0]
            for row_ids, row_scores in zip(ids, scores, strict=True)
        ]

    def update(
        self,
        count: int,
        *,
        added: tuple[np.ndarray, np.ndarray] | None = None,
        removed: np.ndarray | None = None,
    ) -> None:
        """Apply a change to the index and commit it (inside the caller's transaction); `count` is the
        library's sentence count after the change.

        The change goes into the live index (no copy of a large index); should anything fail before the
        commit, the index is loaded again from the last committed generation. When the library's new
        size calls for another kind of index, it is rebuilt from SQLite instead.
        """
        try:
            if self.policy.keeps(self.plan, count):
                index, plan = self.index, self.plan
                if added is not None:
                    index.add_with_ids(added[1], added[0])
                if removed is not None and len(removed):
                    index.remove_ids(removed)
            else:
                plan = self.policy.plan(count)
                log.info("library of %d sentences: rebuilding its vector index as %s", count, plan.label)
                index = self.build(plan)
            self.commit(index, plan)
        except BaseException:
            self._db.rollback()
            self.forget_uncommitted()
            raise

    def rebuild(self, count: int) -> int:
        """Build the index the policy wants for `count` sentences from SQLite and commit it."""
        plan = self.policy.plan(count)
        self.commit(self.build(plan), plan)
        return self.ntotal

    def build(self, plan: IndexPlan) -> faiss.Index:
        """A new index of every vector stored in SQLite (uncommitted rows of this write included)."""
        if plan.kind == "flat":
            index = flat_index(self.dim)
        else:
            index = _ivf_index(self.dim, plan, self.policy)
            index.train(self._training_sample(plan))
        for ids, vectors in self._stored_vectors():
            index.add_with_ids(vectors, ids)
        return index

    def commit(self, index: faiss.Index, plan: IndexPlan) -> None:
        """Write `index` as the next generation; the caller's transaction commits it."""
        generation = self.generation + 1
        path = self.file(generation)
        atomic_write_with(path, lambda tmp: faiss.write_index(index, str(tmp)))
        write_meta(
            self._db,
            {
                "generation": str(generation),
                "index": plan.to_json(),
                "index_file": json.dumps(file_identity(path)),
            },
        )
        self._db.commit()
        self.file().unlink(missing_ok=True)
        self.index, self.generation, self.plan = index, generation, plan

    def forget_uncommitted(self) -> None:
        """After a failed write: back to the committed index, or to none until the library is reopened."""
        try:
            self.load()
        except LibraryError:
            self.index, self.generation = flat_index(self.dim), -1  # refresh() loads it again

    def refresh(self) -> None:
        """Reload the index when another process has committed a newer generation."""
        if read_meta(self._db, "generation") != str(self.generation):
            self.load()

    def load(self) -> None:
        """Read the committed generation's file and check it against the database."""
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
                raise corrupt(self.path, exc) from exc
            path = self.file(generation)
            try:
                check_file(path, identity)
                index = faiss.read_index(str(path))
                break
            except (OSError, RuntimeError, DamagedFile) as exc:
                if attempt == 2 or read_meta(self._db, "generation") == str(generation):
                    raise index_error(self.path, path, exc) from exc
        shape = _shape_of(index)
        if index.ntotal != count or index.d != self.dim or shape != (plan.kind, plan.nlist):
            raise CorruptLibraryError(
                f"The vector index in {self.path} holds {index.ntotal} vectors of size {index.d} in a"
                f" {shape[0]} index for {count} sentences in a {plan.kind} index. Rebuild it from the"
                " stored sentences: sanad repair"
            )
        if plan.kind == "ivf":
            faiss.extract_index_ivf(index).nprobe = plan.nprobe
        self.index, self.generation, self.plan = index, generation, plan

    def remove_leftovers(self) -> None:
        """Delete files a crashed writer left behind; only safe while holding the write lock."""
        keep = self.file(int(read_meta(self._db, "generation"))).name
        for stale in [*self.path.glob("vectors-*.faiss"), *self.path.glob(".*.tmp")]:
            if stale.name != keep:
                with contextlib.suppress(OSError):
                    stale.unlink()

    def _training_sample(self, plan: IndexPlan) -> np.ndarray:
        """A reproducible sample of the stored vectors, as many as the policy allows."""
        ids = np.asarray([row[0] for row in self._db.execute("SELECT id FROM sentences ORDER BY id")])
        size = self.policy.train_points(len(ids), plan.nlist)
        chosen = np.sort(np.random.default_rng(self.policy.seed).choice(ids, size=size, replace=False))
        sample = np.empty((size, self.dim), dtype=np.float32)
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
            yield ids, vectors.reshape(len(rows), self.dim)


def index_path(library: Path, generation: int) -> Path:
    return library / f"vectors-{generation:06d}.faiss"


def write_empty(path: Path, dim: int) -> dict[str, int]:
    """Write an empty exact index to `path` (a new library's generation 0); its identity."""
    atomic_write_with(path, lambda file: faiss.write_index(flat_index(dim), str(file)))
    return file_identity(path)


def check_recorded_size(path: Path, identity: str | None) -> None:
    """The quick look of `Library.check_at`: the file exists and has the recorded size (its checksum
    is left to opening)."""
    try:
        if not path.exists():
            raise FileNotFoundError(path)
        recorded = json.loads(identity)["bytes"] if identity else path.stat().st_size
        if path.stat().st_size != recorded:
            raise DamagedFile(f"{path.stat().st_size:,} bytes instead of {recorded:,}")
    except (OSError, DamagedFile) as exc:
        raise index_error(path.parent, path, exc) from exc


def check_file(path: Path, identity: str | None) -> None:
    """Raise `DamagedFile` when `path` is not the file recorded as `identity` (None: not recorded, as in
    libraries written before the check existed)."""
    if identity is None:
        return
    expected = json.loads(identity)
    if not path.exists():
        raise FileNotFoundError(path)
    size = path.stat().st_size
    if size != expected["bytes"]:
        raise DamagedFile(f"{size:,} bytes instead of {expected['bytes']:,}")
    if file_identity(path)["crc32"] != expected["crc32"]:
        raise DamagedFile("its checksum does not match")


def index_error(library: Path, path: Path, exc: Exception) -> CorruptLibraryError:
    """One line on what is wrong with an index file (faiss's own messages are long C++ traces)."""
    if isinstance(exc, FileNotFoundError):
        damage = "missing"
    elif isinstance(exc, DamagedFile):
        damage = f"damaged ({exc})"
    else:
        damage = "damaged (faiss cannot read it)"
    return CorruptLibraryError(
        f"The vector index {path.name} in {library} is {damage}. Rebuild it from the stored"
        " sentences: sanad repair"
    )


@contextlib.contextmanager
def threads(count: int | None) -> Iterator[None]:
    """Run faiss with `count` OpenMP threads in this thread (None: as it is), then as before.

    A search for one or a few queries is faster on one thread: splitting it costs more than it saves,
    and on a busy machine the second thread waits for a core (docs/measurements.md). The bot runs
    several searches at once in worker threads instead. OpenMP's thread count belongs to the calling
    thread, so other threads (a writer training IVF) keep theirs."""
    if count is None:
        yield
        return
    previous = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(count)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(previous)


def flat_index(dim: int) -> faiss.Index:
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
