"""What the learned fusion sees of each candidate sentence: its scores, each also relative to the
question's candidate pool, how the question pairs with the article, and whether the sentence holds the
kind of fact the question asks for.

A question's candidates come from one library search, so each score is also given relative to the
pool (gap to the best, z-score, rank): a weak best candidate is a sign that nothing answers. The
pairing features let one model weigh the evidence differently for a question in the article's script
and one asked across scripts, where no word can match.

The question's kind (who, when, how many, where) is read from interrogative words in the languages
journalists ask in; a sentence holds a number, a date or a name, or not.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from index.records import StoredSentence
from index.text import ScriptKind, dominant_script

# "prior" is the hand-set weighted fusion's score (e5 + weighted opinions per pairing): the learned
# fusion starts from it and corrects it.
SIGNALS = ("dense", "late", "use", "lexical", "prior")
SCRIPTS = ("arabic", "latin", "other")
ASKS = ("who", "when", "number", "where")
FACTS = ("number", "date", "name")

# Interrogatives by what they ask for (a phrase matches at a word boundary, lower-cased).
_ASKING = {
    "who": "who|whom|whose|من هو|من هي|من هم|من الذي|qui|quién|quiénes|wer|wem|wen|кто|kim",
    "when": "when|what year|what date|what day|which day|متى|في أي عام|في أي سنة|في اي عام|في أي يوم"
    "|quand|cuándo|wann|когда|ne zaman",
    "number": "how many|how much|what percentage|how long|how far|how old|كم|ما عدد|ما نسبة|ما قيمة"
    "|combien|cuántos|cuántas|cuánto|cuánta|wie viel|wie viele|сколько|kaç",
    "where": "where|أين|اين|où|dónde|wo|wohin|где|nerede",
}
_ASK_PATTERNS = {
    kind: re.compile(r"(?<!\w)(?:" + "|".join(re.escape(p) for p in phrases.split("|")) + r")(?!\w)")
    for kind, phrases in _ASKING.items()
}
# "من" alone is also "from": it asks who only as the question's first word.
_WHO_FIRST = re.compile(r"^\W*(?:و|ف)?من\s")
_NUMBER = re.compile(r"[0-9٠-٩۰-۹]")
_YEAR = re.compile(r"(?<![0-9])(1[89][0-9]{2}|20[0-9]{2})(?![0-9])")
_MONTHS_AND_DAYS = re.compile(
    r"(?<!\w)(january|february|march|april|may|june|july|august|september|october|november|december"
    r"|monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|tomorrow|today"
    r"|يناير|فبراير|مارس|أبريل|ابريل|مايو|يونيو|يوليو|أغسطس|اغسطس|سبتمبر|أكتوبر|اكتوبر|نوفمبر|ديسمبر"
    r"|كانون|شباط|آذار|نيسان|أيار|حزيران|تموز|آب|أيلول|تشرين"
    r"|الاثنين|الإثنين|الثلاثاء|الأربعاء|الخميس|الجمعة|السبت|الأحد|أمس|غدا|غدًا|اليوم)(?!\w)"
)
_NAME = re.compile(r"(?<=[\w,;:] )[A-Z][a-z]+")  # a capitalised word that does not start the sentence


def _names() -> tuple[str, ...]:
    names = list(SIGNALS)
    for signal in SIGNALS:
        names += [f"{signal}_gap", f"{signal}_z", f"{signal}_rank", f"{signal}_x_same"]
    names += [f"question_{s}" for s in SCRIPTS] + [f"article_{s}" for s in SCRIPTS] + ["same_script"]
    names += ["log_chars", "has_number", "has_date", "has_name"]
    names += [f"asks_{kind}" for kind in ASKS] + ["who_x_name", "when_x_date", "number_x_number"]
    names += ["neighbour_dense_gap", "neighbour_late_gap", "log_pool"]
    return tuple(names)


FEATURES = _names()
# What the answer model sees of a whole pool, once it is ranked: how strong and how clear-cut the
# first candidate is. Its probability is the chance that the first quote answers the question.
ANSWER_FEATURES = (
    "top_logit",
    "second_gap",
    "top_dense",
    "top_late",
    "top_use",
    "top_lexical",
    "top_prior",
    "top_dense_below_best",
    "top_same_script",
    "question_arabic",
    "log_pool",
    "asks_any",
    "asked_and_held",
)


@dataclass(frozen=True, slots=True)
class Pool:
    """One question's candidates and their scores from each signal (one value per candidate)."""

    question: str
    sentences: Sequence[StoredSentence]
    signals: dict[str, np.ndarray]
    kinds: Sequence[ScriptKind]
    article_scripts: Sequence[str]


def asks(question: str) -> dict[str, bool]:
    """Which kinds of fact the question asks for."""
    return dict(zip(ASKS, _asked(question), strict=True))


def holds(sentence: str) -> dict[str, bool]:
    """Which kinds of fact a sentence holds: a number, a date, a name."""
    return dict(zip(FACTS, _held(sentence), strict=True))


@lru_cache(maxsize=256)
def _asked(question: str) -> tuple[bool, ...]:
    """`asks`, in ASKS order: read by the ranker and again by the answer model for each question."""
    text = question.lower()
    found = {kind: bool(pattern.search(text)) for kind, pattern in _ASK_PATTERNS.items()}
    found["who"] = found["who"] or bool(_WHO_FIRST.search(text))
    return tuple(found[kind] for kind in ASKS)


