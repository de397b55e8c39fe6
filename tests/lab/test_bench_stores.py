"""`python -m lab.bench_stores`: both stores measured side by side on the same data (small sizes here;
the real ones are a benchmark, not a test), and the same answers from both."""

from __future__ import annotations

from pathlib import Path

import pytest

from index import IndexSettings
from index.embedding import Encoder
from lab.bench_scale import load_corpus
from lab.bench_stores import (
    format_answers,
    format_small,
    large_on_server,
    many_small,
    question_sets,
    same_answers,
    server_database,
)
from tests.support.scale import corpus_file


def test_many_small_libraries_are_searched_exactly_on_both_stores(tmp_path: Path, postgres: str) -> None:
    corpus = load_corpus(corpus_file(tmp_path / "base.npz", count=400))
    with server_database(postgres) as url:
        figures = many_small(corpus, tmp_path, url, chats=6, per_chat=40, queries=12)
    for store in ("disk", "postgresql"):
        assert figures[store]["recall"] == 1.0  # both search a chat's own sentences exactly
        assert figures[store]["add_rate"] > 0 and figures[store]["size_mb"] > 0
    assert "recall@10 against exact" in format_small(figures)


def test_a_large_library_on_the_server_is_measured_against_exact_search(
    tmp_path: Path, postgres: str
) -> None:
    with server_database(postgres) as url:
        figures = large_on_server(corpus_file(tmp_path / "base.npz"), url, 2_500, queries=20)
    assert figures["index"] == "exact" and figures["recall"] >= 0.99  # up to ties
    assert figures["database_mb"] > 0 and figures["search_p50_ms"] > 0


@pytest.mark.slow  # every seed question through the serving searcher, on both stores
def test_the_seed_questions_get_the_same_first_quote_on_both_stores(
    tmp_path: Path, postgres: str, settings: IndexSettings, encoder: Encoder
) -> None:
    with server_database(postgres) as url:
        results = same_answers(settings, encoder, tmp_path, url, question_sets(arcd=False))
    assert results and all(r["questions"] >= 50 for r in results)
    assert all(r["identical"] >= 0.99 * r["questions"] for r in results), format_answers(results)
