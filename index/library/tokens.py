"""How a sentence's content-token vectors are stored: int8 rows, a quarter of float32.

Only their directions matter to late interaction (rows are renormalised on reading), so each row is
scaled to its largest component and the scale itself is not kept.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def pack(tokens: np.ndarray) -> bytes:
    """int8 storage of unit token vectors, one row per token."""
    if len(tokens) == 0:
        return b""
    peak = np.maximum(np.abs(tokens).max(axis=1, keepdims=True), 1e-12)
    return np.round(tokens / peak * 127).astype(np.int8).tobytes()


def unpack_many(blobs: Sequence[bytes], dim: int) -> list[np.ndarray]:
    """The unit token vectors `pack` stored, for many sentences in one pass (a question's candidates
    are read together)."""
    if not blobs:
        return []
    rows = np.frombuffer(b"".join(blobs), dtype=np.int8).reshape(-1, dim).astype(np.float32)
    # A row's norm through einsum and one multiply: several times faster than linalg.norm and a divide.
    norms = np.sqrt(np.einsum("ij,ij->i", rows, rows))
    rows *= (1.0 / np.maximum(norms, 1e-12))[:, None]
    ends = np.cumsum([len(blob) // dim for blob in blobs])
    return np.split(rows, ends[:-1])
