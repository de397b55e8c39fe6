"""Question -> ranked sentences -> an Answer, or a plain "not in the library"."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from index.errors import InputError
from index.model import Encoder, ModelInfo
from index.store import Document, Library, StoredSentence

MAX_QUESTION_CHARS = 1000
CALIBRATION_FILE = Path(__file__).with_name("calibration.json")
_SPACES = re.compile(r"\s+")
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\u061c\ufeff]")
_ARABIC_LETTERS = re.compile(
    "[\u0620-\u064a\u066e-\u06d3\u06fa-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufefc]"
)
_LATIN_LETTERS = re.compile("[A-Za-z\u00c0-\u024f]")
SCRIPT_KINDS = ("same_script", "cross_script")


@dataclass(frozen=True, slots=True)
class Hit:
    """One quoted sentence, with the sentences around it for context."""

    sentence: StoredSentence
    document: Document
    score: float
    context: tuple[StoredSentence, ...]

    @property
    def text(self) -> str:
        return self.sentence.text


@dataclass(frozen=True, slots=True)
class Answer:
    """Hits good enough to quote, best first; none means the library does not answer."""

    question: str
    hits: tuple[Hit, ...]
    best_score: float | None
    threshold: float | None

    @property
    def no_answer(self) -> bool:
        return not self.hits


def clean_question(text: str) -> str:
    """Drop invisible marks and extra spaces; refuse what cannot be a question."""
    question = _SPACES.sub(" ", _INVISIBLE.sub("", text)).strip()
    if not any(ch.isalnum() for ch in question):
        raise InputError("Ask a question in words, for example: Who denied the claims?")
    if len(question) > MAX_QUESTION_CHARS:
        raise InputError(
            f"The question is {len(question):,} characters long; ask in under {MAX_QUESTION_CHARS:,}."
        )
    return question


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Lowest scores worth quoting: questions in another script than the article score lower."""

    same_script: float
    cross_script: float

    @classmethod
    def uniform(cls, value: float) -> Thresholds:
        return cls(value, value)

    def for_pair(self, question: str, sentence: str) -> float:
        same = dominant_script(question) == dominant_script(sentence)
        return self.same_script if same else self.cross_script


def dominant_script(text: str) -> str:
    """'arabic', 'latin' or 'other', by which letters are most common: enough to tell score ranges."""
    arabic = len(_ARABIC_LETTERS.findall(text))
    latin = len(_LATIN_LETTERS.findall(text))
    other = sum(ch.isalpha() for ch in text) - arabic - latin
    counts = {"arabic": arabic, "latin": latin, "other": other}
    return max(counts, key=lambda k: counts[k])


def calibrated_thresholds(model: ModelInfo, path: Path = CALIBRATION_FILE) -> Thresholds | None:
    """The "no answer" thresholds calibrated for this model, if `sanad calibrate` has run for it."""
    if not path.exists():
        return None
    entry = json.loads(path.read_text(encoding="utf-8")).get(model.fingerprint)
    if not entry:
        return None
    scores = entry["min_score"]
    return Thresholds(float(scores["same_script"]), float(scores["cross_script"]))


class Searcher:
    """Answers questions from one library with one encoder."""

    def __init__(self, library: Library, encoder: Encoder, *, thresholds: Thresholds | None) -> None:
        self.library = library
        self.encoder = encoder
        self.thresholds = thresholds

    def ask(self, question: str, *, k: int = 3, context: int = 1) -> Answer:
        """The best `k` sentences for `question` that clear the threshold."""
        return self.ask_many([question], k=k, context=context)[0]

    def ask_many(self, questions: Sequence[str], *, k: int = 3, context: int = 1) -> list[Answer]:
        """Answer several questions with one batched embedding call."""
        cleaned = [clean_question(q) for q in questions]
        ranked = self.rank(cleaned, k=k)
        return [self._answer(q, pairs, context) for q, pairs in zip(cleaned, ranked, strict=True)]

    def rank(self, questions: Sequence[str], *, k: int) -> list[list[tuple[int, float]]]:
        """The `k` best (sentence id, score) pairs per question, before any threshold."""
        return self.library.search(self.encoder.encode_queries(questions), k)

    def threshold(self, question: str, sentence: StoredSentence) -> float | None:
        """The score `sentence` needs to be quoted for `question`."""
        return None if self.thresholds is None else self.thresholds.for_pair(question, sentence.text)

    def _answer(self, question: str, pairs: list[tuple[int, float]], context: int) -> Answer:
        if not pairs:
            return Answer(question, (), None, None)
        sentences = self.library.sentences([i for i, _ in pairs])
        needed = self.threshold(question, sentences[pairs[0][0]])
        if needed is not None and pairs[0][1] < needed:
            return Answer(question, (), pairs[0][1], needed)
        documents: dict[int, Document] = {}
        hits = []
        for sentence_id, score in pairs:
            sentence = sentences[sentence_id]
            floor = self.threshold(question, sentence)
            if floor is not None and score < floor:
                continue
            if sentence.document_id not in documents:
                document = self.library.document(sentence.document_id)
                assert document is not None
                documents[sentence.document_id] = document
            around = self.library.neighbours(sentence, before=context, after=context)
            hits.append(Hit(sentence, documents[sentence.document_id], score, tuple(around)))
        return Answer(question, tuple(hits), pairs[0][1], needed)
