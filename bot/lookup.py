"""Questions -> `Lookup`s: the index's `Answer` plus what an answer message needs and `Answer` lacks.

This is the bot's only caller of the index's search. It is CPU-bound and blocking (an embedding, a
FAISS search, SQLite reads): handlers call it through `asyncio.to_thread`, never on the event loop.
"""

from __future__ import annotations

from dataclasses import dataclass

from index import Answer, Document, Hit, Searcher

# Sentences before and after a quote that "More context" shows.
CONTEXT_SENTENCES = 2


@dataclass(frozen=True, slots=True)
class Lookup:
    """One question's answer: the first `shown` hits are the quotes, the rest "other matches"."""

    answer: Answer
    shown: int

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

    def look_up(self, question: str, *, quotes: int | None = None) -> Lookup:
        """Search for `question`; raises `index.InputError` for an empty, wordless or too long one."""
        shown = quotes or self.quotes
        answer = self.searcher.ask(question, k=2 * shown, context=CONTEXT_SENTENCES)
        return Lookup(answer, shown)

    def documents(self) -> list[Document]:
        return self.searcher.library.documents()
