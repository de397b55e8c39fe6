"""`sanad calibrate`: learn the fusion and the "no answer" threshold from data, reproducibly.

The fusion is a logistic regression over the features of each candidate in a question's pool
(index/search/features.py), and its probability is the score a user's answer is ranked and judged by.

Data (nothing of ARCD test, the mixed set's held-out articles or the seed questions):
- ARCD train, each question in Arabic and, where translated, in English, French, Spanish, German or
  Russian (`seeds/eval/arcd-train-LANG.jsonl`);
- the mixed set's training articles (seeds/eval/mixed, a1-a4 and b1-b4), questions in English,
  Arabic and other languages, and their unanswerable questions.

The articles are split in two: every third ARCD article and half the mixed training articles form the
dev library, the rest the fit library. A question is asked of its own library (answerable) and of the
other one (unanswerable there); each pool is the searcher's own (e5's 32 best, every signal). The model
is fitted on the fit library's pools, with the regularisation that ranks the dev questions best; the
threshold is the highest probability that still declines at most TARGET_FALSE_NO_ANSWER of the dev
library's answerable questions, and `sure` the lowest probability above which the dev answers are right
SURE_PRECISION of the time (below it the reply says it is not sure).
"""

from __future__ import annotations

import json
import tempfile
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from index.config import IndexSettings
from index.embedding import Encoder, SecondOpinion, load_encoder
from index.library import Library
from index.search.features import answer_features, pool_features
from index.search.weights import (
    Fusion,
    LearnedFusion,
    Logistic,
    Thresholds,
    Weights,
    load_tuning,
    save_tuning,
)
from index.text import SCRIPT_KINDS
from lab.corpora import MIXED_TRAIN, Labelled, arcd_documents, fill, labelled_pools, mixed_documents
from lab.datasets import find_arcd, load_arcd, load_translations

# A false "not in the library" hides an answer; a weak quote shows where it stands (README, Calibration).
TARGET_FALSE_NO_ANSWER = 0.01
# Above `sure`, this share of the dev library's quoted answers is right; below, the reply says it is not sure.
SURE_PRECISION = 0.9
REGULARISATION = (0.03, 0.1, 0.3, 1.0, 3.0)
ANSWER_REGULARISATION = 1.0
# The weighted fusion the learned one starts from (its score is the "prior" feature): the weights an
# earlier grid search chose on ARCD train, per pairing (docs/measurements.md, Fusion and calibration).
PRIOR = Fusion(Weights(use=0.05, lexical=0.2, late=1.0), Weights(use=0.1, lexical=0.1, late=1.5))


def run_calibration(settings: IndexSettings, *, arcd_dir: Path | None = None) -> dict[str, object]:
    encoder = load_encoder(settings)
    second = SecondOpinion(model_cache=settings.model_cache)
    fit, dev = (Scored.of(pools) for pools in collect(encoder, second, arcd_dir))
    ranker, strength = choose(fit, dev)
    answer = fit_logistic(*dev.answer_rows(ranker), strength=ANSWER_REGULARISATION)
    answerable = dev.answer_probabilities(ranker, answer)
    kinds = dev.top_kinds(ranker)
    thresholds = {
        kind: float(
            np.quantile(answerable[dev.answerable & (kinds == kind)], TARGET_FALSE_NO_ANSWER, method="lower")
        )
        for kind in SCRIPT_KINDS
    }
    top, right = dev.tops(ranker)
    fusion = LearnedFusion(ranker, answer, PRIOR)
    declined = np.array([a < thresholds[k] for a, k in zip(answerable, kinds, strict=True)])
    learned = {
        **fusion.to_entry(),
        "sure": round(sure_level(top[dev.answerable], right[dev.answerable]), 4),
        "regularisation": strength,
        "min_score": {kind: round(value, 4) for kind, value in thresholds.items()},
        "target_false_no_answer": TARGET_FALSE_NO_ANSWER,
        "sure_precision": SURE_PRECISION,
        "dev": report(dev.pools, declined, right),
        "data": "ARCD train (Arabic questions and their English, French, Spanish, German and Russian"
        " translations) and the mixed set's training"
        " articles (seeds/eval/mixed a1-a4, b1-b4); every third ARCD article and a2, a4, b2, b4 are the"
        " dev library the answer model, the regularisation, the thresholds and `sure` are chosen on",
        "command": "sanad calibrate",
    }
    entry: dict[str, object] = {
        "model": encoder.info.name,
        "backend": encoder.info.backend,
        "learned": learned,
    }
    weighted = load_tuning(encoder.info.fingerprint)
    if weighted is None or weighted.thresholds is None:  # a new model: the weighted fusion needs its own
        entry["fusion"] = {kind: asdict(PRIOR.for_kind(kind)) for kind in SCRIPT_KINDS}
        entry["min_score"] = dev.prior_thresholds()
        limits = Thresholds.from_entry(entry["min_score"])
    else:
        limits = weighted.thresholds
    margins, right_weighted = dev.prior_margins(limits)
    entry["sure_margin"] = round(sure_level(margins[dev.answerable], right_weighted[dev.answerable]), 4)
    save_tuning(encoder.info.fingerprint, entry)
    print(json.dumps(entry, ensure_ascii=False, indent=2))
    return entry