@lru_cache(maxsize=8192)
def _held(sentence: str) -> tuple[bool, ...]:
    """`holds`, in FACTS order. A library's sentences come back in question after question, and reading
    them is most of what the features cost: each is read once while it keeps coming back."""
    lowered = sentence.lower()
    return (
        bool(_NUMBER.search(sentence)),
        bool(_YEAR.search(sentence) or _MONTHS_AND_DAYS.search(lowered)),
        bool(_NAME.search(sentence)),
    )


def pool_features(pool: Pool) -> np.ndarray:
    """One row of FEATURES per candidate, in the pool's order."""
    n = len(pool.sentences)
    columns: dict[str, np.ndarray] = {}
    same = np.array([kind == "same_script" for kind in pool.kinds], dtype=np.float64)
    # Every signal at once, one row each: relative to the pool's best, its spread and its order.
    values = np.array([pool.signals[signal] for signal in SIGNALS], dtype=np.float64).reshape(len(SIGNALS), n)
    gaps = values - values.max(axis=1, keepdims=True)
    zs = (values - values.mean(axis=1, keepdims=True)) / (values.std(axis=1, keepdims=True) + 1e-6)
    ranks = np.argsort(np.argsort(-values, axis=1, kind="stable"), axis=1, kind="stable")
    for row, signal in enumerate(SIGNALS):
        columns[signal] = values[row]
        columns[f"{signal}_gap"] = gaps[row]
        columns[f"{signal}_z"] = zs[row]
        columns[f"{signal}_rank"] = 1.0 / (1.0 + ranks[row])
        columns[f"{signal}_x_same"] = values[row] * same
    question_script = dominant_script(pool.question)
    for script in SCRIPTS:
        columns[f"question_{script}"] = np.full(n, float(question_script == script))
        columns[f"article_{script}"] = np.array([float(s == script) for s in pool.article_scripts])
    columns["same_script"] = same
    facts = np.array([_held(s.text) for s in pool.sentences], dtype=np.float64).reshape(n, len(FACTS))
    columns["log_chars"] = np.log1p([len(s.text) for s in pool.sentences])
    for row, fact in enumerate(FACTS):
        columns[f"has_{fact}"] = facts[:, row]
    asked = asks(pool.question)
    for kind in ASKS:
        columns[f"asks_{kind}"] = np.full(n, float(asked[kind]))
    columns["who_x_name"] = columns["asks_who"] * columns["has_name"]
    columns["when_x_date"] = columns["asks_when"] * columns["has_date"]
    columns["number_x_number"] = columns["asks_number"] * columns["has_number"]
    neighbours = _neighbours(pool)
    for signal in ("dense", "late"):
        columns[f"neighbour_{signal}_gap"] = _neighbour_gap(neighbours, columns[signal])
    # A small library gives a short pool, whose best candidate stands out less from the rest.
    columns["log_pool"] = np.full(n, math.log(n))
    return np.column_stack([columns[name] for name in FEATURES])


def _neighbours(pool: Pool) -> np.ndarray:
    """For each candidate, the pool indices of the sentences just before and after it in its article
    (-1 where that neighbour is not in the pool): one (n, 2) array for every signal's neighbour gap."""
    where = {(s.document_id, s.position): n for n, s in enumerate(pool.sentences)}
    return np.array(
        [[where.get((s.document_id, s.position + step), -1) for step in (-1, 1)] for s in pool.sentences],
        dtype=np.int64,
    ).reshape(-1, 2)


def _neighbour_gap(neighbours: np.ndarray, values: np.ndarray) -> np.ndarray:
    """The best score among a candidate's neighbours in its article that are in the pool, relative to
    the pool's best (the pool's worst when none is): an answer often sits beside a sentence on topic."""
    around = np.where(neighbours >= 0, values[neighbours], values.min())
    return around.max(axis=1) - values.max()


def answer_features(pool: Pool, scores: np.ndarray) -> np.ndarray:
    """One row of ANSWER_FEATURES for a ranked pool (`scores`: the ranker's probability per candidate)."""
    order = np.argsort(-scores, kind="stable")
    top = int(order[0])
    logits = np.log(np.clip(scores, 1e-6, 1 - 1e-6) / (1 - np.clip(scores, 1e-6, 1 - 1e-6)))
    second = float(logits[order[1]]) if len(order) > 1 else float(logits[top]) - 10.0
    asked = asks(pool.question)
    held = holds(pool.sentences[top].text)
    pairs = (("number", "number"), ("when", "date"), ("who", "name"))
    row = {
        "top_logit": float(logits[top]),
        "second_gap": float(logits[top]) - second,
        "top_dense": float(pool.signals["dense"][top]),
        "top_late": float(pool.signals["late"][top]),
        "top_use": float(pool.signals["use"][top]),
        "top_lexical": float(pool.signals["lexical"][top]),
        "top_prior": float(pool.signals["prior"][top]),
        "top_dense_below_best": float(pool.signals["dense"].max() - pool.signals["dense"][top]),
        "top_same_script": float(pool.kinds[top] == "same_script"),
        "question_arabic": float(dominant_script(pool.question) == "arabic"),
        "log_pool": math.log(len(scores)),
        "asks_any": float(any(asked.values())),
        "asked_and_held": float(any(asked[a] and held[h] for a, h in pairs)),
    }
    return np.array([[row[name] for name in ANSWER_FEATURES]])
