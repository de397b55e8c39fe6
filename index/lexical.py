"""BM25 over Arabic-normalised word tokens: the lexical baseline that dense retrieval must beat."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

from index.text import normalize_arabic

_WORD = re.compile(r"\w+")
# Clitics glued to the front of Arabic words: "والصين" and "الصين" should match "صين".
_PREFIXES = ("وال", "فال", "بال", "كال", "لل", "ال", "و", "ف", "ب", "ل")
_ARABIC_LETTER = re.compile(r"[\u0621-\u064a]")


def tokenize(text: str) -> list[str]:
    """Normalised word tokens with common Arabic prefixes removed (words stay at least 2 letters)."""
    return [_strip_prefix(token) for token in _WORD.findall(normalize_arabic(text))]


def _strip_prefix(token: str) -> str:
    if not _ARABIC_LETTER.match(token):
        return token
    for prefix in _PREFIXES:
        if token.startswith(prefix) and len(token) - len(prefix) >= 2:
            return token[len(prefix) :]
    return token


class BM25:
    """Okapi BM25 (k1=1.5, b=0.75) over a fixed list of texts."""

    def __init__(self, texts: Sequence[str], *, k1: float = 1.5, b: float = 0.75) -> None:
        self._docs = [Counter(tokenize(t)) for t in texts]
        self._lengths = np.array([sum(d.values()) for d in self._docs], dtype=np.float64)
        self._avg = float(self._lengths.mean()) if len(self._docs) else 0.0
        frequency: Counter[str] = Counter()
        for doc in self._docs:
            frequency.update(doc.keys())
        n = len(self._docs)
        self._idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in frequency.items()}
        self._k1, self._b = k1, b

    def scores(self, query: str) -> np.ndarray:
        """One score per text; 0 where the text shares no word with the query."""
        result = np.zeros(len(self._docs), dtype=np.float64)
        norm = self._k1 * (1 - self._b + self._b * self._lengths / (self._avg or 1.0))
        for term in set(tokenize(query)):
            idf = self._idf.get(term)
            if idf is None:
                continue
            tf = np.array([doc.get(term, 0) for doc in self._docs], dtype=np.float64)
            result += idf * tf * (self._k1 + 1) / (tf + norm)
        return result
