"""Fused ranking: e5's FAISS candidates reranked with e5's token vectors, a second model and lexical
evidence.

    score = e5 cosine + w_late * MaxSim over e5 token vectors + w_use * USE cosine
            + w_lexical * BM25 coverage

All parts are absolute (not normalised per query), so the fused score of the best sentence can
be held against a calibrated "no answer" threshold. Lexical coverage is computed within the
candidate's own article (BM25 statistics of one article), and across scripts only over anchors
(numbers, Latin names, acronyms) the article holds: there is nothing else to match. The dense FAISS
search stays the first stage; fusion only touches the candidate pool, so its cost does not grow with
the library.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from index.embedding import Encoder, SecondOpinion
from index.library import Library
from index.records import StoredSentence
from index.search.articles import Articles
from index.search.late import late_scores
from index.search.lexical import BM25, anchors, tokenize
from index.search.weights import Fusion, Weights
from index.text import ScriptKind

Ranked = list[tuple[int, float]]
# Sentences stored without token vectors whose vectors are kept once computed (about 20 KB each).
CACHED_TOKENS = 2048


def lexical_terms(question: str, bm25: BM25, kind: ScriptKind) -> set[str]:
    """The question's words that count as lexical evidence for this article."""
    terms = set(tokenize(question))
    if kind == "same_script":
        return terms
    return {t for t in anchors(terms) if bm25.knows(t)}


def fused_scores(
    dense: np.ndarray,
    use: np.ndarray | None,
    lexical: np.ndarray,
    weights: Weights,
    late: np.ndarray | None = None,
) -> np.ndarray:
    """The fused score of each candidate; `use` and `late` may be None when their weight is zero."""
    scores = dense + weights.lexical * lexical
    if weights.use and use is not None:
        scores = scores + weights.use * use
    if weights.late and late is not None:
        scores = scores + weights.late * late
    return scores


class Reranker:
    """Reorders dense candidates by the fused score. Thread-safe."""

    def __init__(
        self,
        library: Library,
        fusion: Fusion,
        second: SecondOpinion | None,
        encoder: Encoder,
        articles: Articles | None = None,
    ) -> None:
        if fusion.uses_second_model and second is None:
            raise ValueError("these fusion weights need the second model")
        self.library = library
        self.fusion = fusion
        self.second = second
        self.encoder = encoder
        self.articles = articles or Articles(library)
        self._tokens: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def rerank(
        self,
        questions: Sequence[str],
        candidates: Sequence[Ranked],
        question_tokens: Sequence[np.ndarray] | None = None,
    ) -> list[Ranked]:
        """Each question's candidates, best fused score first. `question_tokens` (the questions'
        content-token vectors) are needed when the fusion weighs late interaction."""
        if self.fusion.uses_tokens and question_tokens is None:
            raise ValueError("these fusion weights need the questions' token vectors")
        ids = sorted({i for pairs in candidates for i, _ in pairs})
        sentences = self.library.sentences(ids)
        tokens = self.sentence_tokens(sentences) if self.fusion.uses_tokens else {}
        return [
            self._rerank_one(
                question,
                [(sentences[i], score) for i, score in pairs if i in sentences],
                question_tokens[n] if question_tokens is not None else None,
                tokens,
            )
            for n, (question, pairs) in enumerate(zip(questions, candidates, strict=True))
        ]

    def _rerank_one(
        self,
        question: str,
        pool: list[tuple[StoredSentence, float]],
        question_tokens: np.ndarray | None,
        tokens: dict[int, np.ndarray],
    ) -> Ranked:
        if not pool:
            return []
        dense = np.array([score for _, score in pool])
        late = None
        if question_tokens is not None and tokens:
            late = late_scores(question_tokens, [tokens[s.id] for s, _ in pool])
        kinds = [self.articles.kind(question, sentence.document_id) for sentence, _ in pool]
        same = np.array([kind == "same_script" for kind in kinds])
        use = None
        if any(self.fusion.for_kind(kind).use for kind in set(kinds)):  # the second model only when it counts
            assert self.second is not None
            vectors = self.second.encode([question, *(s.text for s, _ in pool)])
            use = vectors[1:] @ vectors[0]
        coverage = np.zeros(len(pool))
        per_article: dict[tuple[int, ScriptKind], np.ndarray] = {}
        for n, ((sentence, _), kind) in enumerate(zip(pool, kinds, strict=True)):
            key = (sentence.document_id, kind)
            if key not in per_article:
                bm25 = self.articles.bm25(sentence.document_id)
                per_article[key] = bm25.coverage(lexical_terms(question, bm25, kind))
            coverage[n] = per_article[key][sentence.position]
        fused = np.where(
            same,
            fused_scores(dense, use, coverage, self.fusion.same_script, late),
            fused_scores(dense, use, coverage, self.fusion.cross_script, late),
        )
        order = np.argsort(-fused, kind="stable")
        return [(pool[n][0].id, float(fused[n])) for n in order]

    def sentence_tokens(self, sentences: dict[int, StoredSentence]) -> dict[int, np.ndarray]:
        """Each sentence's token vectors: stored with it, or (for a sentence stored before they were)
        embedded now and kept in a bounded cache."""
        found = self.library.token_vectors(list(sentences))
        missing = [s for i, s in sentences.items() if i not in found]
        with self._lock:
            for sentence in missing:
                if (cached := self._tokens.get(sentence.text)) is not None:
                    self._tokens.move_to_end(sentence.text)
                    found[sentence.id] = cached
        todo = [s for s in missing if s.id not in found]
        if todo:
            computed = self.encoder.embed_passages([s.text for s in todo]).tokens or []
            with self._lock:
                for sentence, rows in zip(todo, computed, strict=True):
                    found[sentence.id] = self._tokens[sentence.text] = rows
                while len(self._tokens) > CACHED_TOKENS:
                    self._tokens.popitem(last=False)
        return found
