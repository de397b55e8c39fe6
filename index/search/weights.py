"""The numbers `sanad calibrate` learns from data, per model: the fusion and the "no answer" thresholds.

They live in one place, `index/search/calibration.json`, keyed by the model fingerprint, so a different
model never silently uses another's numbers. A model's fusion is either learned (`LearnedFusion`: a
logistic regression over index/search/features.py, whose probability is the score) or hand-set
weights per pairing (`Fusion`, e5's cosine plus weighted opinions); a calibration written for another
feature set is not used.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from index.files import atomic_write_bytes
from index.search.features import ANSWER_FEATURES, FEATURES
from index.text import ScriptKind

log = logging.getLogger(__name__)

CALIBRATION_FILE = Path(__file__).with_name("calibration.json")


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Lowest scores worth quoting: questions in another script than the article score lower."""

    same_script: float
    cross_script: float
    # How far the first quote must clear its threshold to be shown without a note of doubt (None: never
    # doubted), on the fusion's scale; chosen by `sanad calibrate`.
    sure: float | None = None

    @classmethod
    def uniform(cls, value: float) -> Thresholds:
        return cls(value, value)

    @classmethod
    def from_entry(cls, scores: dict[str, Any], sure: float | None = None) -> Thresholds:
        """The thresholds a calibration entry's `min_score` holds."""
        return cls(float(scores["same_script"]), float(scores["cross_script"]), sure)

    def for_kind(self, kind: ScriptKind) -> float:
        return self.same_script if kind == "same_script" else self.cross_script

    def for_kinds(self, kinds: Sequence[ScriptKind]) -> np.ndarray:
        """Each candidate's threshold, by how the question pairs with its article."""
        return np.array([self.for_kind(kind) for kind in kinds])


@dataclass(frozen=True, slots=True)
class Weights:
    """How much the other opinions add to e5's cosine: late interaction over e5's token vectors
    (index/search/late.py), USE's cosine and lexical coverage (0..1)."""

    use: float = 0.0
    lexical: float = 0.0
    late: float = 0.0


@dataclass(frozen=True, slots=True)
class Fusion:
    """Weights for questions in the article's script and for questions in another script."""

    same_script: Weights
    cross_script: Weights

    @classmethod
    def dense_only(cls) -> Fusion:
        return cls(Weights(), Weights())

    def for_kind(self, kind: ScriptKind) -> Weights:
        return self.same_script if kind == "same_script" else self.cross_script

    @property
    def uses_second_model(self) -> bool:
        return self.same_script.use > 0 or self.cross_script.use > 0

    @property
    def uses_tokens(self) -> bool:
        return self.same_script.late > 0 or self.cross_script.late > 0


@dataclass(frozen=True, eq=False)
class Logistic:
    """A logistic regression over standardised features: deterministic numpy at serving time."""

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        z = ((features - self.mean) / self.scale) @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))

    def to_entry(self, names: tuple[str, ...]) -> dict[str, Any]:
        return {
            "features": list(names),
            "mean": [_stored(x) for x in self.mean],
            "scale": [_stored(x) for x in self.scale],
            "coef": [_stored(x) for x in self.coef],
            "intercept": _stored(self.intercept),
        }

    @classmethod
    def from_entry(cls, entry: dict[str, Any], names: tuple[str, ...]) -> Logistic | None:
        """The model `to_entry` wrote; None when it was learned over other features than `names`."""
        if tuple(entry.get("features", ())) != names:
            return None
        arrays = [np.asarray(entry[key], dtype=np.float64) for key in ("mean", "scale", "coef")]
        return cls(*arrays, float(entry["intercept"]))


@dataclass(frozen=True, eq=False)
class LearnedFusion:
    """The learned fusion: a ranker that scores each candidate (index/search/features.py FEATURES:
    the probability that it answers), and an answer model that judges the ranked pool (ANSWER_FEATURES:
    the probability that the first quote answers). The second decides "not in the library" and doubt."""

    ranker: Logistic
    answer: Logistic
    # The hand-set weights whose fused score is one of the features (the "prior" signal).
    prior: Fusion
    # The weighted fusion's thresholds: when no candidate's prior clears its pairing's, the question is
    # declined whatever the answer model says (None: the answer model alone decides).
    floor: Thresholds | None = None

    uses_second_model = True
    uses_tokens = True

    def __repr__(self) -> str:
        return f"LearnedFusion({len(self.ranker.coef)} + {len(self.answer.coef)} features)"

    def to_entry(self) -> dict[str, Any]:
        return {
            "ranker": self.ranker.to_entry(FEATURES),
            "answer": self.answer.to_entry(ANSWER_FEATURES),
            "prior": {kind: asdict(self.prior.for_kind(kind)) for kind in ("same_script", "cross_script")},
        }

    @classmethod
    def from_entry(cls, entry: dict[str, Any]) -> LearnedFusion | None:
        """The fusion `to_entry` wrote; None when it was learned over other features than these."""
        ranker = Logistic.from_entry(entry.get("ranker", {}), FEATURES)
        answer = Logistic.from_entry(entry.get("answer", {}), ANSWER_FEATURES)
        if ranker is None or answer is None:
            log.warning("the learned fusion was trained on other features: run sanad calibrate")
            return None
        prior = entry.get("prior", {})
        weights = Fusion(Weights(**prior.get("same_script", {})), Weights(**prior.get("cross_script", {})))
        return cls(ranker, answer, weights)


@dataclass(frozen=True, slots=True)
class Tuning:
    fusion: Fusion | LearnedFusion | None
    thresholds: Thresholds | None


def load_tuning(fingerprint: str, path: Path = CALIBRATION_FILE, *, learned: bool = False) -> Tuning | None:
    """The calibration for this model, if `sanad calibrate` has run for it: its weighted fusion, or with
    `learned` its learned fusion (None when there is none, or it was learned over other features)."""
    if not path.exists():
        return None
    entry = json.loads(path.read_text(encoding="utf-8")).get(fingerprint)
    if not entry:
        return None
    fusion: Fusion | LearnedFusion | None
    if learned:
        if "learned" not in entry or (fusion := LearnedFusion.from_entry(entry["learned"])) is None:
            return None
        scores = entry["learned"]["min_score"]
        sure = entry["learned"].get("sure")
        if "min_score" in entry:
            fusion = replace(fusion, floor=Thresholds.from_entry(entry["min_score"]))
    else:
        weights = entry.get("fusion", {})
        fusion = Fusion(
            Weights(**weights.get("same_script", {})),
            Weights(**weights.get("cross_script", {})),
        )
        scores = entry["min_score"]
        sure = entry.get("sure_margin")
    thresholds = Thresholds.from_entry(scores, sure)
    return Tuning(fusion, thresholds)


def save_tuning(fingerprint: str, entry: dict[str, object], path: Path = CALIBRATION_FILE) -> None:
    """Merge one model's entry into the calibration file, atomically (keys of its entry that `entry`
    does not name are kept)."""
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    data[fingerprint] = {**data.get(fingerprint, {}), **entry}
    text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    atomic_write_bytes(path, text.encode("utf-8"))


def _stored(value: float) -> float:
    """Six decimals, and 0.0 for a weight that rounds to -0.0: two refits on the same data then differ
    only where their fits do, not in the sign of a zero."""
    return round(float(value), 6) + 0.0
