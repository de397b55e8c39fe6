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


def calibrated_threshold(model: ModelInfo, path: Path = CALIBRATION_FILE) -> float | None:
    """The "no answer" threshold calibrated for this model, if `sanad calibrate` has run for it."""
    if not path.exists():
        return None
    entry = json.loads(path.read_text(encoding="utf-8")).get(model.fingerprint)
    return float(entry["min_score"]) if entry else None


class Searcher:
    """Answers questions from one library with one encoder."""

    def __init__(self, library: Library, encoder: Encoder, *, threshold: float | None) -> None:
        self.library = library
        self.encoder = encoder
        self.threshold = threshold

    def ask(self, question: str, *, k: int = 3, context: int = 1) -> Answer:
        """The best `k` sentences for `question` above the threshold."""
        return self.ask_many([question], k=k, context=context)[0]

    def ask_many(self, questions: Sequence[str], *, k: int = 3, context: int = 1) -> list[Answer]:
        """Answer several questions with one batched embedding call."""
        cleaned = [clean_question(q) for q in questions]
        ranked = self.rank(cleaned, k=k)
        return [self._answer(q, pairs, context) for q, pairs in zip(cleaned, ranked, strict=True)]

    def rank(self, questions: Sequence[str], *, k: int) -> list[list[tuple[int, float]]]:
        """The `k` best (sentence id, score) pairs per question, before any threshold."""
        return self.library.search(self.encoder.encode_queries(questions), k)

    def declines(self, best: float | None) -> bool:
        """Whether the best score is too low to quote anything."""
        return best is None or (self.threshold is not None and best < self.threshold)

    def _answer(self, question: str, pairs: list[tuple[int, float]], context: int) -> Answer:
        best = pairs[0][1] if pairs else None
        if self.declines(best):
            return Answer(question, (), best, self.threshold)
        kept = [(i, s) for i, s in pairs if not self.declines(s)]
        sentences = self.library.sentences([i for i, _ in kept])
        documents: dict[int, Document] = {}
        hits = []
        for sentence_id, score in kept:
            sentence = sentences[sentence_id]
            if sentence.document_id not in documents:
                document = self.library.document(sentence.document_id)
                assert document is not None
                documents[sentence.document_id] = document
            around = self.library.neighbours(sentence, before=context, after=context)
            hits.append(Hit(sentence, documents[sentence.document_id], score, tuple(around)))
        return Answer(question, tuple(hits), best, self.threshold)
