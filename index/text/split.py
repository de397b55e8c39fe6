"""A project-owned sentence splitter for Arabic and English news text.

Off-the-shelf splitters each get some Arabic case wrong (a split after "د.", at the Arabic comma, a
miss after "2023م."), and the bot quotes sentences verbatim, so every sentence here is an exact
substring of the raw page: ``raw[sentence.start:sentence.end] == sentence.text``.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass

from index.records import Sentence, Span
from index.text.furniture import clean_article
from index.text.normalize import strip_span


@dataclass(frozen=True, slots=True)
class SplitArticle:
    """An article as its headline plus the body's sentences in reading order."""

    title: str | None
    sentences: tuple[Sentence, ...]


_TERMINATOR_RUN = re.compile(r"[.!?؟…]+")
_TERMINATORS = frozenset(".!?؟…")
# Closing quotes and brackets that belong to the sentence they follow. Arabic typists often close a
# quote with “ (U+201C), so the quotes that can also open count too.
_CLOSERS = frozenset("”’»›)]}\"'“‘")
_TWO_WAY_QUOTES = frozenset("\"'“‘")
_OPENING = "“‘«‹([{\"'"
_OPENERS = frozenset(_OPENING)
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_URL_TAIL = ".,;:!?؟…)]}”’\"'»"  # punctuation after an address is the sentence's, not the address's
# Starts only where a run of address characters starts, so a long "a.a.a..." stays linear.
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]++@[\w-]+(?:\.[\w-]+)+")
_DOTTED_ACRONYM = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_]")  # U.S, N.A.T.O, e.g, أ.د, ص.ب
_NUMBER = re.compile(r"\d[\d.,٫٬]*")
_TITLES = frozenset({"dr", "mr", "mrs", "ms", "prof", "st", "jr", "sr", "mt", "gen", "col", "lt", "capt"})
_MONTHS = frozenset({"jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"})
_ABBREVIATIONS = _TITLES | _MONTHS | {"vs", "fig", "approx", "gov", "sen", "rep", "هـ"}  # هـ: Hijri year
# م (Gregorian) and هـ (Hijri) after a year close the date, so the full stop may end the sentence.
_YEAR_MARKERS = frozenset({"م", "هـ", "ه"})
_MAX_TOKEN = 40


def _token_before(text: str, index: int, floor: int) -> tuple[str, int]:
    """The word glued to a full stop, without opening quotes, and where it starts."""
    start = index
    floor = max(floor, index - _MAX_TOKEN)  # longer "words" are no abbreviations; keeps this linear
    while start > floor and not text[start - 1].isspace():
        start -= 1
    token = text[start:index]
    stripped = token.lstrip(_OPENING)
    return stripped, start + len(token) - len(stripped)


def _is_abbreviation(text: str, dot: int, floor: int, following: str) -> bool:
    """Whether the full stop at ``dot`` belongs to an abbreviation, an initial or an acronym."""
    token, token_start = _token_before(text, dot, floor)
    if not token:
        return False
    if token in _YEAR_MARKERS:
        previous, _ = _token_before(text, token_start - 1, floor) if token_start > floor else ("", 0)
        if _NUMBER.fullmatch(previous):
            return False
    if _DOTTED_ACRONYM.fullmatch(token) or token.casefold() in _ABBREVIATIONS:
        return True
    if token.casefold() == "no":  # "No. 10", but "The answer was no." ends
        return following.isdigit()
    return len(token) == 1 and token.isalpha()  # initials: "J. K. Rowling", "أ. محمد", "د. علي"


def _starts_sentence(text: str, index: int, end: int) -> bool:
    """A glued next character starts a sentence only if it is a capital or a caseless-script letter.

    That keeps "2.5", "example.com" and "e.g" whole, and "Node.JS" too (a capital run is a name).
    """
    char = text[index]
    if not char.isalpha() or char.islower():
        return False
    after = text[index + 1] if index + 1 < end else " "
    return not (char.isupper() and after.isupper())


