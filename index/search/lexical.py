"""BM25 over Arabic-normalised word tokens: the lexical evidence beside the dense models.

Lexical overlap is strong evidence when the question is written in the article's script, and
useless across scripts, except for the tokens every script writes the same way: numbers, Latin
names and acronyms ("anchors"). `BM25.coverage` scores a sentence between 0 and about 1, so it can
be added to cosine scores and calibrated with them.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

from index.text import normalize_arabic

_WORD = re.compile(r"\w+")
# Clitics glued to the front of Arabic words: "والصين" and "الصين" should match "صين".
_PREFIXES = ("وال", "فال", "بال", "كال", "لل", "ال", "و", "ف", "ب", "ل")
_ARABIC_LETTER = re.compile(r"[\u0621-\u064a]")
_ANCHOR = re.compile(r"[0-9a-z]")
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "0123456789" * 2)
# Digit groups joined by a thousands or decimal mark ("250,000", "3.5", "٢٬٥") are one number.
_NUMBER = re.compile(r"[0-9]+(?:[,.\u066b\u066c'][0-9]+)*")
_NUMBER_MARKS = re.compile(r"[,.\u066b\u066c']")
# A number the question names stands alone: "G7", "1st" and "1990s" are names, not amounts.
_NAMED_NUMBER = re.compile(r"(?<!\w)" + _NUMBER.pattern + r"(?!\w)")


def tokenize(text: str) -> list[str]:
    """Normalised word tokens with common Arabic prefixes removed (words stay at least 2 letters)."""
    return [_strip_prefix(token) for token in _WORD.findall(normalize_arabic(text).translate(_DIGITS))]


def normalize_token(token: str) -> str:
    """One word as BM25 sees it: folded spelling, ASCII digits, no leading Arabic clitic."""
    return _strip_prefix(normalize_arabic(token).translate(_DIGITS))


def _strip_prefix(token: str) -> str:
    if not _ARABIC_LETTER.match(token):
        return token
    for prefix in _PREFIXES:
        if token.startswith(prefix) and len(token) - len(prefix) >= 2:
            return token[len(prefix) :]
    return token


def _number_key(number: str) -> str:
    """A number as both sides can write it: no marks, no trailing zeros, so "250,000" matches
    "250 ألف" and "3 million" matches "3,000,000"."""
    return _NUMBER_MARKS.sub("", number).rstrip("0") or "0"


def named_numbers(question: str) -> set[str]:
    """The numbers of two digits or more a question names (years, amounts), as `held_numbers` keys
    them; smaller ones are often spelt out in articles."""
    text = question.translate(_DIGITS)
    found = (m.group() for m in _NAMED_NUMBER.finditer(text))
    return {_number_key(n) for n in found if len(_NUMBER_MARKS.sub("", n)) >= 2}


def held_numbers(text: str) -> frozenset[str]:
    """Every number a text holds, however it is attached ("2020م", "كوفيد-19"), keyed as the question's
    are: an article that holds none of the numbers a question names is about something else."""
    return frozenset(_number_key(m.group()) for m in _NUMBER.finditer(text.translate(_DIGITS)))


def anchors(terms: Iterable[str]) -> set[str]:
    """The terms that can match across scripts: numbers, and Latin names and acronyms (which an
    Arabic article writes in Latin letters when it writes them so)."""
    return {term for term in terms if _ANCHOR.search(term)}


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
        self._unseen_idf = math.log(1 + (n + 0.5) / 0.5)
        self._k1, self._b = k1, b

    def knows(self, term: str) -> bool:
        """Whether any text holds `term`."""
        return term in self._idf

    def scores(self, query: str) -> np.ndarray:
        """One score per text; 0 where the text shares no word with the query."""
        return self._scores(set(tokenize(query)))

    def coverage(self, terms: Iterable[str]) -> np.ndarray:
        """BM25 of each text divided by what a text holding every term once would score: 0 when it
        shares nothing, about 1 when it holds them all. Terms no text holds count fully against."""
        terms = set(terms)
        ideal = sum(self._idf.get(t, self._unseen_idf) for t in terms)
        if not terms or ideal <= 0:
            return np.zeros(len(self._docs), dtype=np.float64)
        return self._scores(terms) / ideal

    def _scores(self, terms: set[str]) -> np.ndarray:
        result = np.zeros(len(self._docs), dtype=np.float64)
        norm = self._k1 * (1 - self._b + self._b * self._lengths / (self._avg or 1.0))
        for term in terms:
            idf = self._idf.get(term)
            if idf is None:
                continue
            tf = np.array([doc.get(term, 0) for doc in self._docs], dtype=np.float64)
            result += idf * tf * (self._k1 + 1) / (tf + norm)
        return result
