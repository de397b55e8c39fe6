"""`sanad calibrate`: choose the "no answer" threshold from data, reproducibly.

Data: ARCD train, each question asked in Arabic and (where translated) in English. Asked against its
own article it is answerable; asked against another article (three fixed others per question) it is
not. Scores across scripts run lower than within one, so there are two thresholds: Arabic questions
calibrate the same-script one, their English translations the cross-script one. Each is the highest
score that still declines at most TARGET_FALSE_NO_ANSWER of its answerable questions. The result goes
to `index/calibration.json` under the model fingerprint.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from index.atomic import atomic_write_bytes
from index.config import IndexSettings
from index.datasets import find_arcd, load_arcd, load_translations
from index.model import Encoder, load_encoder
from index.search import CALIBRATION_FILE, SCRIPT_KINDS

Scores = dict[str, np.ndarray]

TARGET_FALSE_NO_ANSWER = 0.02
NEGATIVE_OFFSETS = (7, 23, 41)


def run_calibration(settings: IndexSettings, *, arcd_dir: Path | None = None) -> dict[str, object]:
    encoder = load_encoder(settings)
    answerable, unanswerable = top_scores(encoder, arcd_dir)
    thresholds = {
        kind: round(float(np.quantile(answerable[kind], TARGET_FALSE_NO_ANSWER, method="lower")), 4)
        for kind in SCRIPT_KINDS
    }
    entry = {
        "model": encoder.info.name,
        "backend": encoder.info.backend,
        "min_score": thresholds,
        "target_false_no_answer": TARGET_FALSE_NO_ANSWER,
        "answerable_declined": _rates(answerable, thresholds),
        "unanswerable_declined": _rates(unanswerable, thresholds),
        "data": "ARCD train: same-script = Arabic questions, cross-script = their English translations;"
        f" answerable against their own article, unanswerable against {len(NEGATIVE_OFFSETS)} other articles",
        "command": "sanad calibrate",
    }
    save_calibration(encoder.info.fingerprint, entry)
    print(json.dumps(entry, ensure_ascii=False, indent=2))
    return entry


def top_scores(encoder: Encoder, arcd_dir: Path | None = None) -> tuple[Scores, Scores]:
    """Best sentence score of each question against its own article and against other articles."""
    articles, _ = load_arcd(find_arcd(arcd_dir), "train")
    english = load_translations("train")
    passages = [encoder.encode_passages(a.sentences) for a in articles]
    answerable: dict[str, list[float]] = {kind: [] for kind in SCRIPT_KINDS}
    unanswerable: dict[str, list[float]] = {kind: [] for kind in SCRIPT_KINDS}
    for i, article in enumerate(articles):
        for kind, texts in (
            ("same_script", [q.question for q in article.questions]),
            ("cross_script", [english[q.id] for q in article.questions if q.id in english]),
        ):
            if not texts:
                continue
            queries = encoder.encode_queries(texts)
            answerable[kind].extend((queries @ passages[i].T).max(axis=1))
            for offset in NEGATIVE_OFFSETS:
                other = passages[(i + offset) % len(articles)]
                unanswerable[kind].extend((queries @ other.T).max(axis=1))
    return _arrays(answerable), _arrays(unanswerable)


def _arrays(scores: dict[str, list[float]]) -> Scores:
    return {kind: np.asarray(values) for kind, values in scores.items()}


def _rates(scores: Scores, thresholds: dict[str, float]) -> dict[str, float]:
    """Share of each kind's questions that the thresholds decline."""
    return {kind: round(float(np.mean(scores[kind] < thresholds[kind])), 4) for kind in SCRIPT_KINDS}


def save_calibration(fingerprint: str, entry: dict[str, object], path: Path = CALIBRATION_FILE) -> None:
    """Merge one model's entry into the calibration file, atomically."""
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    data[fingerprint] = entry
    text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    atomic_write_bytes(path, text.encode("utf-8"))
