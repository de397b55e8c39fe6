"""The nouns every layer passes around: spans of text, sentences, articles, stored documents, and
what a model gives back for them.

They hold data and nothing else, so the lowest layer can define them and every layer above can share
one type instead of copying fields from one to another.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open character range ``[start, end)`` into the original raw text."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Sentence:
    """One quotable sentence and where it stands in its article: cut by the splitter, stored as it is.
    `text` is exactly the article's text from `start` to `end`."""

    start: int
    end: int
    paragraph: int
    position: int
    text: str


@dataclass(frozen=True, slots=True)
class SourceText:
    """An article's raw text and what is known about it."""

    text: str
    title: str | None = None
    language: str | None = None
    source: str | None = None
    published: str | None = None
    author: str | None = None
    read_by: str | None = None  # "ocr" when the text was read off an image; None when it came as text


@dataclass(frozen=True, slots=True)
class NewDocument:
    """A document to add: its full text, metadata and the sentences cut from it."""

    text: str
    title: str | None
    language: str | None
    source: str | None
    sentences: Sequence[Sentence]
    published: str | None = None  # the article's date, as the page gives it (ISO when known)
    author: str | None = None
    read_by: str | None = None
    added_at: str | None = None  # when it was first added (a copy keeps it); None: now
    number: int | None = None  # the id a copy keeps (sanad migrate); None: the library's next one


@dataclass(frozen=True, slots=True)
class Document:
    """A stored document."""

    id: int
    title: str | None
    language: str | None
    source: str | None
    added_at: str
    sentence_count: int
    characters: int
    paragraph_count: int
    published: str | None = None
    author: str | None = None
    read_by: str | None = None  # "ocr": its text was read off a photo or a scan, and may hold misreadings

    @property
    def label(self) -> str:
        return self.title or self.source or f"document {self.id}"


@dataclass(frozen=True, slots=True)
class StoredSentence:
    """A stored sentence; `text` is exactly the document text from `start` to `end`."""

    id: int
    document_id: int
    position: int
    paragraph: int
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """What a library records about the model that embedded it: `backend` says how it ran ("torch",
    "onnx-fp32", "onnx-int8"); vectors of one model agree across backends (see `index.library`)."""

    name: str
    fingerprint: str
    dim: int
    backend: str = "torch"


@dataclass(frozen=True, slots=True)
class Embedded:
    """Unit sentence vectors, one row per text, and, when asked for, each text's content-token
    vectors from the same forward pass (for late interaction, see `index.search.late`)."""

    vectors: np.ndarray
    tokens: list[np.ndarray] | None = None

    @classmethod
    def concat(cls, parts: Sequence[Embedded]) -> Embedded:
        tokens = [t for part in parts for t in part.tokens or []] if parts[0].tokens is not None else None
        return cls(np.concatenate([part.vectors for part in parts]), tokens)
