"""Which words of a quote to bold: the ones the question shares with it (numbers and names included).

Only exact character spans of the quote are returned, so the quote itself stays an exact substring of
the article. Across scripts only numbers and Latin names can be located this way, and that is all that
is marked: better nothing bold than the wrong word bold.
"""

from __future__ import annotations

import re

from index.lexical import normalize_token, tokenize

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
    spans: list[tuple[int, int]] = []
    for match in _WORD.finditer(quote):
        if normalize_token(match.group()) in wanted:
            start, end = match.span()
            if spans and quote[spans[-1][1] : start].isspace():
                start = spans.pop()[0]  # one bold run for neighbouring words
            spans.append((start, end))
    return tuple(spans)
