"""Libraries by chat: one shared library that every chat reads, and one per chat that its members fill.

    <SANAD_DATA>                 the shared library (the shipped seed articles); never written here
    <SANAD_CHATS>/<chat id>/     a chat's own library, created on its first add
                                 (or rows named "chat:<id>" on PostgreSQL: index/library/catalog.py)

A question in a chat is searched in the chat's library and in the shared one; the hits are merged by
score, and each keeps the document it comes from, so an answer can name its article. Both libraries
are searched with one encoder, one fusion and one set of thresholds, so their scores compare.

A chat's library that cannot be used (a damaged file) never takes the shared library or other chats
down with it: questions in that chat are answered from the shared library, with the problem attached
to the answer (`Answer.unavailable`), and every other call about that chat raises `ChatLibraryError`,
whose message names `sanad repair --chat ID`. `repair` mends it in place.

Opened libraries stay open (the most recently used `capacity` of them). Writes to one library take
its lock (in-process and on disk, see index.library), so adds to the same chat queue up while adds to
different chats run side by side; the slow part, embedding, runs before the lock is taken.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import logging
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from index.embedding import Encoder
from index.errors import ChatLibraryError, DamagedDatabaseError, LibraryError
from index.ingest import add_source
from index.library import AnyLibrary, Catalog, Library, OnDisk, Vote
from index.records import Document, Embedded, SourceText
from index.search import Answer, Searcher, clean_question

log = logging.getLogger(__name__)

CAPACITY = 256  # chat libraries kept open
QUERY_MEMORY = 32  # recent question embeddings kept
# What a chat's library can raise when its files are damaged (under a running bot too).
_DAMAGE = (LibraryError, sqlite3.DatabaseError, OSError)


@dataclass(frozen=True, slots=True)
class ArticleRef:
    """One article on the shelf: in the shared library (`chat_id` None) or in a chat's own."""

    chat_id: int | None
    document_id: int


@dataclass(frozen=True, slots=True)
class Repaired:
    """What `Shelf.repair` did to a chat's library."""

    documents: int
    sentences: int
    salvaged: bool  # the database itself was damaged: what could be read was saved, the rest set aside


