"""Which backend embeds: the one factory that loads an encoder for the settings.

`load_encoder(settings)` picks the backend SANAD_BACKEND names: onnxruntime
(`index.embedding.onnx_backend`, int8 or float32) or torch + sentence-transformers
(`index.embedding.torch_backend`, the reference the others are checked against).
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path

from index.config import IndexSettings
from index.embedding.encoder import Encoder
from index.embedding.resolve import resolve_model_path
from index.embedding.torch_backend import load_torch_encoder
from index.errors import ModelError

log = logging.getLogger(__name__)


def load_encoder(settings: IndexSettings) -> Encoder:
    """The encoder SANAD_MODEL and SANAD_BACKEND name, loaded once per process (it is read-only and
    loading it costs seconds).

    The ONNX backends need a local model directory and its export, which `sanad setup` builds. When
    that cannot be done (a hub id, a model the ONNX encoder does not support, the `build` extra not
    installed, no export yet), the torch backend embeds instead and a warning says why: answers stay
    right, only slower. `encoder.info.backend` says which backend runs.
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
    from index.embedding.onnx_backend import load_onnx_encoder

    try:
        return load_onnx_encoder(location, quantized=backend == "onnx-int8", threads=threads, name=spec)
    except (ModelError, ImportError) as exc:
        log.warning("cannot run %s on %s (%s): using torch", spec, backend, exc)
        return load_torch_encoder(spec, cache)
