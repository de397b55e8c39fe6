"""The embedding model on onnxruntime: the vectors of `index.model.TorchEncoder`, without torch.

A serving process that uses `OnnxEncoder` imports onnxruntime and numpy, never torch, transformers
or sentence-transformers. It reads everything it needs from the sentence-transformers model
directory (prompts, maximum length, pooling) and the graph `index.onnx_export` wrote beside it, and
reproduces sentence-transformers' pipeline: prompt + text -> tokenizer.json's ids (truncated to
max_seq_length) -> graph -> mean over every token the attention mask keeps (prompt, <s> and </s>
included) -> unit length. For the bundled model the ids come from `index.unigram` (0.2 s and 40 MB to
load); `tokenizers` reading tokenizer.json took 1.0-1.4 s and 280 MB, half of a serving process's
start-up and memory. Measured on this 2-core machine (int8, `sanad bench`): first answer 1.3 s after
process start and 436 MB peak RSS (USE included), against 13 s and 1.34 GB with torch.

Threads. One session serves every call: onnxruntime splits a call's work between the calling thread
and `threads - 1` pool workers (`threads`: SANAD_ONNX_THREADS, default every core this process may
use; `inter_op` stays 1, the graph is a chain). A question asked alone therefore uses both cores of a
2-core machine. Questions asked at once (the bot answers in worker threads; sessions are thread-safe)
each run on their own calling thread and share the pool's workers, so N concurrent calls occupy
N + `threads` - 1 threads (N + 1 on 2 cores), not N x `threads`. Idle threads sleep rather than spin:
onnxruntime's default spin-waiting measured twice the latency and twice the CPU per question on a busy
2-core machine (int8, load average 7-11: p50 63-66 ms against 29-31 ms, 32 against 16 ms of CPU a
question), also when the spinning stops after each call (`session.force_spinning_stop`). A second,
single-thread session for concurrent calls (the 2-thread one only when idle) was tried: 112 MB more
RSS (682 vs 564 MB peak) for no measured gain (30 vs 32 questions/s with two callers). One 2-thread
against one 1-thread session on that busy machine: one caller 31 vs 29 ms p50, two callers 32 vs 31
questions/s, four callers 41 vs 31 questions/s.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort

from index.errors import ModelError
from index.late import ContentFilter, content_tokens
from index.model import PASSAGE_PROMPTS, Embedded, Encoder, ModelInfo, _fingerprint, progress_bar
from index.onnx_export import ensure_onnx
from index.unigram import VOCAB_NAME, Unigram

__all__ = ["BATCH_TOKENS", "OnnxEncoder", "check_model", "load_onnx_encoder"]

# A batch also stops at this many padded tokens (a sentence longer than that goes alone). Measured on
# 400 ARCD sentences (64 tokens on average, up to 317), 2 cores, int8: about 34 sentences/s with plain
# 32-sentence batches, 45 with 512-1024 tokens: 32 x 317 tokens of activations (and 154 MB of
# attention scores) fall out of cache, and the long tail pads whole batches to its length.
BATCH_TOKENS = 1024


class OnnxEncoder(Encoder):
    """Turns questions and sentences into unit vectors comparable by inner product (onnxruntime).

    Interchangeable with `index.model.TorchEncoder`: `info` carries the same name and fingerprint as
    the torch encoder of the same model, so libraries built by either open with the other;
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
        settings = _read_settings(model_dir)
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
        if not {"input_ids", "attention_mask"} <= self._inputs:
            raise ModelError(f"{graph} does not take input_ids and attention_mask; re-export it.")
        self.info = ModelInfo(
            name=name or str(model_dir),
            fingerprint=_fingerprint(model_dir),
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
            for chosen in _batches([len(row) for row in ids], batch_size):
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
    """Load `model_dir` (a sentence-transformers directory) on onnxruntime, exporting it first if needed.

    `quantized` picks the int8 graph (smaller, faster, cosine >= 0.99 to torch) over float32.
    `threads` caps the cores one call may use (None: every core). `name` is what libraries record
    (the model spec; default the directory). The first call for a model exports it, which needs torch;
    later processes do not.
    """
    model_dir = Path(model_dir)
    check_model(model_dir)  # an unsupported model fails here, before a long export
    graph = ensure_onnx(model_dir, quantized)
    return OnnxEncoder(model_dir, graph, quantized=quantized, name=name, threads=threads)


def check_model(model_dir: Path) -> None:
    """Raise ModelError (saying why) unless this encoder can run the model in `model_dir`."""
    if not (Path(model_dir) / "tokenizer.json").is_file():
        raise ModelError(
            f"{model_dir} has no tokenizer.json: the ONNX backend needs a fast-tokenizer model directory."
        )
    _read_settings(Path(model_dir))


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


def _read_json(path: Path) -> dict[str, Any]:
    try:
        return dict(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return {}
    except ValueError as exc:
        raise ModelError(f"{path} is not valid JSON: {exc}") from exc


def _read_settings(model_dir: Path) -> dict[str, Any]:
    """Prompts, maximum length, pooling and dimension, from the files sentence-transformers reads."""
    st_config = _read_json(model_dir / "config_sentence_transformers.json")
    prompts: dict[str, str] = st_config.get("prompts") or {}
    default = prompts.get(st_config.get("default_prompt_name") or "", "")
    passage = next((prompts[p] for p in PASSAGE_PROMPTS if prompts.get(p)), default)
    bert = _read_json(model_dir / "sentence_bert_config.json")
    config = _read_json(model_dir / "config.json")
    pooling = _pooling_config(model_dir)
    mean = pooling.get("pooling_mode") == "mean" or pooling.get("pooling_mode_mean_tokens") is True
    if not mean or pooling.get("include_prompt", True) is not True:
        raise ModelError(
            f"{model_dir} does not mean-pool over every token; the ONNX backend supports only that."
            " Use the torch encoder for this model."
        )
    max_length = min(int(bert.get("max_seq_length") or 512), int(config.get("max_position_embeddings", 512)))
    return {
        "query_prompt": prompts.get("query") or default,
        "passage_prompt": passage,
        "lowercase": bool(bert.get("do_lower_case", False)),
        "max_seq_length": max_length,
        "pad_id": int(config.get("pad_token_id") or 0),
        "dim": int(pooling.get("embedding_dimension") or config["hidden_size"]),
    }


def _pooling_config(model_dir: Path) -> dict[str, Any]:
    modules = json.loads((model_dir / "modules.json").read_text(encoding="utf-8"))
    for module in modules:
        if module.get("type", "").endswith("Pooling"):
            return _read_json(model_dir / module["path"] / "config.json")
    raise ModelError(f"{model_dir}/modules.json has no pooling module.")


class _Tokenizers:
    """`tokenizers`' reading of tokenizer.json, for models other than the bundled one, with the
    methods of `index.unigram.Unigram`. Loading it takes 1.4 s and 280 MB for e5's 250k pieces."""

    def __init__(self, model_dir: Path, max_length: int) -> None:
        from tokenizers import Tokenizer

        self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        # tokenizer_config.json's split_special_tokens (not stored in tokenizer.json): a literal "<s>"
        # in the text is text, not the start token. The post-processor still adds the real <s> and </s>.
        tokenizer_config = _read_json(model_dir / "tokenizer_config.json")
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
