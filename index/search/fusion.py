"""Fused ranking: e5's FAISS candidates reranked with e5's token vectors, a second model and lexical
evidence.

    score = e5 cosine + w_late * MaxSim over e5 token vectors + w_use * USE cosine
            + w_lexical * BM25 coverage

All parts are absolute (not normalised per query), so the fused score of the best sentence can
be held against a calibrated "no answer" threshold. Lexical coverage is computed within the
candidate's own article (BM25 statistics of one article), and across scripts only over anchors
(numbers, Latin names, acronyms) the article holds: there is nothing else to match. The dense FAISS
search stays the first stage; fusion only touches the candidate pool, so its cost does not grow with
the library. Each pairing adds its own weights, so candidates are ordered by how far they clear their
pairing's threshold.

A learned fusion (index/search/weights.py) replaces the sum by a ranker's probability over the
candidates' features (index/search/features.py), and judges the ranked pool with its answer model.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from index.embedding import Encoder, SecondOpinion
from index.library import AnyLibrary
from index.records import StoredSentence
from index.search.articles import Articles
from index.search.features import Pool, answer_features, pool_features
from index.search.late import late_scores
from index.search.lexical import BM25, anchors, named_numbers, tokenize
from index.search.weights import Fusion, LearnedFusion, Thresholds, Weights
from index.text import ScriptKind, pairing

Ranked = list[tuple[int, float]]
# Sentences stored without token vectors whose vectors are kept once computed (about 20 KB each).
CACHED_TOKENS = 2048


@dataclass(frozen=True, slots=True)
class Judged:
    """One question's candidates, best first; the probability that the first answers it (a learned
    fusion's answer model; None for weighted fusion, whose best score is judged instead); the
    candidates' token vectors as ranking read them (the reply's highlights use them again); and, when the
    learned fusion's floor declines the question, the weighted score that came nearest and what it
    needed."""

    ranked: Ranked
    confidence: float | None = None
    tokens: Mapping[int, np.ndarray] | None = None
    # The learned fusion's floor: no candidate clears the weighted fusion's threshold for its pairing.
    short_of_floor: tuple[float, float] | None = None


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
        library: AnyLibrary,
        fusion: Fusion | LearnedFusion,
        second: SecondOpinion | None,
        encoder: Encoder,
        articles: Articles | None = None,
        *,
        offsets: Thresholds | None = None,
    ) -> None:
        if fusion.uses_second_model and second is None:
            raise ValueError("these fusion weights need the second model")
        self.library = library
        self.fusion = fusion
        self.second = second
        self.encoder = encoder
        self.articles = articles or Articles(library)
        # Weighted scores of different pairings run on different scales (each adds its own weights):
        # candidates are ordered by how far they clear their pairing's threshold.
        self.offsets = offsets
        self._tokens: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def judge(
        self,
        questions: Sequence[str],
        candidates: Sequence[Ranked],
        question_tokens: Sequence[np.ndarray] | None = None,
    ) -> list[Judged]:
        """Each question's candidates judged. `question_tokens` (the questions' content-token vectors)
        are needed when the fusion weighs late interaction."""
        pools, tokens = self._pools(questions, candidates, question_tokens)
        judged = []
        for pool in pools:
            scores = self.score(pool)
            order = np.argsort(-self.ordering(pool, scores), kind="stable")
            ranked = [(pool.sentences[n].id, float(scores[n])) for n in order]
            judged.append(Judged(ranked, self.confidence(pool, scores), tokens, self.short_of_floor(pool)))
        return judged

    def below_floor(self, pool: Pool) -> bool:
        """Whether a learned fusion declines the pool before its answer model is asked: no candidate's
        weighted score clears the weighted fusion's threshold for its pairing. The answer model is fitted
        on fewer unanswerable questions than the thresholds were set on; the two together decline what
        either would."""
        return self.short_of_floor(pool) is not None

    def short_of_floor(self, pool: Pool) -> tuple[float, float] | None:
        """When the pool is below the learned fusion's floor: the weighted score that came nearest its
        threshold, and that threshold (what the reply reports as the best match and what it needed)."""
        if not isinstance(self.fusion, LearnedFusion) or self.fusion.floor is None or not pool.sentences:
            return None
        needed = self.fusion.floor.for_kinds(pool.kinds)
        nearest = int(np.argmax(pool.signals["prior"] - needed))
        score = float(pool.signals["prior"][nearest])
        return None if score >= needed[nearest] else (score, float(needed[nearest]))

    def ordering(self, pool: Pool, scores: np.ndarray) -> np.ndarray:
        """What the candidates are ordered by: the learned fusion's probability; the weighted score
        less its pairing's threshold (each pairing's scores run on their own scale)."""
        if self.offsets is None or isinstance(self.fusion, LearnedFusion):
            return scores
        return scores - self.offsets.for_kinds(pool.kinds)

    def confidence(self, pool: Pool, scores: np.ndarray) -> float | None:
        """The answer model's probability that the pool's first candidate answers the question."""
        if not isinstance(self.fusion, LearnedFusion) or not len(scores):
            return None
        return float(self.fusion.answer.probabilities(answer_features(pool, scores))[0])

    def pools(
        self,
        questions: Sequence[str],
        candidates: Sequence[Ranked],
        question_tokens: Sequence[np.ndarray] | None = None,
    ) -> list[Pool]:
        """Each question's candidates with every signal the fusion weighs (what the learned fusion is
        trained on, by the lab, and scores here)."""
        return self._pools(questions, candidates, question_tokens)[0]

    def _pools(
        self,
        questions: Sequence[str],
        candidates: Sequence[Ranked],
        question_tokens: Sequence[np.ndarray] | None,
    ) -> tuple[list[Pool], dict[int, np.ndarray]]:
        """The pools, and the candidates' token vectors read for them (read once for every question)."""
        if self.fusion.uses_tokens and question_tokens is None:
            raise ValueError("these fusion weights need the questions' token vectors")
        ids = sorted({i for pairs in candidates for i, _ in pairs})
        sentences = self.library.sentences(ids)
        tokens = self.sentence_tokens(sentences) if self.fusion.uses_tokens else {}
        pools = []
        for n, (question, pairs) in enumerate(zip(questions, candidates, strict=True)):
            named = named_numbers(question)
            pool = [(sentences[i], score) for i, score in pairs if self._may_answer(named, sentences.get(i))]
            pools.append(
                self._pool(
                    question, pool, question_tokens[n] if question_tokens is not None else None, tokens
                )
            )
        return pools, tokens

    def _may_answer(self, named: set[str], sentence: StoredSentence | None) -> bool:
        """Whether the sentence is still stored and its article holds one of the numbers the question
        names (`named`), if it names any: "Who won the 2022 World Cup?" is not answered by an article
        that never says 2022."""
        if sentence is None:
            return False
        return not named or bool(named & self.articles.numbers(sentence.document_id))

    def _pool(
        self,
        question: str,
        pool: list[tuple[StoredSentence, float]],
        question_tokens: np.ndarray | None,
        tokens: dict[int, np.ndarray],
    ) -> Pool:
        sentences = [sentence for sentence, _ in pool]
        # Once per article of the pool, not per candidate: each look-up reads the article's row.
        script_of = {doc: self.articles.script(doc) for doc in {s.document_id for s in sentences}}
        scripts = [script_of[sentence.document_id] for sentence in sentences]
        kinds = [pairing(question, script) for script in scripts]
        signals = {"dense": np.array([score for _, score in pool])}
        if question_tokens is not None and tokens and pool:
            signals["late"] = late_scores(question_tokens, [tokens[s.id] for s in sentences])
        learned = isinstance(self.fusion, LearnedFusion)
        if pool and (learned or any(self.fusion.for_kind(kind).use for kind in set(kinds))):
            assert self.second is not None  # the second model runs only when it counts
            vectors = self.second.encode([question, *(s.text for s in sentences)])
            signals["use"] = vectors[1:] @ vectors[0]
        coverage = np.zeros(len(pool))
        per_article: dict[tuple[int, ScriptKind], np.ndarray] = {}
        for n, (sentence, kind) in enumerate(zip(sentences, kinds, strict=True)):
            key = (sentence.document_id, kind)
            if key not in per_article:
                bm25 = self.articles.bm25(sentence.document_id)
                per_article[key] = bm25.coverage(lexical_terms(question, bm25, kind))
            coverage[n] = per_article[key][sentence.position]
        signals["lexical"] = coverage
        if learned and pool:
            signals["prior"] = self._weighted(signals, kinds, self.fusion.prior)
        return Pool(question, sentences, signals, kinds, scripts)

    def score(self, pool: Pool) -> np.ndarray:
        """The fused score of each candidate: the learned fusion's probability, or e5's cosine plus
        the weighted opinions."""
        if not pool.sentences:
            return np.zeros(0)
        signals = pool.signals
        if isinstance(self.fusion, LearnedFusion):
            fused = self.fusion.ranker.probabilities(pool_features(pool))
        else:
            fused = self._weighted(signals, pool.kinds, self.fusion)
        return np.asarray(fused, dtype=np.float64)

    @staticmethod
    def _weighted(signals: dict[str, np.ndarray], kinds: Sequence[ScriptKind], fusion: Fusion) -> np.ndarray:
        """e5's cosine plus the opinions, weighted for each candidate's pairing."""
        same = np.array([kind == "same_script" for kind in kinds])
        dense, use, late, coverage = (signals.get(name) for name in ("dense", "use", "late", "lexical"))
        assert dense is not None and coverage is not None
        return np.where(
            same,
            fused_scores(dense, use, coverage, fusion.same_script, late),
            fused_scores(dense, use, coverage, fusion.cross_script, late),
        )

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
