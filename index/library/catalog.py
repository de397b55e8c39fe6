"""Where the libraries live: the shared one and every chat's, found by chat id (None: the shared one).

    OnDisk(data_dir, chats_dir)   the shared library in `data_dir`, chat n's in `chats_dir/n` (the default)
    OnServer(database)            rows of one PostgreSQL database (SANAD_DATABASE_URL), named "shared"
                                  and "chat:<id>" (index/library/postgres.py)

Callers (the shelf, the command line) ask a catalog for a library and never build a path or a name
themselves, so the same code serves both.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import numpy as np

from index.database import Postgres
from index.library.feedback import Vote
from index.library.library import Library, VectorSource
from index.library.postgres import SHARED, PostgresLibrary, library_exists, library_names
from index.library.schema import DB_NAME
from index.records import ModelInfo

AnyLibrary = Library | PostgresLibrary
_CHAT = "chat:"


class Catalog(Protocol):
    where: str  # the directory, or the server with its password hidden

    def open(
        self, chat_id: int | None, model: ModelInfo, probe: np.ndarray, *, create: bool = True
    ) -> AnyLibrary: ...
    def exists(self, chat_id: int | None) -> bool: ...
    def chat_ids(self) -> list[int]: ...
    def votes(self, chat_id: int) -> list[Vote]: ...
    def rebuild(
        self, chat_id: int | None, model: ModelInfo, probe: np.ndarray, vectors_for: VectorSource
    ) -> int: ...
    def describe(self, chat_id: int | None) -> str: ...
    def close(self) -> None: ...


class OnDisk:
    """Libraries as directories (SQLite + FAISS)."""

    kind = "disk"

    def __init__(self, data_dir: Path, chats_dir: Path) -> None:
        self.data_dir = data_dir
        self.chats_dir = chats_dir
        self.where = str(chats_dir)

    def path(self, chat_id: int | None) -> Path:
        return self.data_dir if chat_id is None else chat_path(self.chats_dir, chat_id)

    def open(
        self, chat_id: int | None, model: ModelInfo, probe: np.ndarray, *, create: bool = True
    ) -> Library:
        return Library.open(self.path(chat_id), model, probe, create=create)

    def exists(self, chat_id: int | None) -> bool:
        return (self.path(chat_id) / DB_NAME).exists()

    def chat_ids(self) -> list[int]:
        found = (path.parent.name for path in self.chats_dir.glob(f"*/{DB_NAME}"))
        return sorted(int(name) for name in found if name.lstrip("-").isdigit())

    def votes(self, chat_id: int) -> list[Vote]:
        return Library.votes_at(self.path(chat_id)) if self.exists(chat_id) else []

    def rebuild(
        self, chat_id: int | None, model: ModelInfo, probe: np.ndarray, vectors_for: VectorSource
    ) -> int:
        return Library.rebuild_at(self.path(chat_id), model, probe, vectors_for)

    def describe(self, chat_id: int | None) -> str:
        return str(self.path(chat_id))

    def close(self) -> None:
        """Nothing is held open: each library handle closes its own files."""


class OnServer:
    """Libraries as rows of one PostgreSQL database; the catalog owns the connection pool."""

    kind = "postgresql"

    def __init__(self, database: Postgres) -> None:
        self.database = database
        self.where = database.where

    def open(
        self, chat_id: int | None, model: ModelInfo, probe: np.ndarray, *, create: bool = True
    ) -> PostgresLibrary:
        return PostgresLibrary.open(self.database, library_name(chat_id), model, probe, create=create)

    def exists(self, chat_id: int | None) -> bool:
        return library_exists(self.database, library_name(chat_id))

    def chat_ids(self) -> list[int]:
        names = library_names(self.database)
        return sorted(int(name[len(_CHAT) :]) for name in names if name.startswith(_CHAT))

    def votes(self, chat_id: int) -> list[Vote]:
        return PostgresLibrary.votes_of(self.database, library_name(chat_id))

    def rebuild(
        self, chat_id: int | None, model: ModelInfo, probe: np.ndarray, vectors_for: VectorSource
    ) -> int:
        return PostgresLibrary.rebuild(self.database, library_name(chat_id), model, probe, vectors_for)

    def describe(self, chat_id: int | None) -> str:
        return f"{self.where} ({library_name(chat_id)})"

    def close(self) -> None:
        self.database.close()


def library_name(chat_id: int | None) -> str:
    """A library's name on the server: "shared", or "chat:<id>"."""
    return SHARED if chat_id is None else f"{_CHAT}{int(chat_id)}"


def chat_path(chats_dir: Path, chat_id: int) -> Path:
    """The directory of a chat's own library."""
    return chats_dir / str(int(chat_id))
