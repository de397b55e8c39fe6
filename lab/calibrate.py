"""`sanad calibrate`: learn the fusion weights and the "no answer" thresholds from data, reproducibly.

Data: ARCD train, each question asked in Arabic (same script as the article) and, where translated,
in English (another script). Asked against its own article it is answerable; asked against three
fixed other articles it is not.

1. Weights: for each script kind, the grid point (late-interaction, USE and lexical weight) with the
   best top-1 on the answerable questions.
2. Thresholds: for each script kind, the highest fused score that still declines at most
   TARGET_FALSE_NO_ANSWER of the answerable questions.

The result goes to `index/search/calibration.json` under the model fingerprint (index/search/weights.py
reads it).
"""

from __future__ import annotations

import itertools
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from index.config import IndexSettings
from index.embedding import Encoder, SecondOpinion, load_encoder
from index.search import Fusion, Weights
from index.search.fusion import fused_scores, lexical_terms
from index.search.late import late_scores
from index.search.lexical import BM25
from index.search.weights import save_tuning
from index.text import SCRIPT_KINDS, ScriptKind
from lab.datasets import find_arcd, load_arcd, load_translations

# A false "not in the article" hides an answer; a weak quote shows where it stands (README, Calibration).
TARGET_FALSE_NO_ANSWER = 0.01
NEGATIVE_OFFSETS = (7, 23, 41)
USE_WEIGHTS = (0.0, 0.05, 0.1, 0.2, 0.3, 0.5)
LEXICAL_WEIGHTS = (0.0, 0.05, 0.1, 0.2, 0.3, 0.5)
LATE_WEIGHTS = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0)


@dataclass(frozen=True, slots=True)
class Signals:
    """Per-sentence scores of one question against one article."""

    dense: np.ndarray
    use: np.ndarray
    lexical: np.ndarray
    late: np.ndarray

    def fused(self, weights: Weights) -> np.ndarray:
        return fused_scores(self.dense, self.use, self.lexical, weights, self.late)


@dataclass(frozen=True, slots=True)
class Case:
    """One question: its signals on its own article (with the right sentence) and on other articles."""

    own: Signals
    gold: int
    others: tuple[Signals, ...]


@dataclass(frozen=True, slots=True)
class Asked:
    """One question embedded as the searcher embeds it: e5 vector, e5 token vectors, USE vector."""

    text: str
    dense: np.ndarray
    tokens: np.ndarray
    use: np.ndarray

    @classmethod
    def embed_all(cls, texts: list[str], encoder: Encoder, second: SecondOpinion) -> list[Asked]:
        e5, use = encoder.embed_queries(texts), second.encode(texts)
        return [cls(t, e5.vectors[n], (e5.tokens or [])[n], use[n]) for n, t in enumerate(texts)]


@dataclass(frozen=True, slots=True)
class Article:
    """An article's sentences embedded by both models, with its BM25 statistics."""

    dense: np.ndarray
    tokens: list[np.ndarray]
    use: np.ndarray
    bm25: BM25

    @classmethod
    def embed(cls, sentences: list[str], encoder: Encoder, second: SecondOpinion) -> Article:
        e5 = encoder.embed_passages(sentences)
        return cls(e5.vectors, e5.tokens or [], second.encode(sentences), BM25(sentences))

    def signals(self, asked: Asked, kind: ScriptKind) -> Signals:
        coverage = self.bm25.coverage(lexical_terms(asked.text, self.bm25, kind))
        late = late_scores(asked.tokens, self.tokens)
        return Signals(self.dense @ asked.dense, self.use @ asked.use, coverage, late)


