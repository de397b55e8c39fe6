"""Source texts -> documents ready to store: read files, attach metadata, cut sentences."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from index.config import SEEDS_DIR, FetchSettings
from index.errors import InputError, NoArticleError, TooLargeError
from index.split import split_article
from index.store import NewDocument, NewSentence

TITLE_WORDS = 12  # words of the opening sentence that name an article without a headline
_ARABIC = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]")
_LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True, slots=True)
class SourceText:
    """An article's raw text and what is known about it."""

    text: str
    title: str | None = None
    language: str | None = None
    source: str | None = None
    published: str | None = None
    author: str | None = None


def read_source(path: Path, settings: FetchSettings | None = None) -> SourceText:
    """Read an article file (see index.extract for the formats) and its optional metadata sidecar
    (`NAME.json` beside `NAME.txt`, with title, language, source, published, author)."""
    from index.extract import article_from_file

    settings = settings or FetchSettings()
    if not path.is_file():
        raise InputError(f"{path} is not a file. Give the path of an article file (.txt, .md, .pdf, ...).")
    size = path.stat().st_size
    if size > settings.max_bytes:
        raise TooLargeError(
            f"{path.name} is {size:,} bytes; the limit is {settings.max_bytes:,}. Split it first.",
            limit=settings.max_bytes,
        )
    source = article_from_file(path.name, path.read_bytes(), settings)
    meta = _read_metadata(path.with_suffix(".json"))
    return SourceText(
        text=source.text,
        title=meta.get("title") or source.title,
        language=meta.get("language") or source.language,
        source=meta.get("source") or source.source,
        published=meta.get("published") or source.published,
        author=meta.get("author") or source.author,
    )


def prepare_document(source: SourceText) -> NewDocument:
    """Clean the text and cut it into exact sentences; refuses text with nothing to quote."""
    if not source.text.strip():
        raise NoArticleError("The text is empty. Send an article with full sentences.")
    article = split_article(source.text)
    if not article.sentences:
        raise NoArticleError("No sentences found in the text. Send an article with full sentences.")
    sentences = [
        NewSentence(start=s.start, end=s.end, paragraph=s.paragraph, position=s.position, text=s.text)
        for s in article.sentences
    ]
    return NewDocument(
        text=source.text,
        title=source.title or article.title or opening_words(article.sentences[0].text),
        language=source.language or guess_language(source.text),
        source=source.source,
        sentences=sentences,
        published=source.published,
        author=source.author,
    )


def opening_words(sentence: str) -> str:
    """A stand-in title for text without a headline: the start of its first sentence."""
    words = sentence.split()
    return " ".join(words[:TITLE_WORDS]) + ("…" if len(words) > TITLE_WORDS else "")


def guess_language(text: str) -> str:
    """'ar' when most letters are Arabic, else 'en': enough to pick an interface default."""
    letters = len(_LETTER.findall(text))
    return "ar" if letters and len(_ARABIC.findall(text)) / letters > 0.5 else "en"


def seed_paths(seeds_dir: Path = SEEDS_DIR) -> list[Path]:
    """The shipped articles."""
    return sorted(p for p in seeds_dir.glob("*.txt") if not p.name.startswith("."))


def _read_metadata(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{path.name} is not valid JSON metadata ({exc}). Fix or delete it.") from exc
    if not isinstance(data, dict):
        raise InputError(f"{path.name} must hold a JSON object with title, language and source.")
    return {k: str(v) for k, v in data.items() if isinstance(v, str | int | float)}
