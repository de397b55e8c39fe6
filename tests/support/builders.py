"""Small answers built by hand, for tests of the pure parts (rendering, keyboards)."""

from __future__ import annotations

from bot.lookup import Lookup
from index import Answer, Document, Hit, StoredSentence
from lab.fake_telegram import clean_text, parse_html

TITLE = "المملكة المتحدة وحلفاؤها تتهم مجموعة صينية"
SENTENCES = [
    "انضمت بريطانيا إلى الولايات المتحدة في اتهام مجموعات القرصنة.",
    "ونفى المتحدث باسم وزارة الخارجية الصينية هذه المزاعم.",
    "2021 هو العام الذي شهد الهجوم على خوادم البريد.",
    "Microsoft قالت إن مجموعة صينية تدعى هافنيوم هي من قامت بالهجوم.",
    "وقالت مصادر إن المسؤولين الصينيين يميلون إلى الرد بمفاجأة.",
]


def document(title: str = TITLE, sentence_count: int = len(SENTENCES)) -> Document:
    return Document(1, title, "ar", None, "2026-03-01T10:00:00+00:00", sentence_count, 4093, sentence_count)


def sentences(texts: list[str] = SENTENCES) -> list[StoredSentence]:
    """Stored sentences, one paragraph each, with made-up but consistent spans."""
    stored, start = [], 0
    for position, text in enumerate(texts):
        stored.append(StoredSentence(position + 1, 1, position, position, start, start + len(text), text))
        start += len(text) + 1
    return stored


def lookup(order: list[int], *, shown: int = 3, texts: list[str] = SENTENCES, question: str = "q") -> Lookup:
    """A lookup whose hits are the sentences at `order`, each with one neighbour on either side."""
    stored = sentences(texts)
    doc = document(sentence_count=len(stored))
    hits = tuple(
        Hit(stored[i], doc, 0.8 - 0.01 * n, tuple(stored[max(i - 1, 0) : i + 2])) for n, i in enumerate(order)
    )
    return Lookup(Answer(question, hits, 0.8, 0.75), shown)


def visible(html_text: str) -> str:
    """The text a Telegram user sees, exactly as Telegram stores it (raises what Telegram would)."""
    return clean_text(*parse_html(html_text))[0]
