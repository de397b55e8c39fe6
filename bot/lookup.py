"""Questions -> `Lookup`s: the index's `Answer` plus what an answer message needs and `Answer` lacks.

This is the bot's only caller of the index's search. It is CPU-bound and blocking (an embedding, a
FAISS search, SQLite reads): handlers call it through `asyncio.to_thread`, never on the event loop.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from index import Answer, Document, Hit, Searcher

# Sentences before and after a quote that "More context" shows.
CONTEXT_SENTENCES = 2


@dataclass(frozen=True, slots=True)
class Lookup:
    """One question's answer: the first `shown` hits are the quotes, the rest "other matches"."""

    answer: Answer
    shown: int
    paragraphs: Mapping[int, int]  # document id -> number of paragraphs, for "paragraph 7 of 28"

    @property
    def quotes(self) -> tuple[Hit, ...]:
        return self.answer.hits[: self.shown]

    @property
    def others(self) -> tuple[Hit, ...]:
        return self.answer.hits[self.shown :]


class Librarian:
    """Answers questions from one searcher, asking for twice the quotes shown so that "Other matches"
    has something to show. Safe to call from several threads at once, like the searcher."""

    def __init__(self, searcher: Searcher, *, quotes: int) -> None:
        self.searcher = searcher
        self.quotes = quotes
        self._paragraphs: dict[tuple[int, str], int] = {}

    def look_up(self, question: str, *, quotes: int | None = None) -> Lookup:
        """Search for `question`; raises `index.InputError` for an empty, wordless or too long one."""
        shown = quotes or self.quotes
        answer = self.searcher.ask(question, k=2 * shown, context=CONTEXT_SENTENCES)
        paragraphs = {hit.document.id: self._paragraph_count(hit) for hit in answer.hits}
        return Lookup(answer, shown, paragraphs)

    def documents(self) -> list[Document]:
        return self.searcher.library.documents()

    def _paragraph_count(self, hit: Hit) -> int:
        """Paragraphs in the hit's document: the last sentence's paragraph, counted from 1.

        `Document` does not carry it, so it is read once per document and remembered (a document's
        id and time of adding never change while it is in the library).
        """
        key = (hit.document.id, hit.document.added_at)
        if key not in self._paragraphs:  # two threads may both count: same result, no harm
            rest = hit.document.sentence_count - hit.sentence.position
            after = self.searcher.library.neighbours(hit.sentence, before=0, after=rest)
            self._paragraphs[key] = after[-1].paragraph + 1
        return self._paragraphs[key]
