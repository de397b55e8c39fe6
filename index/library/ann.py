"""Which vector index a library uses, by its size: exact search while small, IVF beyond (on disk and
on a PostgreSQL server).

Pure policy: this module decides; `index.library.vectors` (the only faiss importer) builds what it plans
on disk, `index.library.postgres` on the server.

- Below `exact_limit` (100,000) sentences the index is exact: a flat inner-product scan, recall 1, no
  training. Its cost grows with the library but stays below the query's own embedding up to the limit.
- From the limit on it is IVF-Flat: k-means cells (4 * sqrt(N) of them) and a scan of the `nprobe`
  cells whose centroids score highest for the query. Vectors are kept exact, so scores are true
  cosines and ids are the SQLite sentence ids, as in the flat index.
- 32 probes keep recall@10 against exact search above 0.95, with a margin, at every size from 10^5 to
  10^6 sentences (`sanad bench --scale`). e5's scores bunch together, so a question's best sentences
  spread over many cells and IVF needs more probes than on clustered data. The cells come from plain
  k-means, not spherical: a query then probes the cells with the best mean score, which recalls more.
  (The probe counts measured, and why not HNSW: docs/measurements.md.)
- The index is re-planned on every write: a library that grows (or shrinks) past a bound is rebuilt
  from the vectors stored in SQLite, inside the same write, so the switch needs no user action.
  Hysteresis keeps a library near a bound from rebuilding on every add: IVF is trained again only
  when the library has grown or shrunk `retrain_factor` times since its training, and goes back to
  exact only below half the limit.
- Training is reproducible (a fixed seed for the sample and for k-means) and bounded whatever the size:
  at most `max_train_points` vectors, `train_iterations` k-means rounds, and no more cells than leave
  faiss's minimum of 39 training points each (3,360).

On a PostgreSQL server (`SERVER_POLICY`) a library is searched exactly, through the b-tree on its id,
below 20,000 sentences: an exact scan there grows linearly and costs a few milliseconds (about 35 ms at
10^5 on two cores). From there on the library gets its own IVFFlat index (pgvector; a partial index on
its rows) with the same cells, probes and hysteresis as on disk. pgvector's HNSW was measured too and
recalled 0.72 of the ten best at 10^6 with ef_search 400, against 0.98 for IVFFlat with 32 probes:
e5's bunched scores defeat its graph as they did faiss's (docs/measurements.md).
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from typing import Literal

IndexKind = Literal["flat", "ivf"]


@dataclass(frozen=True, slots=True)
class IndexPlan:
    """The index a library has (or should have): its kind and, for IVF, how it was trained."""

    kind: IndexKind
    nlist: int = 0  # IVF cells (k-means centroids)
    nprobe: int = 0  # cells searched per query
    trained_for: int = 0  # sentences in the library when the cells were trained

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> IndexPlan:
        data = json.loads(text)
        if data.get("kind") not in ("flat", "ivf"):
            raise ValueError(f"unknown index kind {data.get('kind')!r}")
        return cls(data["kind"], int(data["nlist"]), int(data["nprobe"]), int(data["trained_for"]))

    @property
    def label(self) -> str:
        """Human-readable: "exact" or "IVF 4000 cells, 16 probed"."""
        return "exact" if self.kind == "flat" else f"IVF {self.nlist} cells, {self.nprobe} probed"


FLAT = IndexPlan("flat")


@dataclass(frozen=True, slots=True)
class IndexPolicy:
    """When to switch to IVF and how to train it; the defaults are justified in the module docstring."""

    exact_limit: int = 100_000
    nprobe: int = 32
    cells_per_sqrt: float = 4.0
    min_points_per_cell: int = 39  # k-means needs this many training points per centroid (faiss warns)
    max_train_points: int = 131_072
    train_iterations: int = 10
    retrain_factor: float = 4.0
    seed: int = 20_260_301

    def plan(self, count: int) -> IndexPlan:
        """The index a library of `count` sentences gets when it is built from scratch."""
        if count < self.exact_limit:
            return FLAT
        most = min(count, self.max_train_points) // self.min_points_per_cell
        nlist = max(1, min(round(self.cells_per_sqrt * math.sqrt(count)), most))
        return IndexPlan("ivf", nlist=nlist, nprobe=min(self.nprobe, nlist), trained_for=count)

    def keeps(self, current: IndexPlan, count: int) -> bool:
        """Whether an index built as `current` still suits `count` sentences (else: rebuild it)."""
        if current.kind == "flat":
            return count < self.exact_limit
        if count < self.exact_limit // 2 or current.nlist > max(count, 1):
            return False
        return current.trained_for / self.retrain_factor <= count <= current.trained_for * self.retrain_factor

    def train_points(self, count: int, nlist: int) -> int:
        """How many vectors train the cells: all of them up to the bound (`plan` keeps the cells few
        enough for that bound to give each one enough)."""
        return min(count, self.max_train_points)


DEFAULT_POLICY = IndexPolicy()

# On a PostgreSQL server: the same cells and probes (pgvector's IVFFlat), from a smaller size on.
SERVER_POLICY = IndexPolicy(exact_limit=20_000)