@dataclass(frozen=True, slots=True)
class Scored:
    """Labelled pools with their feature matrices, computed once."""

    pools: list[Labelled]
    features: list[np.ndarray]

    @classmethod
    def of(cls, pools: list[Labelled]) -> Scored:
        kept = [p for p in pools if p.pool.sentences]
        return cls(kept, [pool_features(p.pool) for p in kept])

    @property
    def answerable(self) -> np.ndarray:
        return np.array([p.answerable for p in self.pools])

    def ranking_rows(self) -> tuple[np.ndarray, np.ndarray]:
        """Every candidate of every pool that holds the right one, labelled: what the ranker learns."""
        blocks, labels = [], []
        for item, matrix in zip(self.pools, self.features, strict=True):
            if item.gold is None:
                continue
            label = np.zeros(len(matrix))
            label[item.gold] = 1.0
            blocks.append(matrix)
            labels.append(label)
        return np.vstack(blocks), np.concatenate(labels)

    def answer_rows(self, ranker: Logistic) -> tuple[np.ndarray, np.ndarray]:
        """One row per pool, labelled by whether the library answers the question at all."""
        rows = [answer_features(item.pool, ranker.probabilities(m))[0] for item, m in self._zipped()]
        return np.vstack(rows), self.answerable.astype(float)

    def _zipped(self) -> Iterator[tuple[Labelled, np.ndarray]]:
        return zip(self.pools, self.features, strict=True)

    def top1(self, ranker: Logistic) -> float:
        """Share of answerable questions whose right sentence the ranker puts first."""
        hits = [
            item.gold is not None and int(ranker.probabilities(matrix).argmax()) == item.gold
            for item, matrix in zip(self.pools, self.features, strict=True)
            if item.answerable
        ]
        return float(np.mean(hits)) if hits else 0.0

    def answer_probabilities(self, ranker: Logistic, answer: Logistic) -> np.ndarray:
        """The answer model's probability that the library answers, per pool."""
        return answer.probabilities(self.answer_rows(ranker)[0])

    def prior_thresholds(self) -> dict[str, float]:
        """For the weighted fusion alone: per pairing, the highest best score that still declines at
        most TARGET_FALSE_NO_ANSWER of the answerable questions."""
        best, kinds = [], []
        for item in self.pools:
            prior = item.pool.signals["prior"]
            best.append(float(prior.max()))
            kinds.append(item.pool.kinds[int(prior.argmax())])
        values, pairing = np.array(best), np.array(kinds)
        return {
            kind: round(
                float(np.quantile(values[self.answerable & (pairing == kind)], TARGET_FALSE_NO_ANSWER)), 4
            )
            for kind in SCRIPT_KINDS
        }

    def prior_margins(self, limits: Thresholds) -> tuple[np.ndarray, np.ndarray]:
        """For the weighted fusion: how far each pool's first candidate clears its pairing's threshold
        (candidates ordered as the searcher orders them), and whether it is the right one."""
        margins, right = [], []
        for item in self.pools:
            ordering = item.pool.signals["prior"] - limits.for_kinds(item.pool.kinds)
            margins.append(float(ordering.max()))
            right.append(item.gold is not None and int(ordering.argmax()) == item.gold)
        return np.array(margins), np.array(right)

    def top_kinds(self, ranker: Logistic) -> np.ndarray:
        """How each question pairs with the article of the ranker's first candidate."""
        return np.array(
            [item.pool.kinds[int(ranker.probabilities(m).argmax())] for item, m in self._zipped()]
        )

    def tops(self, ranker: Logistic) -> tuple[np.ndarray, np.ndarray]:
        """The ranker's first probability per pool, and whether that candidate is the right one."""
        scores = [ranker.probabilities(m) for _, m in self._zipped()]
        top = np.array([s.max() for s in scores])
        right = np.array(
            [
                p.gold is not None and int(s.argmax()) == p.gold
                for p, s in zip(self.pools, scores, strict=True)
            ]
        )
        return top, right


