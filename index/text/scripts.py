"""Writing systems: which script a text is written in, and which characters are invisible.

One definition of each serves every layer: the fusion (questions asked across scripts score lower
and share no words), an article's guessed language, the bot's choice of interface language, and the
characters stripped from quotes and questions (zero-width and bidi controls are invisible on screen,
yet they break exact matching and quoting).
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable
from typing import Literal

ScriptKind = Literal["same_script", "cross_script"]
SCRIPT_KINDS: tuple[ScriptKind, ...] = ("same_script", "cross_script")

# Zero-width characters, directional marks, embeddings and overrides, isolates, the word joiner and
# invisible operators, the Arabic letter mark and the byte-order mark.
INVISIBLE = frozenset(
    "\u200b\u200c\u200d\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e"
    "\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\ufeff"
)
INVISIBLE_RUN = re.compile("[" + "".join(sorted(INVISIBLE)) + "]")

_ARABIC_LETTERS = re.compile(
    "[\u0620-\u064a\u066e-\u06d3\u06fa-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufefc]"
)
_LATIN_LETTERS = re.compile("[A-Za-z\u00c0-\u024f]")


def count_scripts(text: str) -> Counter[str]:
    """How many letters of `text` are 'arabic', 'latin' and 'other'."""
    arabic = len(_ARABIC_LETTERS.findall(text))
    latin = len(_LATIN_LETTERS.findall(text))
    other = sum(ch.isalpha() for ch in text) - arabic - latin
    return Counter({"arabic": arabic, "latin": latin, "other": other})


# Questions and sentences are met again and again; whole articles go through `count_scripts`.
script_counts = functools.lru_cache(maxsize=8192)(count_scripts)


def dominant_script(text: str) -> str:
    """'arabic', 'latin' or 'other', by which letters are most common: enough to tell score ranges."""
    return _most(script_counts(text))


def article_script(sentences: Iterable[str]) -> str:
    """The script an article is written in, from all of its sentences: a Latin name or quote inside an
    Arabic article does not make that sentence a foreign one."""
    total: Counter[str] = Counter()
    for sentence in sentences:
        total.update(count_scripts(sentence))
    return _most(total)


def _most(counts: Counter[str]) -> str:
    return max(("arabic", "latin", "other"), key=lambda k: counts[k])


def is_arabic_script(text: str) -> bool:
    """More letters in the Arabic script than in all others together."""
    counts = script_counts(text)
    return counts["arabic"] > counts["latin"] + counts["other"]


def script_kind(question: str, text: str) -> ScriptKind:
    """Whether `question` is written in the script of `text`."""
    return pairing(question, dominant_script(text))


def pairing(question: str, script: str) -> ScriptKind:
    """Whether `question` is written in `script` (an article's, see `article_script`)."""
    return "same_script" if dominant_script(question) == script else "cross_script"


def without_invisible(text: str) -> str:
    """`text` without the characters in INVISIBLE."""
    return INVISIBLE_RUN.sub("", text)
