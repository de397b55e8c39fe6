"""The embedding model on onnxruntime: the vectors of `index.embedding.torch_backend`, without torch.
The only module that imports onnxruntime to serve.

A serving process that uses `OnnxEncoder` imports onnxruntime and numpy, never torch, transformers
or sentence-transformers. It reads everything it needs from the sentence-transformers model
directory (prompts, maximum length, pooling) and the graph `sanad setup` exported beside it
(`index.embedding.model_files`), and reproduces sentence-transformers' pipeline: prompt + text ->
tokenizer.json's ids (truncated to max_seq_length) -> graph -> mean over every token the attention
mask keeps (prompt, <s> and </s> included) -> unit length. For the bundled model the ids come from
`index.embedding.unigram`, which loads in a fraction of the time and memory `tokenizers` needs.

Threads. One session serves every call: onnxruntime splits a call's work between the calling thread
and `threads - 1` pool workers (`threads`: SANAD_ONNX_THREADS, default every core this process may
use; `inter_op` stays 1, the graph is a chain). Questions asked at once (the bot answers in worker
threads; sessions are thread-safe) each run on their own calling thread and share the pool's workers,
so N concurrent calls occupy N + `threads` - 1 threads, not N x `threads`. Idle threads sleep rather
than spin: on a busy machine spinning doubles both the latency and the CPU time of a question
(docs/measurements.md).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import onnxruntime as ort

from index.embedding.content import ContentFilter, content_tokens
from index.embedding.encoder import Encoder, progress_bar
from index.embedding.model_files import (
    check_model,
    fingerprint,
    is_fresh,
    onnx_path,
    read_json,
    read_settings,
)
from index.embedding.unigram import VOCAB_NAME, Unigram
from index.errors import ModelError
from index.records import Embedded, ModelInfo

__all__ = ["BATCH_TOKENS", "OnnxEncoder", "load_onnx_encoder"]

# A batch also stops at this many padded tokens (a sentence longer than that goes alone): a batch of
# long sentences falls out of cache, and a long tail pads whole batches to its length
# (docs/measurements.md).
BATCH_TOKENS = 1024


class OnnxEncoder(Encoder):
    """Turns questions and sentences into unit vectors comparable by inner product (onnxruntime).

    Interchangeable with `index.embedding.torch_backend.TorchEncoder`: `info` carries the same name
    and fingerprint as the torch encoder of the same model, so libraries built by either open with
    the other;
    `info.backend` says which graph runs ("onnx-int8" or "onnx-fp32"). `threads` caps the cores one
    call uses (None: every core this process may use).
    """

    def __init__(
        self,
        model_dir: Path,
        graph: Path,
        *,
        quantized: bool,
        name: str | None = None,
        threads: int | None = None,
    ) -> None:
        model_dir = Path(model_dir)
        settings = read_settings(model_dir)
        self._query_prompt: str = settings["query_prompt"]
        self._passage_prompt: str = settings["passage_prompt"]
        self._lowercase: bool = settings["lowercase"]
        self._tokenizer = _load_tokenizer(model_dir, settings["max_seq_length"])
        self._pad_id: int = settings["pad_id"]
        self._content = ContentFilter(self._tokenizer.piece)
        self._skips: dict[str | None, int] = {}
        self.threads = _resolve_threads(threads)
        self._session = _session(graph, self.threads)
        self._inputs = {node.name for node in self._session.get_inputs()}
        # int8 activations are quantised per call, one scale over the whole batch, so a text embedded
        # beside others would get another vector than alone: then every text runs alone, and its
        # vector depends on the text only (docs/measurements.md: the cost in indexing rate).
        self.one_text_per_call = quantized
        if not {"input_ids", "attention_mask"} <= self._inputs:
            raise ModelError(f"{graph} does not take input_ids and attention_mask; re-export it.")
        self.info = ModelInfo(
            name=name or str(model_dir),
            fingerprint=fingerprint(model_dir),
            dim=settings["dim"],
            backend="onnx-int8" if quantized else "onnx-fp32",
        )

    def _vectors(
        self, texts: Sequence[str], prompt: str | None, *, batch_size: int, progress: bool, tokens: bool
    ) -> Embedded:
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, not {batch_size}")
        inputs = [(prompt or "") + text for text in texts]
        if self._lowercase:
            inputs = [text.lower() for text in inputs]
        ids = self._tokenizer.encode_batch(inputs)
        out = np.empty((len(ids), self.dim), dtype=np.float32)
        rows: list[np.ndarray] = [np.zeros((0, self.dim), dtype=np.float32)] * len(ids)
        skip = self._skip(prompt)
        bar = progress_bar(len(ids)) if progress else None
        try:
            for chosen in _batches([len(row) for row in ids], 1 if self.one_text_per_call else batch_size):
                batch = [ids[i] for i in chosen]
                hidden, out[chosen] = self._embed(batch)
                if tokens:
                    for n, i in enumerate(chosen):
                        rows[i] = content_tokens(hidden[n], ids[i], skip, self._content)
                if bar is not None:
                    bar.update(len(chosen))
        finally:
            if bar is not None:
                bar.close()
        return Embedded(out, rows if tokens else None)

    def _prompt_text(self, prompt: str | None) -> str:
        return prompt or ""

    def _skip(self, prompt: str | None) -> int:
        """Leading tokens that are not the text: the start token and the prompt's own tokens."""
        if prompt not in self._skips:
            text = (prompt or "").rstrip()
            self._skips[prompt] = 1 + (len(self._tokenizer.encode(text, special=False)) if text else 0)
        return self._skips[prompt]

    def _offsets(self, inputs: list[str]) -> list[tuple[Sequence[int], Sequence[tuple[int, int]]]]:
        if self._lowercase:
            inputs = [text.lower() for text in inputs]
        return [self._tokenizer.encode_with_offsets(text) for text in inputs]

    def _embed(self, rows: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
        """The last hidden state (padded) and the mean-pooled unit vectors of a batch."""
        width = max(len(row) for row in rows)
        ids = np.full((len(rows), width), self._pad_id, dtype=np.int64)
        mask = np.zeros((len(rows), width), dtype=np.int64)
        for i, row in enumerate(rows):
            ids[i, : len(row)] = row
            mask[i, : len(row)] = 1
        feed = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feed["token_type_ids"] = np.zeros_like(ids)
        (hidden,) = self._session.run(["last_hidden_state"], feed)
        weights = mask.astype(np.float32)
        pooled = np.einsum("bld,bl->bd", hidden, weights) / weights.sum(axis=1, keepdims=True)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return hidden, pooled / np.maximum(norms, 1e-12)


def load_onnx_encoder(
    model_dir: Path, *, quantized: bool = True, threads: int | None = None, name: str | None = None
) -> OnnxEncoder:
    """Load `model_dir` (a sentence-transformers directory) on onnxruntime, from the export `sanad setup`
    built beside it.

    `quantized` picks the int8 graph (smaller, faster, cosine >= 0.99 to torch) over float32.
    `threads` caps the cores one call may use (None: every core). `name` is what libraries record
    (the model spec; default the directory). A missing or outdated export is a ModelError that names
    `sanad setup`.
    """
    model_dir = Path(model_dir)
    check_model(model_dir)
    if not is_fresh(model_dir, quantize=quantized):
        raise ModelError(f"{model_dir} has no up-to-date ONNX export. Build it: sanad setup")
    graph = onnx_path(model_dir, quantize=quantized)
    return OnnxEncoder(model_dir, graph, quantized=quantized, name=name, threads=threads)


# ---------------------------------------------------------------------------------- parts


def _batches(lengths: list[int], batch_size: int) -> list[list[int]]:
    """Indices grouped longest first, so each batch pads little: at most `batch_size` sentences and
    `BATCH_TOKENS` padded tokens each. The caller writes results back by index, restoring its order."""
    batches: list[list[int]] = []
    for i in sorted(range(len(lengths)), key=lambda i: lengths[i], reverse=True):
        current = batches[-1] if batches else None
        if current and len(current) < batch_size and (len(current) + 1) * lengths[current[0]] <= BATCH_TOKENS:
            current.append(i)
        else:
            batches.append([i])
    return batches


class _Tokenizers:
    """`tokenizers`' reading of tokenizer.json, for models other than the bundled one, with the
    methods of `index.embedding.unigram.Unigram`. Loading it takes 1.4 s and 280 MB for e5's 250k pieces."""

    def __init__(self, model_dir: Path, max_length: int) -> None:
        from tokenizers import Tokenizer

        self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        # tokenizer_config.json's split_special_tokens (not stored in tokenizer.json): a literal "<s>"
        # in the text is text, not the start token. The post-processor still adds the real <s> and </s>.
        tokenizer_config = read_json(model_dir / "tokenizer_config.json")
        self._tokenizer.encode_special_tokens = bool(tokenizer_config.get("split_special_tokens", False))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(max_length=max_length)

    def piece(self, token_id: int) -> str | None:
        return self._tokenizer.id_to_token(token_id)

    def encode(self, text: str, *, special: bool = True) -> list[int]:
        return list(self._tokenizer.encode(text, add_special_tokens=special).ids)

    def encode_batch(self, texts: Sequence[str]) -> list[list[int]]:
        if len(texts) == 1:  # encode_batch's thread hand-off costs more than one short text
            return [self.encode(texts[0])]
        return [list(encoding.ids) for encoding in self._tokenizer.encode_batch(list(texts))]

    def encode_with_offsets(self, text: str) -> tuple[list[int], list[tuple[int, int]]]:
        encoding = self._tokenizer.encode(text)
        return list(encoding.ids), list(encoding.offsets)


def _load_tokenizer(model_dir: Path, max_length: int) -> Unigram | _Tokenizers:
    """The bundled model's own unigram reader when its vocabulary file is there (0.2 s, 40 MB),
    `tokenizers` otherwise."""
    if (model_dir / VOCAB_NAME).is_file():
        try:
            return Unigram.load(model_dir / VOCAB_NAME, max_length=max_length)
        except (OSError, ValueError, KeyError) as exc:
            raise ModelError(
                f"{model_dir / VOCAB_NAME} is unreadable ({exc}); delete it and run `sanad setup`."
            ) from exc
    return _Tokenizers(model_dir, max_length)


def _cores() -> int:
    """Cores this process may run on (its CPU affinity, which containers and taskset narrow)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _resolve_threads(threads: int | None) -> int:
    cores = _cores()
    if threads is None:
        return cores
    if threads < 1:
        raise ModelError(f"threads must be at least 1, not {threads}.")
    return min(threads, cores)


def _session(graph: Path, threads: int) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.log_severity_level = 3  # errors only: onnxruntime warns about things it handles itself
    # Waiting threads sleep instead of spinning: see "Threads" above.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    try:
        return ort.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own untyped errors for unreadable graphs
        raise ModelError(f"onnxruntime cannot load {graph} ({exc}); delete it to re-export.") from exc
