"""Text: raw article pages -> exact sentence spans, and the writing-system facts every layer shares.

Pure functions of strings; every offset points into the raw text, so a sentence can be quoted exactly
as it was published.
"""

from index.text.furniture import Article, clean_article, is_furniture
from index.text.normalize import normalize_arabic, strip_span
from index.text.scripts import (
    INVISIBLE,
    SCRIPT_KINDS,
    ScriptKind,
    article_script,
    dominant_script,
    is_arabic_script,
    pairing,
    script_kind,
    without_invisible,
)
from index.text.split import SplitArticle, split_article, split_sentences

__all__ = [
    "INVISIBLE",
    "SCRIPT_KINDS",
    "Article",
    "ScriptKind",
    "SplitArticle",
    "article_script",
    "clean_article",
    "dominant_script",
    "is_arabic_script",
    "is_furniture",
    "normalize_arabic",
    "pairing",
    "script_kind",
    "split_article",
    "split_sentences",
    "strip_span",
    "without_invisible",
]
