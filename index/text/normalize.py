"""Folding text for matching, and trimming spans without moving their offsets.

Normalisation is used only to *recognise* things (furniture phrases, BM25 terms, highlighted words),
never to change what is returned: every offset points into the raw text, so a quote can later be cut
from the page exactly as it was published.
"""

from __future__ import annotations

import re
import unicodedata

from index.records import Span
from index.text.scripts import INVISIBLE

_NORMALIZE_TABLE = str.maketrans(
    {
        **dict.fromkeys("أإآٱٲٳ", "ا"),
        "ى": "ي",
        "ة": "ه",
        "ـ": None,  # tatweel only stretches a word
        **dict.fromkeys(INVISIBLE),
    }
)
# Harakat, tanwin, shadda, sukun, superscript alef and Quranic annotation marks.
_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed]")


def normalize_arabic(text: str) -> str:
    """Fold the spelling variants Arabic web text mixes freely, so that lookups match them all.

    For matching only: the result is not a substring of the input and must never be shown or quoted.
    """
    text = unicodedata.normalize("NFKC", text).translate(_NORMALIZE_TABLE)
    return _DIACRITICS.sub("", text).casefold()


def _is_blank(char: str) -> bool:
    return char.isspace() or char in INVISIBLE


def strip_span(text: str, start: int, end: int) -> Span:
    """Shrink ``[start, end)`` past surrounding whitespace and invisible marks, keeping offsets exact."""
    while start < end and _is_blank(text[start]):
        start += 1
    while end > start and _is_blank(text[end - 1]):
        end -= 1
    return Span(start, end)
