"""The embedding model on torch + sentence-transformers: the reference every other backend is checked
against. The only module that imports sentence-transformers, and only when a torch encoder loads, so a
serving process on ONNX never pays for torch.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from index.embedding.content import ContentFilter, content_tokens
from index.embedding.encoder import Encoder, progress_bar
from index.embedding.model_files import PASSAGE_PROMPTS, fingerprint
from index.embedding.resolve import resolve_model_path
from index.errors import ModelError
from index.records import Embedded, ModelInfo

log = logging.getLogger(__name__)


class TorchEncoder(Encoder):
    """The sentence-transformers backend: the reference every other backend is checked against."""

    def __init__(self, model: Any, name: str, fingerprint: str) -> None:
        self._model = model
        self._content = ContentFilter(model.tokenizer.convert_ids_to_tokens)
        prompts = getattr(model, "prompts", None) or {}
        self._query_prompt = "query" if prompts.get("query") else None
        self._passage_prompt = next((p for p in PASSAGE_PROMPTS if prompts.get(p)), None)
        dim = model.get_embedding_dimension()
        self.info = ModelInfo(name=name, fingerprint=fingerprint, dim=int(dim), backend="torch")

    @property
    def model(self) -> Any:
        """The sentence-transformers model itself: the lab's naive baseline calls it directly."""
        return self._model

    def _vectors(
        self, texts: Sequence[str], prompt: str | None, *, batch_size: int, progress: bool, tokens: bool
    ) -> Embedded:
        if not progress:
            return self._run(list(texts), prompt, batch_size, tokens)
        # In chunks, so the bar counts sentences (sentence-transformers' own bar counts batches).
        chunk = batch_size * 8
        parts = []
        with progress_bar(len(texts)) as bar:
            for start in range(0, len(texts), chunk):
                parts.append(self._run(list(texts[start : start + chunk]), prompt, batch_size, tokens))
                bar.update(len(parts[-1].vectors))
        return Embedded.concat(parts)

    def _run(self, texts: list[str], prompt: str | None, batch_size: int, tokens: bool) -> Embedded:
        if not tokens:
            vectors = self._model.encode(
                texts,
                prompt_name=prompt,
                batch_size=batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
            return Embedded(np.ascontiguousarray(vectors, dtype=np.float32))
        items = self._model.encode(
            texts, prompt_name=prompt, batch_size=batch_size, output_value=None, show_progress_bar=False
        )
        vectors = np.stack([item["sentence_embedding"].float().numpy() for item in items])
        vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        skip = self._skip(prompt)
        rows = [
            content_tokens(
                item["token_embeddings"].float().numpy(), item["input_ids"].tolist(), skip, self._content
            )
            for item in items
        ]
        return Embedded(np.ascontiguousarray(vectors, dtype=np.float32), rows)

    def _prompt_text(self, prompt: str | None) -> str:
        return (self._model.prompts.get(prompt) or "") if prompt else ""

    def _skip(self, prompt: str | None) -> int:
        """Leading tokens that are not the text: the start token and the prompt's own tokens."""
        text = self._prompt_text(prompt).rstrip()
        return 1 + (len(self._model.tokenizer(text, add_special_tokens=False)["input_ids"]) if text else 0)

    def _offsets(self, inputs: list[str]) -> list[tuple[list[int], list[tuple[int, int]]]]:
        tokenizer = self._model.tokenizer
        encoded = tokenizer(
            inputs, return_offsets_mapping=True, truncation=True, max_length=self._model.max_seq_length
        )
        return [
            (list(ids), [tuple(o) for o in offsets])
            for ids, offsets in zip(encoded["input_ids"], encoded["offset_mapping"], strict=True)
        ]


@functools.lru_cache(maxsize=2)
def load_torch_encoder(spec: str, cache: Path) -> TorchEncoder:
    """Load the model named by `spec` on torch: 'bundled:multilingual-e5-small', a directory, or a hub id."""
    location = resolve_model_path(spec, cache)
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # a bar per model load is noise, not progress

    local = isinstance(location, Path)
    log.info("loading embedding model %s", location)
    try:
        model = SentenceTransformer(str(location), device="cpu", local_files_only=local)
    except OSError as exc:
        hint = "check the path" if local else "a hub id needs network access; use a local directory"
        raise ModelError(f"Could not load the model {spec!r} ({hint}): {exc}") from exc
    return TorchEncoder(model, name=spec, fingerprint=fingerprint(location))
