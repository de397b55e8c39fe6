"""Content tokens: which of a text's token vectors carry a word or a number.

Late interaction (`index.search.late`) compares a question's words with a sentence's words; the
tokens of punctuation, spacing, the prompt and the special markers match everything a little and
would blur that score, so every backend keeps only these, from the same forward pass that makes the
sentence vector.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np


def is_content(piece: str | None) -> bool:
    """Whether a vocabulary piece carries a word or number: punctuation, spacing and special tokens
    match everything a little and would blur the score."""
    if piece is None or (piece.startswith("<") and piece.endswith(">")):
        return False
    return any(c.isalnum() for c in piece)


class ContentFilter:
    """`is_content` by token id, decided the first time an id is met: reading the whole vocabulary
    (250k pieces) up front would add a second to start-up. Thread-safe (a race only repeats work)."""

    def __init__(self, piece: Callable[[int], str | None]) -> None:
        self._piece = piece
        self._known: dict[int, bool] = {}

    def __call__(self, token_id: int) -> bool:
        known = self._known.get(token_id)
        if known is None:
            known = self._known[token_id] = is_content(self._piece(token_id))
        return known


def content_positions(ids: Sequence[int], skip: int, content: Callable[[int], bool]) -> list[int]:
    """Positions of one text's content tokens; the first `skip` (the start token and the prompt, such
    as "query:") are not part of the text. Token vectors and their places in the text both follow it."""
    return [n for n in range(skip, len(ids)) if content(ids[n])]


def content_tokens(
    hidden: np.ndarray, ids: Sequence[int], skip: int, content: Callable[[int], bool]
) -> np.ndarray:
    """Unit vectors of the content tokens of one text; `hidden` holds one row per id."""
    rows = np.asarray(hidden[content_positions(ids, skip, content)], dtype=np.float32)
    return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)