def _next_visible(text: str, index: int, end: int) -> str:
    """First character after spaces and opening quotes: what the next sentence would start with."""
    while index < end and (text[index].isspace() or text[index] in _OPENERS):
        index += 1
    return text[index] if index < end else ""


def _is_symbol(char: str) -> bool:
    # So: emoji and pictographs; Sk: skin tones; Mn/Cf: variation selectors and zero-width joiners.
    return unicodedata.category(char) in {"So", "Sk", "Mn", "Cf"}


def _skip_trailing_symbols(text: str, index: int, end: int) -> int:
    """Emoji after "Great news! 🎉" react to that sentence, so they stay with it."""
    probe = index
    while probe < end and (text[probe].isspace() or _is_symbol(text[probe])):
        if not text[probe].isspace():
            index = probe + 1
        probe += 1
    return index


def _protected(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """URLs and e-mail addresses are full of dots and question marks that end nothing."""
    urls = [
        (m.start(), m.start() + len(m.group().rstrip(_URL_TAIL))) for m in _URL.finditer(text, start, end)
    ]
    return sorted([*urls, *(m.span() for m in _EMAIL.finditer(text, start, end))])


def _inside(spans: list[tuple[int, int]], index: int) -> bool:
    i = bisect.bisect_right(spans, (index, float("inf"))) - 1
    return i >= 0 and spans[i][0] <= index < spans[i][1]


def _cut_after(text: str, run: re.Match[str], start: int, end: int) -> int | None:
    """Where a sentence ends after this run of terminators, or None when it does not end here."""
    cut = run.end()
    while cut < end and (text[cut] in _CLOSERS or text[cut] in _TERMINATORS):
        cut += 1
    if cut == end:
        return None  # the paragraph ends anyway
    if not text[cut].isspace():  # no space after the full stop, as web text often has
        if not _starts_sentence(text, cut, end):
            return None
        following = text[cut]
        # `said."Next`: a two-way quote glued to the next word opens the next sentence.
        while cut > run.end() and text[cut - 1] in _TWO_WAY_QUOTES:
            cut -= 1
    else:
        cut = _skip_trailing_symbols(text, cut, end)
        following = _next_visible(text, cut, end)
        if not following or following.islower():  # "etc. and", "and then... he left"
            return None
    if run.group() == "." and _is_abbreviation(text, run.start(), start, following):
        return None
    return cut


def split_sentences(text: str, *, start: int = 0, end: int | None = None) -> list[Span]:
    """Cut one paragraph, ``text[start:end]``, into sentence spans with offsets into ``text``."""
    end = len(text) if end is None else end
    protected = _protected(text, start, end)
    cuts = [
        cut
        for run in _TERMINATOR_RUN.finditer(text, start, end)
        if not _inside(protected, run.start()) and (cut := _cut_after(text, run, start, end)) is not None
    ]

    spans: list[Span] = []
    pending: int | None = None  # start of a wordless piece ("🎉", "...") waiting for a sentence to join
    for low, high in zip([start, *cuts], [*cuts, end], strict=True):
        piece = strip_span(text, low, high)
        if piece.start == piece.end:
            continue
        if not any(char.isalnum() for char in text[piece.start : piece.end]):
            if spans:
                spans[-1] = Span(spans[-1].start, piece.end)
            elif pending is None:
                pending = piece.start
            continue
        spans.append(Span(piece.start if pending is None else pending, piece.end))
        pending = None
    if pending is not None:
        spans.append(strip_span(text, pending, end))
    return spans


def split_article(raw: str) -> SplitArticle:
    """Clean a raw page and split its body into sentences; the headline stays out of them."""
    article = clean_article(raw)
    sentences: list[Sentence] = []
    for paragraph, span in enumerate(article.paragraphs):
        for piece in split_sentences(raw, start=span.start, end=span.end):
            sentences.append(
                Sentence(
                    start=piece.start,
                    end=piece.end,
                    paragraph=paragraph,
                    position=len(sentences),
                    text=raw[piece.start : piece.end],
                )
            )
    return SplitArticle(title=article.title, sentences=tuple(sentences))
