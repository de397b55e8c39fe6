"""The embedding model: which backend runs it, and the torch backend (the only sentence-transformers import).

`load_encoder(settings)` picks the backend SANAD_BACKEND names: onnxruntime (`index.onnx_encoder`,
int8 or float32) or torch + sentence-transformers (`TorchEncoder`, the reference the others are checked
against). Each resolves a model spec (the bundled model, a local directory or a hub id) and hides
prompts, devices and normalisation from the rest of Sanad. torch, transformers and
sentence-transformers are imported only when the torch backend loads (or an ONNX export is built),
so a serving process on ONNX never pays for them.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from index.config import BUNDLED_MODEL
from index.errors import ModelError
from index.late import ContentFilter, content_positions, content_tokens

if TYPE_CHECKING:
    from index.config import IndexSettings

log = logging.getLogger(__name__)

# Embedded at library creation and compared on every open: two models that embed this text alike
# are interchangeable for search, whatever their files look like.
PROBE_TEXT = "Sanad probe: انضمت بريطانيا إلى الولايات المتحدة في اتهام الصين."
PASSAGE_PROMPTS = ("document", "passage", "corpus")


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """What a library records about the model that embedded it: `backend` says how it ran ("torch",
    "onnx-fp32", "onnx-int8"); vectors of one model agree across backends (see `index.store`)."""

    name: str
    fingerprint: str
    dim: int
    backend: str = "torch"


@dataclass(frozen=True, slots=True)
class Embedded:
    """Unit sentence vectors, one row per text, and, when asked for, each text's content-token
    vectors from the same forward pass (for late interaction, see `index.late`)."""

    vectors: np.ndarray
    tokens: list[np.ndarray] | None = None

    @classmethod
    def concat(cls, parts: Sequence[Embedded]) -> Embedded:
        tokens = [t for part in parts for t in part.tokens or []] if parts[0].tokens is not None else None
        return cls(np.concatenate([part.vectors for part in parts]), tokens)


class Encoder:
    """What every backend offers: questions and sentences -> unit vectors comparable by inner product.

    A backend sets `info`, `_query_prompt`, `_passage_prompt` (in whatever form its `_vectors` takes)
    and `_content`, and implements `_vectors` for a non-empty batch, `_prompt_text`, `_skip` and
    `_offsets`.
    """

    info: ModelInfo
    _query_prompt: str | None
    _passage_prompt: str | None
    _content: ContentFilter  # which token ids are words or numbers (index/late.py)
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


def progress_bar(total: int | None) -> Any:
    """The bar batch embedding shows: sentences done and the rate, in sentences a second."""
    from tqdm import tqdm

    return tqdm(total=total, desc="Embedding", unit=" sentences", smoothing=0.1)


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


def load_encoder(settings: IndexSettings) -> Encoder:
    """The encoder SANAD_MODEL and SANAD_BACKEND name, loaded once per process (it is read-only and
    loading it costs seconds).

    The ONNX backends need a local model directory and its export (`sanad setup` builds the bundled
    model's; another directory's is built here on first use, which needs torch). When that cannot
    be done (a hub id, a model the ONNX encoder does not support, the `build` extra not installed),
    the torch backend embeds instead and a warning says why: answers stay right, only slower.
    `encoder.info.backend` says which backend runs.
    """
    return _load(settings.model, settings.model_cache, settings.backend, settings.onnx_threads)


@functools.lru_cache(maxsize=4)
def _load(spec: str, cache: Path, backend: str, threads: int | None) -> Encoder:
    if backend == "torch":
        return load_torch_encoder(spec, cache)
    location = resolve_model_path(spec, cache)
    if not isinstance(location, Path):
        log.warning(
            "SANAD_BACKEND=%s needs a local model directory; %s is a hub id: using torch", backend, spec
        )
        return load_torch_encoder(spec, cache)
    from index.onnx_encoder import load_onnx_encoder

    try:
        return load_onnx_encoder(location, quantized=backend == "onnx-int8", threads=threads, name=spec)
    except (ModelError, ImportError) as exc:
        log.warning("cannot run %s on %s (%s): using torch", spec, backend, exc)
        return load_torch_encoder(spec, cache)


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
    return TorchEncoder(model, name=spec, fingerprint=_fingerprint(location))


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
