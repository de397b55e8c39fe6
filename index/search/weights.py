"""The numbers `sanad calibrate` learns from data, per model: fusion weights and "no answer" thresholds.

They live in one place, `index/search/calibration.json`, keyed by the model fingerprint, so a different model
never silently uses another's numbers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from index.files import atomic_write_bytes
from index.text import ScriptKind

CALIBRATION_FILE = Path(__file__).with_name("calibration.json")


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Lowest scores worth quoting: questions in another script than the article score lower."""

    same_script: float
    cross_script: float

    @classmethod
    def uniform(cls, value: float) -> Thresholds:
        return cls(value, value)

    def for_kind(self, kind: ScriptKind) -> float:
        return self.same_script if kind == "same_script" else self.cross_script


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


@dataclass(frozen=True, slots=True)
class Tuning:
    fusion: Fusion
    thresholds: Thresholds | None


def load_tuning(fingerprint: str, path: Path = CALIBRATION_FILE) -> Tuning | None:
    """The calibration for this model, if `sanad calibrate` has run for it."""
    if not path.exists():
        return None
    entry = json.loads(path.read_text(encoding="utf-8")).get(fingerprint)
    if not entry:
        return None
    weights = entry.get("fusion", {})
    fusion = Fusion(
        Weights(**weights.get("same_script", {})),
        Weights(**weights.get("cross_script", {})),
    )
    scores = entry["min_score"]
    return Tuning(fusion, Thresholds(float(scores["same_script"]), float(scores["cross_script"])))


def save_tuning(fingerprint: str, entry: dict[str, object], path: Path = CALIBRATION_FILE) -> None:
    """Merge one model's entry into the calibration file, atomically."""
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    data[fingerprint] = entry
    text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    atomic_write_bytes(path, text.encode("utf-8"))
