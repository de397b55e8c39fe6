"""Source texts -> documents ready to store: the article cleaned and cut into exact sentences, with a
title and a language when the source gave none."""

from __future__ import annotations

from index.errors import NoArticleError
from index.records import NewDocument, SourceText
from index.text import is_arabic_script, split_article

TITLE_WORDS = 12  # words of the opening sentence that name an article without a headline


def prepare_document(source: SourceText) -> NewDocument:
    """Clean the text and cut it into exact sentences; refuses text with nothing to quote."""
    if not source.text.strip():
        raise NoArticleError("The text is empty. Send an article with full sentences.")
    article = split_article(source.text)
    if not article.sentences:
        raise NoArticleError("No sentences found in the text. Send an article with full sentences.")
    return NewDocument(
        text=source.text,
        title=source.title or article.title or opening_words(article.sentences[0].text),
        language=source.language or guess_language(source.text),
        source=source.source,
        sentences=article.sentences,
        published=source.published,
        author=source.author,
        read_by=source.read_by,
    )


def opening_words(sentence: str) -> str:
    """A stand-in title for text without a headline: the start of its first sentence."""
    words = sentence.split()
    return " ".join(words[:TITLE_WORDS]) + ("…" if len(words) > TITLE_WORDS else "")


def guess_language(text: str) -> str:
    """'ar' when most letters are Arabic, else 'en': enough to pick an interface default."""
    return "ar" if is_arabic_script(text) else "en"
