"""The encoder interface every backend offers: questions and sentences -> unit vectors.

Backends (`index.embedding.onnx_backend`, `index.embedding.torch_backend`) hide prompts, devices,
tokenisation and normalisation behind it, so the rest of Sanad only asks for vectors.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from index.embedding.content import ContentFilter, content_positions
from index.records import Embedded, ModelInfo

# Embedded at library creation and compared on every open: two models that embed this text alike
# are interchangeable for search, whatever their files look like.
PROBE_TEXT = "Sanad probe: انضمت بريطانيا إلى الولايات المتحدة في اتهام الصين."


class Encoder:
    """What every backend offers: questions and sentences -> unit vectors comparable by inner product.

    A backend sets `info`, `_query_prompt`, `_passage_prompt` (in whatever form its `_vectors` takes)
    and `_content`, and implements `_vectors` for a non-empty batch, `_prompt_text`, `_skip` and
    `_offsets`.
    """

    info: ModelInfo
    _query_prompt: str | None
    _passage_prompt: str | None
    _content: ContentFilter  # which token ids are words or numbers (index/search/late.py)
    _probe: np.ndarray | None = None

    @property
    def dim(self) -> int:
        return self.info.dim

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed questions (with the model's query prompt, when it has one)."""
        return self.embed_queries(texts, tokens=False).vectors

    def encode_passages(
        self, texts: Sequence[str], *, batch_size: int = 32, progress: bool = False
    ) -> np.ndarray:
        """Embed article sentences (with the model's passage prompt, when it has one)."""
        return self.embed_passages(texts, batch_size=batch_size, progress=progress, tokens=False).vectors

    def embed_queries(self, texts: Sequence[str], *, tokens: bool = True) -> Embedded:
        """Questions' vectors and, with `tokens`, their content-token vectors."""
        return self._encode(texts, self._query_prompt, batch_size=32, progress=False, tokens=tokens)

    def embed_passages(
        self, texts: Sequence[str], *, batch_size: int = 32, progress: bool = False, tokens: bool = True
    ) -> Embedded:
        """Sentences' vectors and, with `tokens`, their content-token vectors."""
        return self._encode(
            texts, self._passage_prompt, batch_size=batch_size, progress=progress, tokens=tokens
        )

    def content_spans(self, texts: Sequence[str], *, query: bool) -> list[list[tuple[int, int]]]:
        """Where each content token of each text stands in it (character offsets), in the order of
        the token vectors `embed_queries` / `embed_passages` give."""
        prompt_name = self._query_prompt if query else self._passage_prompt
        prompt, skip = self._prompt_text(prompt_name), self._skip(prompt_name)
        spans = []
        for ids, offsets in self._offsets([prompt + text for text in texts]):
            spans.append(
                [
                    (max(offsets[n][0] - len(prompt), 0), offsets[n][1] - len(prompt))
                    for n in content_positions(ids, skip, self._content)
                ]
            )
        return spans

    def probe(self) -> np.ndarray:
        """The model's vector for a fixed text (see PROBE_TEXT), embedded once and read-only: every
        library opened (each chat's, each by `sanad setup`) is checked against it."""
        if self._probe is None:
            probe = self.encode_passages([PROBE_TEXT])[0]
            probe.setflags(write=False)
            self._probe = probe
        return self._probe

    def _encode(
        self, texts: Sequence[str], prompt: str | None, *, batch_size: int, progress: bool, tokens: bool
    ) -> Embedded:
        if not texts:
            return Embedded(np.zeros((0, self.dim), dtype=np.float32), [] if tokens else None)
        return self._vectors(texts, prompt, batch_size=batch_size, progress=progress, tokens=tokens)

    def _vectors(
        self, texts: Sequence[str], prompt: str | None, *, batch_size: int, progress: bool, tokens: bool
    ) -> Embedded:
        raise NotImplementedError

    def _prompt_text(self, prompt: str | None) -> str:
        raise NotImplementedError

    def _skip(self, prompt: str | None) -> int:
        raise NotImplementedError

    def _offsets(self, inputs: list[str]) -> list[tuple[Sequence[int], Sequence[tuple[int, int]]]]:
        """Token ids and character offsets of each input, as the model tokenizes it."""
        raise NotImplementedError


def progress_bar(total: int | None) -> Any:
    """The bar batch embedding shows: sentences done and the rate, in sentences a second."""
    from tqdm import tqdm

    return tqdm(total=total, desc="Embedding", unit=" sentences", smoothing=0.1)