def run_calibration(settings: IndexSettings, *, arcd_dir: Path | None = None) -> dict[str, object]:
    encoder = load_encoder(settings)
    cases = collect_cases(encoder, SecondOpinion(model_cache=settings.model_cache), arcd_dir)
    fusion = Fusion(*(best_weights(cases[kind]) for kind in SCRIPT_KINDS))
    answerable = {k: _best_scores(cases[k], fusion.for_kind(k)) for k in SCRIPT_KINDS}
    unanswerable = {k: _best_scores(cases[k], fusion.for_kind(k), others=True) for k in SCRIPT_KINDS}
    thresholds = {
        kind: round(float(np.quantile(answerable[kind], TARGET_FALSE_NO_ANSWER, method="lower")), 4)
        for kind in SCRIPT_KINDS
    }
    entry = {
        "model": encoder.info.name,
        "backend": encoder.info.backend,
        "fusion": {kind: asdict(fusion.for_kind(kind)) for kind in SCRIPT_KINDS},
        "top1_train": {
            kind: {
                "e5": round(top1(cases[kind], Weights()), 4),
                "fused": round(top1(cases[kind], fusion.for_kind(kind)), 4),
            }
            for kind in SCRIPT_KINDS
        },
        "min_score": thresholds,
        "target_false_no_answer": TARGET_FALSE_NO_ANSWER,
        "answerable_declined": _rates(answerable, thresholds),
        "unanswerable_declined": _rates(unanswerable, thresholds),
        "data": "ARCD train: same-script = Arabic questions, cross-script = their English translations;"
        f" answerable against their own article, unanswerable against {len(NEGATIVE_OFFSETS)} other articles",
        "command": "sanad calibrate",
    }
    save_tuning(encoder.info.fingerprint, entry)
    print(json.dumps(entry, ensure_ascii=False, indent=2))
    return entry


def collect_cases(
    encoder: Encoder, second: SecondOpinion, arcd_dir: Path | None = None
) -> dict[ScriptKind, list[Case]]:
    """Every ARCD train question, by script kind, with its signals on its own and on other articles."""
    arcd, _ = load_arcd(find_arcd(arcd_dir), "train")
    english = load_translations("train")
    articles = [Article.embed(list(a.sentences), encoder, second) for a in arcd]
    cases: dict[ScriptKind, list[Case]] = {kind: [] for kind in SCRIPT_KINDS}
    for i, article in enumerate(arcd):
        for kind, asked in (
            ("same_script", [(q, q.question) for q in article.questions]),
            ("cross_script", [(q, english[q.id]) for q in article.questions if q.id in english]),
        ):
            if not asked:
                continue
            embedded = Asked.embed_all([text for _, text in asked], encoder, second)
            for (question, _), one in zip(asked, embedded, strict=True):
                others = tuple(
                    articles[(i + offset) % len(arcd)].signals(one, kind) for offset in NEGATIVE_OFFSETS
                )
                cases[kind].append(Case(articles[i].signals(one, kind), question.gold, others))
    return cases


def best_weights(cases: list[Case]) -> Weights:
    """The grid point with the best top-1, the lightest among equals. The plain best, not a rule that
    prefers lighter weights within the noise: a weight that adds little on ARCD train can add much more
    on unseen questions, as late interaction does for Arabic ones (docs/measurements.md)."""
    grid = [
        Weights(use, lexical, late)
        for use, lexical, late in itertools.product(USE_WEIGHTS, LEXICAL_WEIGHTS, LATE_WEIGHTS)
    ]
    return min(grid, key=lambda w: (-top1(cases, w), w.use + w.lexical + w.late))


def top1(cases: list[Case], weights: Weights) -> float:
    """Share of questions whose right sentence scores strictly above every other sentence."""
    hits = []
    for case in cases:
        scores = case.own.fused(weights)
        hits.append(bool((scores >= scores[case.gold]).sum() == 1))
    return float(np.mean(hits)) if hits else 0.0


def _best_scores(cases: list[Case], weights: Weights, *, others: bool = False) -> np.ndarray:
    if others:
        return np.array([s.fused(weights).max() for case in cases for s in case.others])
    return np.array([case.own.fused(weights).max() for case in cases])


def _rates(scores: dict[ScriptKind, np.ndarray], thresholds: dict[ScriptKind, float]) -> dict[str, float]:
    """Share of each kind's questions that the thresholds decline."""
    return {kind: round(float(np.mean(scores[kind] < thresholds[kind])), 4) for kind in SCRIPT_KINDS}
