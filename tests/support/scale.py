"""A small stand-in for the scale bench's cached base of real sentences (lab/bench_scale.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

WORDS = ["قال", "المتحدث", "باسم", "الوزارة", "إن", "الهجوم", "استهدف", "خوادم", "البريد", "في", "عدة", "دول"]


def corpus_file(path: Path, count: int = 50, dim: int = 64) -> Path:
    """A small stand-in for the cached real base: sentences of real words, random unit vectors."""
    rng = np.random.default_rng(0)
    texts = [" ".join(rng.choice(WORDS, size=8)) + f" {n}" for n in range(count)]
    vectors = rng.normal(size=(count, dim)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    queries = rng.normal(size=(30, dim)).astype(np.float32)
    np.savez(path, texts=np.array(texts), vectors=vectors, queries=queries, model="test")
    return path
