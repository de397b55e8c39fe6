"""Page-text cleaning: find the headline and the body paragraphs of a raw article page.

Every offset points into the raw text, so a quote can later be cut from the page exactly as it was
published. Normalisation is used only to *recognise* things (furniture phrases), never to change
what is returned.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.records import Span
from index.text.normalize import normalize_arabic, strip_span


@dataclass(frozen=True, slots=True)
class Article:
    """A page reduced to its headline and body paragraphs, as spans of the raw text."""

    title: str | None
    title_span: Span | None
    paragraphs: tuple[Span, ...]


# Every line break Python's str.splitlines() knows, so CRLF and U+2028 pages split like LF ones.
_LINE = re.compile(r"[^\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]+")
_WORD = re.compile(r"\w+")
_SENTENCE_FINAL = re.compile(r"[.!?؟…][\"'”“’‘»)\]]*$")


def _tokens(line: str) -> list[str]:
    return _WORD.findall(normalize_arabic(line).replace("©", " copyright "))


def _phrases(listing: str) -> tuple[tuple[str, ...], ...]:
    """Phrases written naturally and separated by "|", turned into normalised word tuples."""
    return tuple(tuple(_tokens(phrase)) for phrase in listing.split("|"))


# Lines made (mostly) of these phrases are page chrome, not article text.
_FURNITURE_PHRASES = (
    # related articles, read also
    *_phrases("اقرأ أيضاً | شاهد أيضاً | طالع أيضاً | اقرأ المزيد | مقالات ذات صلة | أخبار ذات صلة"),
    *_phrases("مواضيع ذات صلة | ذات صلة"),
    *_phrases("related articles | related stories | related | read also | read more | see also"),
    *_phrases("more stories"),
    # back to top
    *_phrases("زر الذهاب إلى الأعلى | الذهاب إلى الأعلى | العودة إلى الأعلى | back to top | scroll to top"),
    # share and follow
    *_phrases("شارك | شارك المقال | مشاركة | تابعونا | تابعنا"),
    *_phrases("share | share this | share this article | share on | follow us | follow us on"),
    # copyright
    *_phrases("جميع الحقوق محفوظة | حقوق النشر محفوظة | حقوق النشر | all rights reserved | copyright"),
    # newsletter
    *_phrases("اشترك في النشرة البريدية | النشرة البريدية | النشرة الإخبارية | اشترك الآن"),
    *_phrases("sign up for our newsletter | subscribe to our newsletter | newsletter | subscribe"),
    # comments
    *_phrases("التعليقات | تعليقات | أضف تعليقاً | اترك تعليقاً"),
    *_phrases("comments | leave a comment | comments are closed"),
    # advertising
    *_phrases("إعلان | إعلانات | محتوى مدعوم | advertisement | sponsored | sponsored content"),
)
# Words that ride along with furniture phrases ("Follow us on Twitter") without making a line text.
_FURNITURE_FILLER = frozenset(
    _tokens("facebook twitter x whatsapp telegram instagram youtube linkedin tiktok email print on via and")
    + _tokens(
        "فيسبوك فيس بوك تويتر إكس واتساب واتس اب تيليجرام تلغرام انستغرام انستجرام يوتيوب لينكدإن على عبر"
    )
)
# "اقرأ أيضاً: <another headline>" is a link to another article, however long its title.
_FURNITURE_PREFIX = re.compile(
    r"^(?:{})\s*[:\-–—|»>]".format(
        "|".join(
            re.escape(" ".join(phrase))
            for phrase in _phrases(
                "اقرأ أيضاً | اقرأ كذلك | شاهد أيضاً | طالع أيضاً | اقرأ المزيد"
                "| read also | also read | read more | see also | related | watch"
            )
        )
    )
)
_MAX_FURNITURE_WORDS = 15
_MAX_PREFIXED_FURNITURE_WORDS = 25


def _is_filler(token: str) -> bool:
    # Arabic glues "and" to the next word: "وتويتر" is "and Twitter".
    return token.isdigit() or token in _FURNITURE_FILLER or token.removeprefix("و") in _FURNITURE_FILLER


def _phrase_coverage(tokens: list[str]) -> set[int]:
    covered: set[int] = set()
    for phrase in _FURNITURE_PHRASES:
        width = len(phrase)
        for i in range(len(tokens) - width + 1):
            if tuple(tokens[i : i + width]) == phrase:
                covered.update(range(i, i + width))
    return covered


def is_furniture(line: str) -> bool:
    """Tell page chrome ("Read also", "Back to top", "© ...") from article text.

    A line counts only when such phrases make up most of it, so a body paragraph that merely
    mentions "share" or starts with "إعلان" stays.
    """
    tokens = _tokens(line)
    if not tokens:
        return True  # dividers such as "***" or "—" carry no text to quote
    if _FURNITURE_PREFIX.match(normalize_arabic(line).strip()):
        return len(tokens) <= _MAX_PREFIXED_FURNITURE_WORDS
    if len(tokens) > _MAX_FURNITURE_WORDS:
        return False
    covered = _phrase_coverage(tokens)
    if not covered:
        return False
    chrome = sum(1 for i, token in enumerate(tokens) if i in covered or _is_filler(token))
    return chrome * 2 > len(tokens)


_MAX_HEADING_WORDS = 30
_MAX_HEADING_CHARS = 250
_MAX_BREADCRUMB_WORDS = 4
_MIN_HEADLINE_WORDS = 5
_BREADCRUMB_LOOKAHEAD = 3
_BREADCRUMB_SEPARATOR = re.compile(r"[>›]|\s[»/|\\]\s")
_HOME_WORDS = frozenset({"home", "الرئيسيه"})


def _looks_like_heading(line: str) -> bool:
    """Headlines and breadcrumbs are short and carry no sentence-final punctuation."""
    return (
        len(line) <= _MAX_HEADING_CHARS
        and len(line.split()) <= _MAX_HEADING_WORDS
        and not _SENTENCE_FINAL.search(line)
    )


def _is_breadcrumb(line: str, following: str | None) -> bool:
    """A navigation trail sits above the headline: separators, a "Home" start, or a short stub."""
    if not _looks_like_heading(line):
        return False
    tokens = _tokens(line)
    if _BREADCRUMB_SEPARATOR.search(line) or (tokens and tokens[0] in _HOME_WORDS):
        return True
    # "رئيسيشئون أوروبية" above a longer headline: a short stub with no separators left.
    if following is None or not _looks_like_heading(following):
        return False
    words, following_words = len(line.split()), len(following.split())
    return words <= _MAX_BREADCRUMB_WORDS and following_words >= max(_MIN_HEADLINE_WORDS, 2 * words)


def _lines(raw: str) -> list[Span]:
    spans = (strip_span(raw, match.start(), match.end()) for match in _LINE.finditer(raw))
    return [span for span in spans if span.start < span.end]


def clean_article(raw: str) -> Article:
    """Split a raw page into headline and body paragraphs, dropping navigation and page chrome."""
    lines = [span for span in _lines(raw) if not is_furniture(raw[span.start : span.end])]
    texts = [raw[span.start : span.end] for span in lines]

    first = 0
    while first < min(len(lines), _BREADCRUMB_LOOKAHEAD) and _is_breadcrumb(
        texts[first], texts[first + 1] if first + 1 < len(texts) else None
    ):
        first += 1

    # A headline needs a body below it; a lone unpunctuated line is just text.
    if first + 1 < len(lines) and _looks_like_heading(texts[first]):
        return Article(title=texts[first], title_span=lines[first], paragraphs=tuple(lines[first + 1 :]))
    return Article(title=None, title_span=None, paragraphs=tuple(lines[first:]))
