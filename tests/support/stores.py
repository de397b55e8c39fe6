"""The two stores a library can live in, behind one small face for tests that must hold for both: a
directory on disk (SQLite + FAISS) and a PostgreSQL server (pgvector)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from index.database import Postgres
from index.library import Library, VectorSource
from index.library.postgres import PostgresLibrary, set_up
from index.records import ModelInfo

NAME = "chat:-1001"


class DiskStore:
    kind = "disk"

    def __init__(self, path: Path) -> None:
        self.path = path

    def open(self, model: ModelInfo, probe: np.ndarray, *, create: bool = True) -> Library:
        return Library.open(self.path, model, probe, create=create)

    def rebuild(self, model: ModelInfo, probe: np.ndarray, vectors_for: VectorSource) -> int:
        return Library.rebuild_at(self.path, model, probe, vectors_for)


class ServerStore:
    kind = "postgresql"

    def __init__(self, database: Postgres) -> None:
        self.database = database

    def open(self, model: ModelInfo, probe: np.ndarray, *, create: bool = True) -> PostgresLibrary:
        return PostgresLibrary.open(self.database, NAME, model, probe, create=create)

    def rebuild(self, model: ModelInfo, probe: np.ndarray, vectors_for: VectorSource) -> int:
        return PostgresLibrary.rebuild(self.database, NAME, model, probe, vectors_for)


Store = DiskStore | ServerStore


@contextmanager
def server_store(url: str) -> Iterator[ServerStore]:
    """A store on the database at `url`, its library tables set up."""
    database = Postgres.connect(url)
    try:
        set_up(database)
        yield ServerStore(database)
    finally:
        database.close()
