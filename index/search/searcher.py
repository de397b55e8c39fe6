"""Question -> ranked sentences -> an Answer, or a plain "not in the library"."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

from index.embedding import Encoder, SecondOpinion
from index.errors import ChatLibraryError, InputError
from index.library import AnyLibrary
from index.records import Document, Embedded, StoredSentence
from index.search.articles import Articles
from index.search.fusion import Judged, Ranked, Reranker
from index.search.highlight import highlight_spans, merged, translated_spans
from index.search.late import aligned
from index.search.weights import Fusion, LearnedFusion, Thresholds
from index.text import ScriptKind, without_invisible

MAX_QUESTION_CHARS = 1000
# Dense candidates the fusion reranks: the seed article whole, and enough that the right sentence is
# among them for 99% of ARCD test questions (e5 alone puts it in the top 5 for 96%).
POOL = 32
# A sentence next to the best one, in its paragraph, scoring within this of it (on e5's cosine scale;
# see Searcher.join_margin), is quoted with it: the answer most likely runs across the two.
JOIN_MARGIN = 0.01
# A second quote that clears its threshold by this share of the first's margin could answer as well: the
# reply says two sentences could answer rather than presenting one with full confidence.
CLOSE = 0.8
Doubt = Literal["close", "unsure"]
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Hit:
    """One quoted sentence, with the sentences around it for context."""

    sentence: StoredSentence
    document: Document
    score: float
    context: tuple[StoredSentence, ...]
    quoted: tuple[StoredSentence, ...] = ()
    quote: str = ""
    highlights: tuple[tuple[int, int], ...] = ()
    # How far the score clears what its pairing needs: what quotes from several libraries (and
    # pairings) are ordered by.
    margin: float = 0.0
    # The chat whose own library holds the article (set by the shelf); None: the shared library.
    chat_id: int | None = None

    @property
    def text(self) -> str:
        """The exact article text to quote: the sentence, or it and a neighbour it runs into."""
        return self.quote or self.sentence.text


@dataclass(frozen=True, slots=True)
class Answer:
    """Hits good enough to quote, best first; none means the library does not answer. `sure` is how far
    the first quote must clear its threshold to be shown without a note of doubt (None: uncalibrated).
    `unavailable` is a library that could not be searched (a chat's own, damaged): the hits come from
    the others, and the reply should say so."""

    question: str
    hits: tuple[Hit, ...]
    best_score: float | None
    threshold: float | None
    sure: float | None = None
    unavailable: ChatLibraryError | None = None

    @property
    def no_answer(self) -> bool:
        return not self.hits

    @property
    def doubt(self) -> Doubt | None:
        """Why the first quote should not be shown with full confidence: "close" when the second
        clears its threshold nearly as far (either could be the answer), "unsure" when the first
        clears it by less than `sure`; None when neither."""
        if not self.hits:
            return None
        second = self.hits[1].margin if len(self.hits) > 1 else None
        return doubt_of(self.hits[0].margin, second, self.sure)


def doubt_of(first: float, second: float | None, sure: float | None) -> Doubt | None:
    """`Answer.doubt` from the first two quotes' margins: one rule for the reply and for `sanad eval`,
    which checks on held-out questions how often each kind of answer is right."""
    if sure is None:
        return None
    if second is not None and first > 0 and second >= CLOSE * first:
        return "close"
    return "unsure" if first < sure else None


def clean_question(text: str) -> str:
    """Drop invisible marks and extra spaces; refuse what cannot be a question."""
    question = _SPACES.sub(" ", without_invisible(text)).strip()
    if not any(ch.isalnum() for ch in question):
        raise InputError("Ask a question in words, for example: Who denied the claims?")
    if len(question) > MAX_QUESTION_CHARS:
        raise InputError(
            f"The question is {len(question):,} characters long; ask in under {MAX_QUESTION_CHARS:,}."
        )
    return question


class Searcher:
    """Answers questions from one library: dense candidates, fused reranking, threshold, quotes."""

    def __init__(
        self,
        library: AnyLibrary,
        encoder: Encoder,
        *,
        thresholds: Thresholds | None,
        fusion: Fusion | LearnedFusion | None = None,
        second: SecondOpinion | None = None,
        pool: int = POOL,
    ) -> None:
        self.library = library
        self.encoder = encoder
        self.thresholds = thresholds
        self.pool = pool
        self.articles = Articles(library)
        self.reranker = (
            Reranker(library, fusion, second, encoder, self.articles, offsets=thresholds)
            if fusion is not None
            else None
        )

    def ask(self, question: str, *, k: int = 3, context: int = 1, within: int | None = None) -> Answer:
        """The best `k` quotes for `question` that clear the threshold; from the document `within`
        alone when given (a follow-up question about one article)."""
        return self.ask_many([question], k=k, context=context, within=within)[0]

    def ask_many(
        self, questions: Sequence[str], *, k: int = 3, context: int = 1, within: int | None = None
    ) -> list[Answer]:
        """Answer several questions with one batched embedding call."""
        cleaned = [clean_question(q) for q in questions]
        embedded = self._embed(cleaned)
        judged = self._judged(cleaned, k, embedded, within)
        tokens = embedded.tokens or [None] * len(cleaned)
        return [
            self._declined(q, *j.short_of_floor)
            if j.short_of_floor
            else self._answer(q, j.ranked, j.confidence, k, context, t, j.tokens)
            for q, j, t in zip(cleaned, judged, tokens, strict=True)
        ]

    def rank(self, questions: Sequence[str], *, k: int) -> list[Ranked]:
        """The `k` best (sentence id, score) pairs per question, before any threshold."""
        return [j.ranked[:k] for j in self._judged(questions, k, self._embed(questions))]

    def threshold(self, question: str, sentence: StoredSentence) -> float | None:
        """The score `sentence` needs to be quoted for `question`."""
        return None if self.thresholds is None else self.thresholds.for_kind(self.kind(question, sentence))

    def kind(self, question: str, sentence: StoredSentence) -> ScriptKind:
        """How `question` pairs with the article `sentence` stands in (index/search/articles.py)."""
        return self.articles.kind(question, sentence.document_id)

    def join_margin(self, question: str, sentence: StoredSentence) -> float:
        """JOIN_MARGIN on the scale of the scores: each weighted part is about a cosine, so that score
        spreads as far as e5's times one plus the weights; a learned fusion's is a probability."""
        if self.reranker is None or isinstance(self.reranker.fusion, LearnedFusion):
            return JOIN_MARGIN  # a probability: the same scale for every pairing
        weights = self.reranker.fusion.for_kind(self.kind(question, sentence))
        return JOIN_MARGIN * (1 + weights.use + weights.lexical + weights.late)

    def _embed(self, questions: Sequence[str]) -> Embedded:
        """The questions' vectors, and their token vectors when the fusion weighs them."""
        tokens = self.reranker is not None and self.reranker.fusion.uses_tokens
        return self.encoder.embed_queries(questions, tokens=tokens)

    def _judged(
        self, questions: Sequence[str], k: int, embedded: Embedded, within: int | None = None
    ) -> list[Judged]:
        """Every candidate scored, best first (the whole pool when fusion reranks it), and the learned
        fusion's probability that the first answers (None without one)."""
        wanted = k if self.reranker is None else max(k, self.pool)
        if within is None:
            candidates = self.library.search(embedded.vectors, wanted)
        else:
            candidates = self._search_document(embedded.vectors, within, wanted)
        if self.reranker is None:
            return [Judged(pairs[:k]) for pairs in candidates]
        return self.reranker.judge(questions, candidates, embedded.tokens)

    def _search_document(self, queries: np.ndarray, document_id: int, k: int) -> list[Ranked]:
        """The `k` sentences of one document nearest each query, exactly (a document is small)."""
        ids = [sentence.id for sentence in self.library.document_sentences(document_id)]
        if not ids:
            return [[] for _ in range(len(queries))]
        scores = np.asarray(queries, dtype=np.float32) @ self.library.vectors(ids).T
        ranked = []
        for row in scores:
            order = np.argsort(-row, kind="stable")[:k]
            ranked.append([(ids[n], float(row[n])) for n in order])
        return ranked

    def _declined(self, question: str, best_score: float | None, needed: float | None) -> Answer:
        """No quote ("not in the library"), with the score that came nearest and what it needed (None
        when no sentence was a candidate)."""
        return Answer(question, (), best_score, needed, self._sure)

    @property
    def _sure(self) -> float | None:
        """How far a first quote must clear its threshold to be shown without doubt (None: never doubted)."""
        return self.thresholds.sure if self.thresholds else None

    def _answer(
        self,
        question: str,
        ranked: Ranked,
        confidence: float | None,
        k: int,
        context: int,
        tokens: np.ndarray | None = None,
        pool_tokens: Mapping[int, np.ndarray] | None = None,
    ) -> Answer:
        if not ranked:
            return self._declined(question, None, None)
        scores = dict(ranked)
        sentences = self.library.sentences([i for i, _ in ranked])
        best_id, best_score = ranked[0]
        needed = self.threshold(question, sentences[best_id])
        if confidence is not None:  # the answer model judges the first quote; the others come with it
            best_score = confidence
        if needed is not None and best_score < needed:
            return self._declined(question, best_score, needed)
        documents: dict[int, Document] = {}
        hits: list[Hit] = []
        taken: set[int] = set()
        for sentence_id, score in ranked:
            if len(hits) == k:
                break
            sentence = sentences[sentence_id]
            floor = None if confidence is not None else self.threshold(question, sentence)
            if sentence_id in taken or (floor is not None and score < floor):
                continue
            if sentence.document_id not in documents:
                document = self.library.document(sentence.document_id)
                assert document is not None
                documents[sentence.document_id] = document
            around = self.library.neighbours(sentence, before=max(context, 1), after=max(context, 1))
            margin = self.join_margin(question, sentence)
            quoted = _joined(sentence, score, around, scores, margin) if not hits else (sentence,)
            taken.update(s.id for s in quoted)
            quote = self.library.document_text(sentence.document_id, quoted[0].start, quoted[-1].end)
            hits.append(
                Hit(
                    sentence,
                    documents[sentence.document_id],
                    score,
                    tuple(s for s in around if abs(s.position - sentence.position) <= context),
                    quoted,
                    quote,
                    margin=score - (floor or 0.0),
                )
            )
        return Answer(
            question, self._highlighted(question, hits, tokens, pool_tokens), best_score, needed, self._sure
        )

    def _highlighted(
        self,
        question: str,
        hits: Sequence[Hit],
        tokens: np.ndarray | None,
        pool_tokens: Mapping[int, np.ndarray] | None,
    ) -> tuple[Hit, ...]:
        """The hits with the words to bold: those the question shares with each quote, and, for a quote
        in another script, those the question's words translate to (read for every hit at once)."""
        translated = self._translated(question, tokens, hits, pool_tokens or {})
        return tuple(
            replace(hit, highlights=merged(hit.quote, [*highlight_spans(question, hit.quote), *found]))
            for hit, found in zip(hits, translated, strict=True)
        )

    def _translated(
        self,
        question: str,
        tokens: np.ndarray | None,
        hits: Sequence[Hit],
        pool_tokens: Mapping[int, np.ndarray],
    ) -> list[list[tuple[int, int]]]:
        """Per hit, the spans of its quote (offsets from its first sentence) whose tokens align with the
        question's words, for a question in another script than the quote: there no word is shared to
        bold. The token vectors ranking read are used again; only a joined neighbour's are read here."""
        found: list[list[tuple[int, int]]] = [[] for _ in hits]
        if tokens is None or self.reranker is None:
            return found
        across = [n for n, hit in enumerate(hits) if self.kind(question, hit.sentence) != "same_script"]
        if not across:
            return found
        sentences = [s for n in across for s in hits[n].quoted]
        stored = dict(pool_tokens)
        unread = {s.id: s for s in sentences if s.id not in stored}
        stored.update(self.reranker.sentence_tokens(unread) if unread else {})
        [question_spans] = self.encoder.content_spans([question], query=True)
        if len(question_spans) != len(tokens):
            return found  # tokenised differently from the vectors (another model): nothing to locate
        token_spans = iter(self.encoder.content_spans([s.text for s in sentences], query=False))
        for n in across:
            first = hits[n].quoted[0]
            for sentence in hits[n].quoted:
                spans, vectors = next(token_spans), stored[sentence.id]
                if len(spans) != len(vectors):
                    continue
                shift = sentence.start - first.start
                pairs = aligned(tokens, vectors)
                found[n].extend(
                    (start + shift, end + shift)
                    for start, end in translated_spans(question, question_spans, sentence.text, spans, pairs)
                )
        return found


def _joined(
    best: StoredSentence,
    score: float,
    around: Sequence[StoredSentence],
    scores: dict[int, float],
    margin: float,
) -> tuple[StoredSentence, ...]:
    """The best sentence, with the neighbour in its paragraph that scores nearly as well, if one does."""
    close = [
        s
        for s in around
        if abs(s.position - best.position) == 1
        and s.paragraph == best.paragraph
        and scores.get(s.id, float("-inf")) >= score - margin
    ]
    if not close:
        return (best,)
    partner = max(close, key=lambda s: scores[s.id])
    return tuple(sorted((best, partner), key=lambda s: s.position))
