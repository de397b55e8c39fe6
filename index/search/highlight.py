"""Which words of a quote to bold: the ones the question shares with it (numbers and names included),
and, across languages, the ones e5's token vectors align with the question's words (`translated_spans`).

Only exact character spans of the quote are returned, so the quote itself stays an exact substring of
the article. An alignment counts only between a question word's first piece and a sentence token that
are each other's best match, at a cosine read off the seed questions (`index.search.late.ALIGNED`): better
nothing bold than the wrong word bold.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from index.search.lexical import normalize_token, tokenize

# Words as written: Arabic diacritics and tatweel inside a word do not cut it.
_WORD = re.compile(r"\w[\w\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]*")

# Function words are shared by almost every question and sentence; bolding them says nothing.
_STOPWORDS = frozenset(
    tokenize(
        "في من على الى إلى عن مع ما ماذا متى أين كيف لماذا هل كم أي التي الذي الذين هذا هذه ذلك تلك"
        " هو هي هم كان كانت قد لقد لم لن أن إن أو ثم بعد قبل عند حتى كل بين وقال قال"
        " the a an of in on at to for from by with and or but is are was were be been has have had"
        " do does did what who whom whose which when where why how that this these those it its as"
        " not no than then there their they he she his her him we you i about into over after before"
    )
)


def highlight_spans(question: str, quote: str) -> tuple[tuple[int, int], ...]:
    """Character spans of `quote` holding words of `question` (after spelling normalisation)."""
    wanted = set(tokenize(question)) - _STOPWORDS
    if not wanted:
        return ()
    return merged(quote, [m.span() for m in _WORD.finditer(quote) if normalize_token(m.group()) in wanted])


def translated_spans(
    question: str,
    question_spans: Sequence[tuple[int, int]],
    quote: str,
    quote_spans: Sequence[tuple[int, int]],
    pairs: Iterable[tuple[int, int]],
) -> list[tuple[int, int]]:
    """The words of `quote` holding a token aligned with the first piece of a question word.

    `pairs` index `question_spans` and `quote_spans`: the character spans of the aligned tokens."""
    starts = {m.start(): m.group() for m in _WORD.finditer(question)}
    words = []
    for i, j in pairs:
        word = starts.get(question_spans[i][0] + _leading_spaces(question, question_spans[i][0]))
        if word is None or len(word) < 3 or normalize_token(word) in _STOPWORDS:
            continue  # a word's later pieces ("ed" of "denied") and function words align with noise
        at = quote_spans[j][0] + _leading_spaces(quote, quote_spans[j][0])
        words.extend(m.span() for m in _WORD.finditer(quote) if m.start() <= at < m.end())
    return words


def merged(quote: str, spans: Iterable[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """Spans in order without repeats, neighbouring words (only spaces between) in one bold run."""
    runs: list[tuple[int, int]] = []
    for start, end in sorted(set(spans)):
        if runs and (start <= runs[-1][1] or quote[runs[-1][1] : start].isspace()):
            first, last = runs.pop()
            runs.append((first, max(last, end)))
        else:
            runs.append((start, end))
    return tuple(runs)


def _leading_spaces(text: str, at: int) -> int:
    """Offsets of a token that starts a word include the space before it."""
    n = 0
    while at + n < len(text) and text[at + n].isspace():
        n += 1
    return n
