"""The embedding model: the only module that imports sentence-transformers.

`load_encoder` resolves a model spec (the bundled model, a local directory or a hub id) and wraps it
so the rest of Sanad never has to know about prompts, devices or normalisation.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from index.config import BUNDLED_MODEL
from index.errors import ModelError

log = logging.getLogger(__name__)

# Embedded at library creation and compared on every open: two models that embed this text alike
# are interchangeable for search, whatever their files look like.
PROBE_TEXT = "Sanad probe: انضمت بريطانيا إلى الولايات المتحدة في اتهام الصين."
PASSAGE_PROMPTS = ("document", "passage", "corpus")


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """What a library records about the model that embedded it."""

    name: str
    fingerprint: str
    dim: int


class BaseEncoder:
    """What every backend offers: questions and sentences -> unit vectors comparable by inner product.

    A backend sets `info`, `_query_prompt` and `_passage_prompt` (in whatever form its `_vectors` takes)
    and implements `_vectors` for a non-empty batch.
    """

    info: ModelInfo
    _query_prompt: str | None
    _passage_prompt: str | None

    @property
    def dim(self) -> int:
        return self.info.dim

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed questions (with the model's query prompt, when it has one)."""
        return self._encode(texts, self._query_prompt, batch_size=32, progress=False)

    def encode_passages(
        self, texts: Sequence[str], *, batch_size: int = 32, progress: bool = False
    ) -> np.ndarray:
        """Embed article sentences (with the model's passage prompt, when it has one)."""
        return self._encode(texts, self._passage_prompt, batch_size=batch_size, progress=progress)

    def probe(self) -> np.ndarray:
        """The model's vector for a fixed text; see PROBE_TEXT."""
        return self.encode_passages([PROBE_TEXT])[0]

    def _encode(
        self, texts: Sequence[str], prompt: str | None, *, batch_size: int, progress: bool
    ) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._vectors(texts, prompt, batch_size=batch_size, progress=progress)

    def _vectors(
        self, texts: Sequence[str], prompt: str | None, *, batch_size: int, progress: bool
    ) -> np.ndarray:
        raise NotImplementedError


class Encoder(BaseEncoder):
    """The sentence-transformers backend: the reference every other backend is checked against."""

    def __init__(self, model: Any, name: str, fingerprint: str) -> None:
        self._model = model
        prompts = getattr(model, "prompts", None) or {}
        self._query_prompt = "query" if prompts.get("query") else None
        self._passage_prompt = next((p for p in PASSAGE_PROMPTS if prompts.get(p)), None)
        dim = model.get_embedding_dimension()
        self.info = ModelInfo(name=name, fingerprint=fingerprint, dim=int(dim))

    def _vectors(
        self, texts: Sequence[str], prompt: str | None, *, batch_size: int, progress: bool
    ) -> np.ndarray:
        vectors = self._model.encode(
            list(texts),
            prompt_name=prompt,
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


def resolve_model_path(spec: str, cache: Path) -> Path | str:
    """Map a model spec to a local directory (building the bundled model if needed) or a hub id."""
    if spec == BUNDLED_MODEL or spec == "bundled":
        from index.bundled import ensure_bundled_model

        return ensure_bundled_model(cache / BUNDLED_MODEL.split(":", 1)[1])
    path = Path(spec).expanduser()
    if path.exists():
        if not (path / "config.json").exists() and not (path / "modules.json").exists():
            raise ModelError(f"{path} is not a sentence-transformers model directory (no config.json).")
        return path
    if spec.startswith((".", "/", "~")):
        raise ModelError(f"Model directory {spec} does not exist. Set SANAD_MODEL to an existing path.")
    return spec


@functools.lru_cache(maxsize=2)
def load_encoder(spec: str, cache: Path) -> Encoder:
    """Load the model named by `spec`: 'bundled:multilingual-e5-small', a directory, or a hub id.

    Cached per process: the model is read-only and loading it costs seconds.
    """
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
    return Encoder(model, name=spec, fingerprint=_fingerprint(location))


def _fingerprint(location: Path | str) -> str:
    if isinstance(location, Path):
        from index.bundled import model_fingerprint

        try:
            return model_fingerprint(location)
        except (FileNotFoundError, KeyError, ValueError):
            digest = hashlib.sha256()
            for file in sorted(p for p in location.rglob("*") if "onnx" not in p.relative_to(location).parts):
                if file.is_file():
                    digest.update(f"{file.relative_to(location)}:{file.stat().st_size}".encode())
            return digest.hexdigest()[:16]
    return f"hub:{location}"
