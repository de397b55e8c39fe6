"""`sanad bench --scale`: its data and one small run (the real sizes are a benchmark, not a test)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from lab.bench_scale import format_result, load_corpus, measure, sentences
from tests.support.scale import WORDS, corpus_file

pytestmark = pytest.mark.slow  # the scale benchmark's worker processes


def test_real_sentences_come_first_and_the_rest_are_recombinations_with_unit_vectors(tmp_path: Path) -> None:
    corpus = load_corpus(corpus_file(tmp_path / "base.npz"))
    texts, vectors = sentences(corpus, 300, np.random.default_rng(1))
    assert texts[:50] == corpus.texts and np.array_equal(vectors[:50], corpus.vectors)
    assert len(texts) == len(vectors) == 300
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert all(set(text.split()) <= set(WORDS) | {str(n) for n in range(50)} for text in texts[50:])
    # Derived vectors are made of real ones: they lie in the span of the 50 real vectors (of 64 dims).
    basis = np.linalg.qr(corpus.vectors.T)[0]
    outside = vectors[50:] - (vectors[50:] @ basis) @ basis.T
    assert np.abs(outside).max() < 1e-5


def test_a_small_scale_run_builds_searches_and_compares_with_exact_search(tmp_path: Path) -> None:
    figures = measure(2_000, corpus_file(tmp_path / "base.npz"), queries=20)
    assert figures["sentences"] == 2_000 and figures["index"] == "exact"
    assert figures["recall"] >= 0.99  # exact search agrees with the naive baseline, up to ties
    assert figures["index_mb"] > 0 and figures["database_mb"] > 0
    assert "recall@10 against exact" in format_result(figures)