class Shelf:
    """The shared library and the chats' own ones. Thread-safe."""

    def __init__(
        self,
        shared: Searcher,
        chats: Path | Catalog,
        *,
        owns_shared: bool = False,
        capacity: int = CAPACITY,
    ) -> None:
        """`chats`: where the chats' libraries live: a directory (one library below it per chat) or a
        catalog (the server's)."""
        self.catalog: Catalog = OnDisk(Path(), chats) if isinstance(chats, Path) else chats
        self.encoder = shared.encoder
        self.thresholds = shared.thresholds
        # Chat libraries are ranked as the shared one is (same fusion, same second model), so that
        # their scores compare and the same thresholds apply.
        self._fusion = shared.reranker.fusion if shared.reranker else None
        self._second = shared.reranker.second if shared.reranker else None
        self._queries = cast(Encoder, _QueryMemory(shared.encoder))
        # The caller's searcher as it is (its class and settings), only sharing the question embeddings.
        self._shared = copy.copy(shared)
        self._shared.encoder = self._queries
        self._owns_shared = owns_shared
        self._capacity = capacity
        self._chats: OrderedDict[int, Searcher] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def shared(self) -> AnyLibrary:
        return self._shared.library

    @property
    def chats_dir(self) -> Path | None:
        """The directory of the chats' libraries; None when they live on a server."""
        return self.catalog.chats_dir if isinstance(self.catalog, OnDisk) else None

    # ---------------------------------------------------------------- reading

    def ask(
        self,
        question: str,
        *,
        chat_id: int | None,
        k: int = 3,
        context: int = 1,
        shared: bool = True,
        about: ArticleRef | None = None,
    ) -> Answer:
        """The best `k` sentences for `question` from the chat's library and the shared one (or only
        the chat's, when the chat turned the shared articles off); from the one article `about` alone
        when given (a follow-up to an answer that quoted it)."""
        if about is not None:
            return self._ask_about(question, chat_id, about, k=k, context=context)
        if chat_id is None:
            return self._shared.ask(question, k=k, context=context)
        own, problem = self._own_answer(question, chat_id, k=k, context=context)
        if not shared:
            answer = own or Answer(clean_question(question), (), None, None)
        else:
            from_shared = self._shared.ask(question, k=k, context=context)
            answer = from_shared if own is None else merge_answers([own, from_shared], k=k)
        return dataclasses.replace(answer, unavailable=problem) if problem else answer

    def _own_answer(
        self, question: str, chat_id: int, *, k: int, context: int
    ) -> tuple[Answer | None, ChatLibraryError | None]:
        """The chat's own library's answer (None when it has none), or the problem that kept it from
        answering."""
        try:
            with self._damage(chat_id):
                own = self._chat(chat_id, create=False)
                return (owned_by(own.ask(question, k=k, context=context), chat_id) if own else None), None
        except ChatLibraryError as exc:
            log.warning("%s Answering without the chat's own articles.", exc)
            return None, exc

    def _ask_about(
        self, question: str, chat_id: int | None, about: ArticleRef, *, k: int, context: int
    ) -> Answer:
        """`question` asked of one article: a shared one, or one of this chat's own (never another
        chat's). An article that is gone (removed since) answers nothing."""
        nothing = Answer(clean_question(question), (), None, None)
        if about.chat_id is None:
            if self.shared.document(about.document_id) is None:
                return nothing
            return self._shared.ask(question, k=k, context=context, within=about.document_id)
        if about.chat_id != chat_id:
            return nothing
        with self._damage(about.chat_id):
            own = self._chat(about.chat_id, create=False)
            if own is None or own.library.document(about.document_id) is None:
                return nothing
            answer = own.ask(question, k=k, context=context, within=about.document_id)
            return owned_by(answer, about.chat_id)

    def documents(self, chat_id: int) -> list[Document]:
        """The chat's own articles, oldest first (none before its first add)."""
        with self._damage(chat_id):
            own = self._chat(chat_id, create=False)
            return own.library.documents() if own else []

    def shared_documents(self) -> list[Document]:
        return self.shared.documents()

    def document(self, chat_id: int, document_id: int) -> Document | None:
        with self._damage(chat_id):
            own = self._chat(chat_id, create=False)
            return own.library.document(document_id) if own else None

    def chat_path(self, chat_id: int) -> Path:
        """The directory of the chat's library on disk (whether or not it exists yet)."""
        assert isinstance(self.catalog, OnDisk), "chats' libraries on a server have no directory"
        return self.catalog.path(chat_id)

    def chat_ids(self) -> list[int]:
        """The chats that have a library of their own."""
        return self.catalog.chat_ids()

    # ---------------------------------------------------------------- writing

    def add(self, chat_id: int, source: SourceText, *, progress: bool = False) -> tuple[Document, bool]:
        """Cut, embed and store an article in the chat's library; returns it and whether it was new.

        Nothing is written until the article is cut and embedded, so a refused article leaves no trace
        (not even an empty library).
        """
        with self._damage(chat_id):
            return add_source(
                functools.partial(self._own_library, chat_id), self.encoder, source, progress=progress
            )

    def remove(self, chat_id: int, document_id: int) -> Document | None:
        """Delete one of the chat's articles with its sentences and vectors; None when it is not there."""
        with self._damage(chat_id):
            own = self._chat(chat_id, create=False)
            if own is None or (document := own.library.document(document_id)) is None:
                return None
            return document if own.library.remove(document_id) else None

    def clear(self, chat_id: int) -> int:
        """Delete all of the chat's articles; returns how many there were."""
        with self._damage(chat_id):
            own = self._chat(chat_id, create=False)
            if own is None:
                return 0
            return sum(own.library.remove(document.id) for document in own.library.documents())

    def record_vote(self, chat_id: int, vote: Vote) -> int | None:
        """Keep a vote on one of the chat's answers in the chat's own library (created if need be):
        the votes of a chat are never seen by another. Returns the voter's earlier vote on it."""
        with self._damage(chat_id):
            return self._own_library(chat_id).record_vote(vote)

    def votes(self, chat_id: int) -> list[Vote]:
        """The votes on the chat's answers, oldest first."""
        with self._damage(chat_id):
            own = self._chat(chat_id, create=False)
            return own.library.votes() if own else []

    def repair(self, chat_id: int) -> Repaired | None:
        """Mend the chat's library: rebuild its vector index, or first save what its damaged database
        still holds (the damaged file is kept aside). None when it opens fine or does not exist (and
        always on a server, which keeps its rows whole itself)."""
        if not isinstance(self.catalog, OnDisk):
            return None
        try:
            with self._damage(chat_id):
                self._chat(chat_id, create=False)
            return None
        except ChatLibraryError:
            pass
        path = self.chat_path(chat_id)
        with self._lock:
            self._chats.pop(chat_id, None)
        try:
            sentences = Library.repair_at(path)
            salvaged = False
        except DamagedDatabaseError:
            sentences = Library.salvage_at(path).sentences
            salvaged = True
        documents = len(self.documents(chat_id))
        log.info("chat %s: library repaired (%d articles, %d sentences)", chat_id, documents, sentences)
        return Repaired(documents, sentences, salvaged)

    def close(self) -> None:
        with self._lock:
            for searcher in self._chats.values():
                searcher.library.close()
            self._chats.clear()
        if self._owns_shared:  # with its catalog (a server's connection pool)
            self.shared.close()
            self.catalog.close()

    def __enter__(self) -> Shelf:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---------------------------------------------------------------- internals

    def _own_library(self, chat_id: int) -> AnyLibrary:
        """The chat's library, created when it has none."""
        own = self._chat(chat_id, create=True)
        assert own is not None
        return own.library

    @contextmanager
    def _damage(self, chat_id: int) -> Iterator[None]:
        """Turn a chat library's failure into `ChatLibraryError`, and let go of the broken handle so
        that the next call (after a repair) opens the files afresh."""
        try:
            yield
        except ChatLibraryError:
            raise
        except _DAMAGE as exc:
            if isinstance(exc, OSError) and not self.catalog.exists(chat_id):
                raise
            with self._lock:
                self._chats.pop(chat_id, None)
            raise ChatLibraryError(chat_id, exc) from exc

    def _chat(self, chat_id: int, *, create: bool) -> Searcher | None:
        """The chat's searcher, opening its library on first use; None when it has none and not `create`."""
        with self._lock:
            if (searcher := self._chats.get(chat_id)) is not None:
                self._chats.move_to_end(chat_id)
                return searcher
            if not create and not self.catalog.exists(chat_id):
                return None
            library = self.catalog.open(chat_id, self.encoder.info, self.encoder.probe())
            searcher = self._searcher(library)
            self._chats[chat_id] = searcher
            if len(self._chats) > self._capacity:
                # Not closed: a search in another thread may still hold it; it closes when let go.
                self._chats.popitem(last=False)
            return searcher

    def _searcher(self, library: AnyLibrary) -> Searcher:
        return Searcher(
            library, self._queries, thresholds=self.thresholds, fusion=self._fusion, second=self._second
        )


