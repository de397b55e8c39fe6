"""Embedding: text -> unit vectors comparable by inner product, and the second opinion beside them.

    encoder.py        the Encoder interface every backend offers
    loading.py        SANAD_BACKEND -> the backend that embeds (onnxruntime or torch)
    onnx_backend.py   e5 on onnxruntime: the serving default, no torch
    torch_backend.py  e5 on sentence-transformers: the reference
    unigram.py        the bundled model's tokenizer, without `tokenizers`
    content.py        which token vectors carry words (for late interaction)
    model_files.py    what a model directory holds: manifest, fingerprint, ONNX exports
    second.py         Universal Sentence Encoder, the second opinion
    build/            the bundled model and its ONNX exports: imported only by `sanad setup`

Loading an encoder never builds anything: `sanad setup` does, so a serving process imports neither
torch nor the build tools.
"""

from index.embedding.content import ContentFilter, content_positions, content_tokens, is_content
from index.embedding.encoder import PROBE_TEXT, Encoder, progress_bar
from index.embedding.loading import load_encoder
from index.embedding.model_files import (
    PASSAGE_PROMPTS,
    bundled_dir,
    check_model,
    fingerprint,
    model_fingerprint,
)
from index.embedding.resolve import resolve_model_path
from index.embedding.second import SecondOpinion, prepare_weights
from index.embedding.torch_backend import TorchEncoder, load_torch_encoder

__all__ = [
    "PASSAGE_PROMPTS",
    "PROBE_TEXT",
    "ContentFilter",
    "Encoder",
    "SecondOpinion",
    "TorchEncoder",
    "bundled_dir",
    "check_model",
    "content_positions",
    "content_tokens",
    "fingerprint",
    "is_content",
    "load_encoder",
    "load_torch_encoder",
    "model_fingerprint",
    "prepare_weights",
    "progress_bar",
    "resolve_model_path",
]
