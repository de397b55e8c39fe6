"""A large library on PostgreSQL gets its own IVF index (pgvector), as a large one on disk does, and
loses it again when it shrinks; searches through it find what exact search finds."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from index.database import Postgres
from index.library import IndexPolicy
from index.library.postgres import PostgresLibrary, set_up
from tests.index.library.test_library import MODEL, PROBE, document, vectors

# Small bounds, so that a few hundred sentences cross them; three cells of ten probed per query.
POLICY = IndexPolicy(exact_limit=300, nprobe=3)
PER_DOCUMENT = 100


@pytest.fixture
def library(database_url: str) -> Iterator[PostgresLibrary]:
    database = Postgres.connect(database_url)
    try:
        set_up(database)
        yield PostgresLibrary.open(database, "chat:1", MODEL, PROBE, policy=POLICY)
    finally:
        database.close()


def add_documents(library: PostgresLibrary, count: int, first: int = 0) -> np.ndarray:
    """`count` documents of PER_DOCUMENT sentences each; their vectors, in the order of their ids."""
    stored = []
    for n in range(first, first + count):
        vecs = vectors(PER_DOCUMENT, seed=n)
        library.add(document("\n".join(f"sentence {n}.{i}" for i in range(PER_DOCUMENT)), title=str(n)), vecs)
        stored.append(vecs)
    return np.concatenate(stored)


def test_a_library_past_the_bound_is_searched_through_its_ivf_index_and_finds_what_exact_finds(
    library: PostgresLibrary,
) -> None:
    stored = add_documents(library, 2)
    assert library.index_plan.kind == "flat"
    stored = np.concatenate([stored, add_documents(library, 2, first=2)])
    assert (
        library.index_plan.kind == "ivf" and library.index_plan.trained_for == 300
    )  # built by the add that crossed it

    queries = vectors(20, seed=99)
    found = library.search(queries, k=10)
    exact = [set(np.argsort(-(stored @ query))[:10] + 1) for query in queries]  # ids count from 1
    recall = np.mean([len({i for i, _ in hits} & best) / 10 for hits, best in zip(found, exact, strict=True)])
    assert recall >= 0.9
    for hits in found:
        scores = [score for _, score in hits]
        assert scores == sorted(scores, reverse=True)


def test_a_query_wanting_more_rows_than_the_probed_cell_holds_still_gets_them(
    library: PostgresLibrary,
) -> None:
    add_documents(library, 4)
    assert library.index_plan.kind == "ivf"
    assert len(library.search(vectors(1, seed=7), k=150)[0]) == 150  # pgvector's iterative scan


def test_a_library_that_shrinks_below_half_the_bound_is_searched_exactly_again(
    library: PostgresLibrary,
) -> None:
    add_documents(library, 4)
    for document_id in (1, 2, 3):
        library.remove(document_id)
    assert library.sentence_count() == 100
    assert library.index_plan.kind == "flat"
    left = library.database.query(
        "SELECT count(*) FROM pg_indexes WHERE starts_with(indexname, ?)", ("sentences_ivf",)
    )
    assert left == [(0,)]
