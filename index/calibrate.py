"""`sanad calibrate`: learn the fusion weights and the "no answer" thresholds from data, reproducibly.

Data: ARCD train, each question asked in Arabic (same script as the article) and, where translated,
in English (another script). Asked against its own article it is answerable; asked against three
fixed other articles it is not.

1. Weights: for each script kind, the lightest grid point (USE weight, lexical weight) whose top-1 on
   the answerable questions is within one standard error of the best.
2. Thresholds: for each script kind, the highest fused score that still declines at most
   TARGET_FALSE_NO_ANSWER of the answerable questions.

The result goes to `index/calibration.json` under the model fingerprint (index/tuning.py reads it).
"""

from __future__ import annotations

import itertools
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from index.config import IndexSettings
from index.datasets import ArcdArticle, find_arcd, load_arcd, load_translations
from index.fusion import fused_scores, lexical_terms
from index.lexical import BM25
from index.model import Encoder, load_encoder
from index.scripts import SCRIPT_KINDS, ScriptKind
from index.tuning import Fusion, Weights, save_tuning
from index.use import SecondOpinion

TARGET_FALSE_NO_ANSWER = 0.02
NEGATIVE_OFFSETS = (7, 23, 41)
USE_WEIGHTS = (0.0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5)
LEXICAL_WEIGHTS = (0.0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5)


@dataclass(frozen=True, slots=True)
class Signals:
    """Per-sentence scores of one question against one article."""

    dense: np.ndarray
    use: np.ndarray
    lexical: np.ndarray

    def fused(self, weights: Weights) -> np.ndarray:
        return fused_scores(self.dense, self.use, self.lexical, weights)


@dataclass(frozen=True, slots=True)
class Case:
    """One question: its signals on its own article (with the right sentence) and on other articles."""

    own: Signals
    gold: int
    others: tuple[Signals, ...]


@dataclass(frozen=True, slots=True)
class Article:
    """An article's sentences embedded by both models, with its BM25 statistics."""

    dense: np.ndarray
    use: np.ndarray
    bm25: BM25

    @classmethod
    def embed(cls, article: ArcdArticle, encoder: Encoder, second: SecondOpinion) -> Article:
        sentences = list(article.sentences)
        return cls(encoder.encode_passages(sentences), second.encode(sentences), BM25(sentences))

    def signals(self, question: str, kind: ScriptKind, dense: np.ndarray, use: np.ndarray) -> Signals:
        coverage = self.bm25.coverage(lexical_terms(question, self.bm25, kind))
        return Signals(self.dense @ dense, self.use @ use, coverage)


def run_calibration(settings: IndexSettings, *, arcd_dir: Path | None = None) -> dict[str, object]:
    encoder = load_encoder(settings)
    cases = collect_cases(encoder, SecondOpinion(), arcd_dir)
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
    articles = [Article.embed(a, encoder, second) for a in arcd]
    cases: dict[ScriptKind, list[Case]] = {kind: [] for kind in SCRIPT_KINDS}
    for i, article in enumerate(arcd):
        for kind, asked in (
            ("same_script", [(q, q.question) for q in article.questions]),
            ("cross_script", [(q, english[q.id]) for q in article.questions if q.id in english]),
        ):
            if not asked:
                continue
            texts = [text for _, text in asked]
            dense, use = encoder.encode_queries(texts), second.encode(texts)
            for n, (question, text) in enumerate(asked):
                others = tuple(
                    articles[(i + offset) % len(arcd)].signals(text, kind, dense[n], use[n])
                    for offset in NEGATIVE_OFFSETS
                )
                own = articles[i].signals(text, kind, dense[n], use[n])
                cases[kind].append(Case(own, question.gold, others))
    return cases


def best_weights(cases: list[Case]) -> Weights:
    """The lightest grid point whose top-1 is within one standard error of the best (the one-standard-
    error rule): a difference the data cannot tell from noise does not buy extra weight."""
    grid = [Weights(use, lexical) for use, lexical in itertools.product(USE_WEIGHTS, LEXICAL_WEIGHTS)]
    scored = [(top1(cases, weights), weights) for weights in grid]
    best = max(accuracy for accuracy, _ in scored)
    floor = best - float(np.sqrt(best * (1 - best) / max(len(cases), 1)))
    eligible = [(weights.use + weights.lexical, -accuracy, weights) for accuracy, weights in scored]
    return min((item for item in eligible if -item[1] >= floor), key=lambda item: item[:2])[2]


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