def owned_by(answer: Answer, chat_id: int) -> Answer:
    """The answer with each hit marked as coming from the chat's own library."""
    hits = tuple(dataclasses.replace(hit, chat_id=chat_id) for hit in answer.hits)
    return dataclasses.replace(answer, hits=hits)


def merge_answers(answers: Sequence[Answer], *, k: int) -> Answer:
    """One answer from several libraries' answers to the same question. The first quote is the first
    of the answer that clears its threshold by most: each library judges its own candidates, and the
    learned fusion's judgement (its answer model's probability) holds across libraries where the
    ranker's probabilities, relative to one library's candidates, do not. The other quotes follow by
    how far each clears its threshold (libraries of other languages pair with the question
    differently). Under the weighted fusion both orders agree: its first quote's margin is its
    answer's."""
    answered = [answer for answer in answers if answer.hits and answer.best_score is not None]
    lead = max(answered, key=_margin).hits[0] if answered else None
    others = (hit for answer in answers for hit in answer.hits if hit is not lead)
    hits = ([lead] if lead else []) + sorted(others, key=lambda hit: -hit.margin)[: k - 1 if lead else k]
    scored = [answer for answer in answers if answer.best_score is not None]
    best = max(scored, key=_margin) if scored else None
    return Answer(
        question=answers[0].question,
        hits=tuple(hits),
        best_score=best.best_score if best else None,
        threshold=best.threshold if best else None,
        sure=answers[0].sure,
    )


def _margin(answer: Answer) -> float:
    return cast(float, answer.best_score) - (answer.threshold or 0.0)


class _QueryMemory:
    """The encoder, remembering recent question embeddings: a question searched in a chat's library and
    in the shared one is embedded once."""

    def __init__(self, encoder: Encoder, size: int = QUERY_MEMORY) -> None:
        self._encoder = encoder
        self._size = size
        self._recent: OrderedDict[tuple[tuple[str, ...], bool], Embedded] = OrderedDict()
        self._lock = threading.Lock()

    def embed_queries(self, texts: Sequence[str], *, tokens: bool = True) -> Embedded:
        key = (tuple(texts), tokens)
        with self._lock:
            if (embedded := self._recent.get(key)) is not None:
                self._recent.move_to_end(key)
                return embedded
        embedded = self._encoder.embed_queries(texts, tokens=tokens)
        embedded.vectors.flags.writeable = False  # shared between searchers
        with self._lock:
            self._recent[key] = embedded
            while len(self._recent) > self._size:
                self._recent.popitem(last=False)
        return embedded

    def __getattr__(self, name: str) -> Any:
        return getattr(self._encoder, name)
