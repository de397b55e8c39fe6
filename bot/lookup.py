"""The bot's only caller of the index: questions -> `Lookup`s, and the chats' own articles in and out.

Everything here is blocking (an embedding, a FAISS search, SQLite, fetching a page): handlers call it
through `asyncio.to_thread`, never on the event loop. A chat is named by its Telegram chat id; a
private chat's id is its user's, so inline questions search the asking user's own library.
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass

from index import (
    Answer,
    ArticleRef,
    ChatLibraryError,
    Document,
    FetchSettings,
    Hit,
    Repaired,
    Shelf,
    SourceText,
    TooShortError,
    Vote,
    read_link,
    read_upload,
)

log = logging.getLogger(__name__)


def visible_length(text: str) -> int:
    """Characters a reader sees: no spaces, no zero-width or direction marks."""
    return sum(not char.isspace() and unicodedata.category(char) != "Cf" for char in text)


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


@dataclass(frozen=True, slots=True)
class Added:
    """An article a chat added, and whether it was new (the same text twice is stored once)."""

    document: Document
    new: bool


class Librarian:
    """Answers questions from a chat's library and the shared one, asking for twice the quotes shown so
    that "Other matches" has something to show; adds and removes a chat's articles. Thread-safe."""

    def __init__(
        self, shelf: Shelf, *, quotes: int, fetch: FetchSettings | None = None, min_chars: int = 0
    ) -> None:
        self.shelf = shelf
        self.quotes = quotes
        self.fetch = fetch or FetchSettings()
        self.min_chars = min_chars  # files and texts shorter than this are no article

    def ask(
        self,
        question: str,
        *,
        chat_id: int | None = None,
        quotes: int | None = None,
        shared: bool = True,
        about: ArticleRef | None = None,
    ) -> Lookup:
        """Search for `question` (in the shared articles too unless `shared` is off; in the one article
        `about` alone when given); raises `index.InputError` for an empty, wordless or too long one."""
        shown = quotes or self.quotes
        answer = self.shelf.ask(
            question, chat_id=chat_id, k=2 * shown, context=CONTEXT_SENTENCES, shared=shared, about=about
        )
        return Lookup(answer, shown)

    def record_vote(self, chat_id: int, vote: Vote) -> int | None:
        """Keep a vote on one of the chat's answers, in the chat's own library; the voter's earlier
        vote on it, if any."""
        return self.shelf.record_vote(chat_id, vote)

    def documents(self, chat_id: int | None = None) -> list[Document]:
        """What a chat can ask about: its own articles (when its library can be read), then the shared."""
        try:
            own = self.shelf.documents(chat_id) if chat_id is not None else []
        except ChatLibraryError as exc:
            log.warning("%s", exc)
            own = []
        return own + self.shelf.shared_documents()

    def chat_documents(self, chat_id: int) -> list[Document]:
        """The chat's own articles; raises `index.ChatLibraryError` when its library is damaged."""
        return self.shelf.documents(chat_id)

    def repair(self, chat_id: int) -> Repaired | None:
        """Mend the chat's damaged library (None: it needed nothing)."""
        return self.shelf.repair(chat_id)

    def shared_documents(self) -> list[Document]:
        return self.shelf.shared_documents()

    def add_link(self, chat_id: int, url: str) -> Added:
        """Fetch a page and add its article; raises an `index.InputError` subclass saying why not."""
        return self._add(chat_id, read_link(url, self.fetch))

    def add_file(self, chat_id: int, name: str, data: bytes) -> Added:
        """Add a file's article; raises `index.TooShortError` under `min_chars` visible characters, as
        pasted text that short is taken for a question (text the user forwards or sends with /add is
        taken as it is)."""
        return self._add(chat_id, self._long_enough(read_upload(name, data, self.fetch)))

    def add_text(self, chat_id: int, text: str, *, source: str | None = None) -> Added:
        return self._add(chat_id, SourceText(text=text, source=source))

    def _long_enough(self, source: SourceText) -> SourceText:
        characters = visible_length(source.text)
        minimum = self.min_chars
        if characters < minimum:
            raise TooShortError(
                f"{source.source or 'The file'} holds {characters} characters; an article needs {minimum}.",
                characters=characters,
                minimum=minimum,
            )
        return source

    def remove(self, chat_id: int, document_id: int) -> Document | None:
        return self.shelf.remove(chat_id, document_id)

    def clear(self, chat_id: int) -> int:
        return self.shelf.clear(chat_id)

    def _add(self, chat_id: int, source: SourceText) -> Added:
        document, new = self.shelf.add(chat_id, source)
        return Added(document, new)
