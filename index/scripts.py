"""Which script a text is written in: questions asked across scripts score lower and share no words."""

from __future__ import annotations

import functools
import re
from typing import Literal

ScriptKind = Literal["same_script", "cross_script"]
SCRIPT_KINDS: tuple[ScriptKind, ...] = ("same_script", "cross_script")

_ARABIC_LETTERS = re.compile(
    "[\u0620-\u064a\u066e-\u06d3\u06fa-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufefc]"
)
_LATIN_LETTERS = re.compile("[A-Za-z\u00c0-\u024f]")


@functools.lru_cache(maxsize=8192)  # a library's sentences are met again and again, question after question
def dominant_script(text: str) -> str:
    """'arabic', 'latin' or 'other', by which letters are most common: enough to tell score ranges."""
    arabic = len(_ARABIC_LETTERS.findall(text))
    latin = len(_LATIN_LETTERS.findall(text))
    other = sum(ch.isalpha() for ch in text) - arabic - latin
    counts = {"arabic": arabic, "latin": latin, "other": other}
    return max(counts, key=lambda k: counts[k])


def script_kind(question: str, sentence: str) -> ScriptKind:
    """Whether `question` is written in the script of `sentence`."""
    return "same_script" if dominant_script(question) == dominant_script(sentence) else "cross_script"
