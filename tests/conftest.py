"""Shared fixtures: the real bundled model, loaded once per test session, and the real seed article."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from index.config import IndexSettings
from index.embedding import Encoder, TorchEncoder, load_encoder, load_torch_encoder
from index.ingest import add_source, read_source, seed_paths
from index.library import Library
from index.records import SourceText
from index.search import Searcher
from index.service import searcher_for
from lab.postgres import Server, fresh_database, postgres_server

SEED = seed_paths()[0]
# Fixtures that load a reference model (torch, the float32 graph): seconds before the first test that
# uses them.
REFERENCE_FIXTURES = frozenset({"torch_encoder", "onnx_fp32"})
SPOKESMAN = "ونفى المتحدث باسم وزارة الخارجية الصينية هذه المزاعم"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that needs a reference model is slow, whichever file it is in: `-m "not slow"` then
    never imports torch."""
    for item in items:
        if REFERENCE_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def postgres_running() -> Iterator[Server]:
    """A real PostgreSQL server for the session (lab/postgres.py). Its data is not under pytest's
    temporary directory, which a second pytest run on the machine prunes (it keeps the last three)."""
    with (
        tempfile.TemporaryDirectory(prefix="sanad-postgres-") as directory,
        postgres_server(Path(directory)) as server,
    ):
        yield server


@pytest.fixture(scope="session")
def postgres(postgres_running: Server) -> str:
    """The URL of the session server's administration database."""
    return postgres_running.url


@pytest.fixture
def database_url(postgres: str) -> Iterator[str]:
    """An empty database of this test's own on the session's server."""
    with fresh_database(postgres) as url:
        yield url


@pytest.fixture(scope="session")
def settings() -> IndexSettings:
    return IndexSettings.from_env()


@pytest.fixture(scope="session")
def encoder(settings: IndexSettings) -> Encoder:
    """The encoder Sanad serves with (SANAD_BACKEND, by default onnx-int8)."""
    return load_encoder(settings)


@pytest.fixture(scope="session")
def torch_encoder(settings: IndexSettings) -> TorchEncoder:
    """The reference the ONNX backends are checked against."""
    return load_torch_encoder(settings.model, settings.model_cache)


@pytest.fixture(scope="session")
def seed_source() -> SourceText:
    return read_source(SEED)


@pytest.fixture(scope="session")
def seed_library(
    tmp_path_factory: pytest.TempPathFactory, encoder: Encoder, seed_source: SourceText
) -> Iterator[Library]:
    """A library on disk holding the seed article, shared by read-only tests."""
    library = Library.open(tmp_path_factory.mktemp("seed-library"), encoder.info, encoder.probe())
    add_source(library, encoder, seed_source)
    yield library
    library.close()


@pytest.fixture(scope="session")
def searcher(seed_library: Library, encoder: Encoder, settings: IndexSettings) -> Searcher:
    """The searcher users get: calibrated fusion and thresholds over the seed library."""
    return searcher_for(settings, seed_library, encoder)


@pytest.fixture
def data_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point SANAD_DATA at an empty directory, as a fresh install would have."""
    library = tmp_path / "library"
    monkeypatch.setenv("SANAD_DATA", str(library))
    return library