def collect(
    encoder: Encoder, second: SecondOpinion, arcd_dir: Path | None = None
) -> tuple[list[Labelled], list[Labelled]]:
    """Labelled pools for fitting and for choosing. Each half's questions are asked of its library
    (answerable) and of the other half's (unanswerable there); and, as in a chat with one article,
    of a library holding only their article and of one holding only another article."""
    arcd, _ = load_arcd(find_arcd(arcd_dir), "train")
    translations = load_translations("train")
    halves = {
        "fit": [a for n, a in enumerate(arcd) if n % 3 != 2],
        "dev": [a for n, a in enumerate(arcd) if n % 3 == 2],
    }
    mixed = {"fit": MIXED_TRAIN[0::2], "dev": MIXED_TRAIN[1::2]}
    pools: dict[str, list[Labelled]] = {"fit": [], "dev": []}
    with tempfile.TemporaryDirectory() as tmp:
        libraries, questions, documents, embedded = {}, {}, {}, {}
        for half in ("fit", "dev"):
            arcd_docs, asked = arcd_documents(halves[half], translations, f"arcd-train-{half}-")
            more, more_asked = mixed_documents(mixed[half])
            documents[half] = {**arcd_docs, **more}
            library = Library.open(Path(tmp) / half, encoder.info, encoder.probe())
            libraries[half] = (library, fill(library, encoder, documents[half], embedded))
            questions[half] = asked + more_asked
        for half, other in (("fit", "dev"), ("dev", "fit")):
            for name in (half, other):
                library, ids = libraries[name]
                asked = questions[half] if name == half else [q for q in questions[half] if q.article]
                pools[half].extend(labelled_pools(library, ids, encoder, second, asked, PRIOR))
            keys = list(documents[half])
            for n, key in enumerate(keys):
                mine = [q for q in questions[half] if q.article == key]
                for target in (key, keys[(n + 7) % len(keys)]):
                    with Library.open(
                        Path(tmp) / f"{half}-{n}-{target}", encoder.info, encoder.probe()
                    ) as one:
                        ids = fill(one, encoder, {target: documents[half][target]})
                        pools[half].extend(labelled_pools(one, ids, encoder, second, mine, PRIOR))
        for library, _ in libraries.values():
            library.close()
    return pools["fit"], pools["dev"]


def choose(fit: Scored, dev: Scored) -> tuple[Logistic, float]:
    """The ranker fitted on `fit` for each regularisation strength; the one that puts the right
    sentence first for the most answerable dev questions (the strongest among equals)."""
    features, labels = fit.ranking_rows()
    tried = []
    for strength in REGULARISATION:
        ranker = fit_logistic(features, labels, strength=strength)
        tried.append((dev.top1(ranker), -strength, ranker))
        print(f"ranker C={strength}: dev top-1 {tried[-1][0]:.3f}")
    _, negative, ranker = max(tried, key=lambda t: (t[0], t[1]))
    return ranker, -negative


def fit_logistic(features: np.ndarray, labels: np.ndarray, *, strength: float) -> Logistic:
    """A logistic regression (scikit-learn, lbfgs) over standardised features."""
    from sklearn.linear_model import LogisticRegression

    mean, scale = features.mean(axis=0), features.std(axis=0) + 1e-6
    model = LogisticRegression(C=strength, max_iter=5000)
    model.fit((features - mean) / scale, labels)
    return Logistic(mean, scale, model.coef_[0], float(model.intercept_[0]))


def sure_level(best: np.ndarray, right: np.ndarray) -> float:
    """The lowest first-candidate probability above which that quote is the right one SURE_PRECISION
    of the time, over answerable questions."""
    order = np.argsort(-best)
    precision = np.cumsum(right[order]) / np.arange(1, len(order) + 1)
    good = np.nonzero(precision >= SURE_PRECISION)[0]
    return float(best[order][good[-1]]) if len(good) else 1.0


def report(pools: Sequence[Labelled], declined: np.ndarray, right: np.ndarray) -> dict[str, dict[str, float]]:
    """Top-1 and declines per pairing (unanswerable questions apart, by language)."""
    groups: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
    for item, no, hit in zip(pools, declined, right, strict=True):
        name = item.question.pairing if item.answerable else f"{item.question.lang}->unanswerable"
        groups[name].append((bool(hit), bool(no)))
    return {
        name: {
            "questions": len(rows),
            "top1": round(float(np.mean([r for r, _ in rows])), 4),
            "declined": round(float(np.mean([d for _, d in rows])), 4),
        }
        for name, rows in sorted(groups.items())
    }
