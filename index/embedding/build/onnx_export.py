"""Export the embedding model's transformer to ONNX once, so serving needs neither torch nor transformers.

The export lives beside the model it came from (see `index.embedding.model_files` for the files and
the freshness rule) and is rebuilt only when that model changes. The graph maps `input_ids` and
`attention_mask` (both int64, any batch size and sequence length) to `last_hidden_state`; pooling,
normalisation and prompts stay in `index.embedding.onnx_backend`. torch and transformers are
imported only when an export runs.

Recipe: the legacy TorchScript exporter (`dynamo=False`) with eager attention, whose plain
MatMul/Softmax graph onnxruntime optimises when it loads it; then dynamic int8 quantisation of that
graph (`QUANTIZATION`). Why these and not onnxruntime's offline BERT fusion: docs/measurements.md.

Every file is written under a temporary name and renamed into place, builds hold a lock so two
processes never build at once, and a new export is checked against torch before it is kept.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
import time
import warnings
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from index.embedding.model_files import (
    EXPORT_FORMAT,
    FP32_NAME,
    INT8_NAME,
    ONNX_DIR,
    QUANTIZATION,
    RECORD_NAME,
    is_fresh,
    onnx_path,
    read_record,
    source_fingerprint,
)
from index.errors import ModelError
from index.files import file_lock, fsync_dir, sha256_file

__all__ = ["OPSET", "ensure_exports", "ensure_onnx", "export_onnx"]

log = logging.getLogger(__name__)

OPSET = 17
# An export must reproduce torch at least this closely on a padded batch, or it is not kept.
_MIN_COSINE = 0.9999
_VERIFY_TEXTS = (
    "query: who denied the claims?",
    "passage: ونفى المتحدث باسم وزارة الخارجية الصينية هذه المزاعم، مؤكدا أن بلاده تعارض الهجمات.",
    "passage: x",
)


def ensure_onnx(model_dir: Path, quantize: bool) -> Path:
    """Return the export's path, building it first if it is missing or stale.

    Stale means: built from another model (fingerprint), by another recipe (`EXPORT_FORMAT`, and for
    int8 `QUANTIZATION`), from another float32 file, or its size differs from the record. This check
    reads two small JSON files and stats one file, so it costs nothing at start-up.
    """
    model_dir = Path(model_dir)
    if is_fresh(model_dir, quantize=quantize):
        return onnx_path(model_dir, quantize=quantize)
    return _build(model_dir, quantize=quantize, force=False)


def ensure_exports(model_dir: Path, *, progress: bool = False) -> None:
    """Make both exports fresh (what `sanad setup` does), with a bar over the steps that must run:
    each takes tens of seconds."""
    from tqdm import tqdm

    model_dir = Path(model_dir)
    steps = [
        (quantize, label)
        for quantize, label in ((False, "float32 export"), (True, "int8 quantisation"))
        if not is_fresh(model_dir, quantize=quantize)
    ]
    if not steps:
        return
    bar_format = "{desc}: {n_fmt}/{total_fmt} steps [{elapsed}]{postfix}"
    with tqdm(total=len(steps), desc="ONNX", bar_format=bar_format, disable=not progress) as bar:
        for quantize, label in steps:
            bar.set_postfix_str(label)
            ensure_onnx(model_dir, quantize)
            bar.update()


def export_onnx(model_dir: Path, *, quantize: bool) -> Path:
    """Build the float32 export of `model_dir` (and, with `quantize`, the int8 one from it); return its path.

    The requested file is always rebuilt; the float32 file an int8 build starts from is reused
    when fresh. Needs torch and transformers (for float32) and onnx (for int8).
    """
    return _build(Path(model_dir), quantize=quantize, force=True)


def _build(model_dir: Path, *, quantize: bool, force: bool) -> Path:
    if not (model_dir / "config.json").is_file():
        raise ModelError(f"{model_dir} is not a model directory (no config.json); nothing to export.")
    out_dir = model_dir / ONNX_DIR
    out_dir.mkdir(exist_ok=True)
    target = onnx_path(model_dir, quantize=quantize)
    with file_lock(out_dir / ".lock"):
        if not force and is_fresh(model_dir, quantize=quantize):
            return target  # another process built it while this one waited for the lock
        if not quantize or not is_fresh(model_dir, quantize=False):
            _export_fp32(model_dir)
        if quantize:
            _quantize(model_dir)
    return target


def _write_record(model_dir: Path, name: str, entry: dict[str, Any]) -> None:
    """Record `name`'s export; a new float32 export invalidates everything derived from the old one."""
    fingerprint = source_fingerprint(model_dir)
    record = read_record(model_dir)
    if record.get("format") != EXPORT_FORMAT or record.get("source_fingerprint") != fingerprint:
        record = {}
    files = {} if name == FP32_NAME else dict(record.get("files", {}))
    files[name] = entry
    record = {"format": EXPORT_FORMAT, "source_fingerprint": fingerprint, "opset": OPSET, "files": files}
    text = json.dumps(record, indent=2, sort_keys=True) + "\n"
    built = _temporary(model_dir / ONNX_DIR, RECORD_NAME)
    try:
        built.write_text(text, encoding="utf-8")
        _place(built, model_dir / ONNX_DIR / RECORD_NAME)
    finally:
        built.unlink(missing_ok=True)


def _temporary(out_dir: Path, name: str) -> Path:
    """A hidden sibling of the final file: same filesystem, so the final rename is atomic."""
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=out_dir)
    os.close(fd)
    return Path(tmp)


def _place(built: Path, target: Path) -> None:
    """Flush `built` and rename it over `target`, readable by all like the model beside it."""
    with built.open("rb") as handle:
        os.fsync(handle.fileno())
    os.chmod(built, 0o644)  # mkstemp's 0600 would stick to the final file
    os.replace(built, target)
    fsync_dir(target.parent)


@contextlib.contextmanager
def _quiet_root_logger() -> Iterator[None]:
    """onnxruntime's quantiser logs advice to the root logger on every run ("consider pre-processing"):
    it was considered (the recipe above), so keep it off the set-up output."""

    def drop(record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Please consider to run pre-processing")

    root = logging.getLogger()
    root.addFilter(drop)
    try:
        yield
    finally:
        root.removeFilter(drop)


def _versions(*packages: str) -> dict[str, str]:
    return {package: metadata.version(package) for package in packages}


# --------------------------------------------------------------------------------- export


def _read_json(path: Path) -> dict[str, Any]:
    try:
        return dict(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return {}


def _export_fp32(model_dir: Path) -> None:
    out_dir = model_dir / ONNX_DIR
    started = time.perf_counter()
    log.info("exporting %s to ONNX (float32)", model_dir)
    traced = _temporary(out_dir, FP32_NAME)
    try:
        reference, inputs = _trace(model_dir, traced)
        _verify(traced, inputs, reference)
        sha = sha256_file(traced)
        size = traced.stat().st_size
        _place(traced, out_dir / FP32_NAME)
    finally:
        traced.unlink(missing_ok=True)
    entry = {
        "sha256": sha,
        "bytes": size,
        "opset": OPSET,
        "exporter": "torch.onnx.export(dynamo=False), eager attention",
        "seconds": round(time.perf_counter() - started, 1),
        "versions": _versions("torch", "transformers", "onnxruntime"),
    }
    _write_record(model_dir, FP32_NAME, entry)
    log.info("exported %s in %.1f s", out_dir / FP32_NAME, entry["seconds"])


def _trace(model_dir: Path, target: Path) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Export the transformer with the legacy exporter; return torch's output and the inputs used."""
    import torch
    from tokenizers import Tokenizer
    from transformers import AutoModel
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    model_kwargs = _read_json(model_dir / "sentence_bert_config.json").get("model_kwargs", {})
    try:
        model = AutoModel.from_pretrained(
            str(model_dir),
            attn_implementation="eager",
            dtype=torch.float32,
            local_files_only=True,
            **model_kwargs,
        ).eval()
    except OSError as exc:
        raise ModelError(f"Could not load {model_dir} for the ONNX export: {exc}") from exc

    class LastHiddenState(torch.nn.Module):
        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner  # node names start with /inner/: QUANTIZATION["float_nodes"] relies on it

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            return self.inner(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tokenizer.encode_special_tokens = True
    pad_id = int(_read_json(model_dir / "config.json").get("pad_token_id") or 0)
    ids, mask = _pad([tokenizer.encode(text).ids for text in _VERIFY_TEXTS], pad_id=pad_id)
    inputs = {"input_ids": ids, "attention_mask": mask}
    axes = {0: "batch", 1: "sequence"}
    wrapper = LastHiddenState(model).eval()
    with torch.no_grad(), warnings.catch_warnings():
        # Tracer warnings: transformers' mask code branches on shapes. Every branch taken here is the
        # one any input takes, because the encoder always passes a mask as long as the ids.
        warnings.simplefilter("ignore")
        torch.onnx.export(
            wrapper,
            (torch.from_numpy(ids), torch.from_numpy(mask)),
            str(target),
            input_names=["input_ids", "attention_mask"],
            output_names=["last_hidden_state"],
            dynamic_axes={"input_ids": axes, "attention_mask": axes, "last_hidden_state": axes},
            opset_version=OPSET,
            do_constant_folding=True,
            dynamo=False,
        )
        reference = wrapper(torch.from_numpy(ids), torch.from_numpy(mask)).numpy()
    return reference, inputs


def _verify(path: Path, inputs: dict[str, np.ndarray], reference: np.ndarray) -> None:
    """The export must reproduce torch on the traced batch and on each text alone (other shapes)."""
    import onnxruntime as ort

    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    ids, mask = inputs["input_ids"], inputs["attention_mask"]
    batches = [(ids, mask, reference)]
    for row in range(len(ids)):
        n = int(mask[row].sum())
        batches.append((ids[row : row + 1, :n], mask[row : row + 1, :n], reference[row : row + 1, :n]))
    for batch_ids, batch_mask, expected in batches:
        (got,) = session.run(None, {"input_ids": batch_ids, "attention_mask": batch_mask})
        cosine = _pooled_cosine(got, expected, batch_mask)
        if cosine < _MIN_COSINE:
            raise ModelError(
                f"The ONNX export of {path.parent.parent} disagrees with torch (cosine {cosine:.5f})."
            )


def _pooled_cosine(a: np.ndarray, b: np.ndarray, mask: np.ndarray) -> float:
    weights = mask[..., None].astype(np.float32)
    pa, pb = (a * weights).sum(1), (b * weights).sum(1)
    pa /= np.linalg.norm(pa, axis=1, keepdims=True)
    pb /= np.linalg.norm(pb, axis=1, keepdims=True)
    return float((pa * pb).sum(1).min())


def _pad(rows: list[list[int]], *, pad_id: int) -> tuple[np.ndarray, np.ndarray]:
    width = max(len(row) for row in rows)
    ids = np.full((len(rows), width), pad_id, dtype=np.int64)
    mask = np.zeros((len(rows), width), dtype=np.int64)
    for i, row in enumerate(rows):
        ids[i, : len(row)] = row
        mask[i, : len(row)] = 1
    return ids, mask


# ----------------------------------------------------------------------------- quantise


def _quantize(model_dir: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    out_dir = model_dir / ONNX_DIR
    source = out_dir / FP32_NAME
    started = time.perf_counter()
    log.info("quantising %s to int8", source)
    built = _temporary(out_dir, INT8_NAME)
    try:
        with warnings.catch_warnings(), _quiet_root_logger():
            warnings.simplefilter("ignore")
            quantize_dynamic(
                source,
                built,
                weight_type=QuantType[QUANTIZATION["weight_type"]],
                per_channel=QUANTIZATION["per_channel"],
                reduce_range=QUANTIZATION["reduce_range"],
                nodes_to_exclude=list(QUANTIZATION["float_nodes"]),
            )
        sha = sha256_file(built)
        size = built.stat().st_size
        _place(built, out_dir / INT8_NAME)
    finally:
        built.unlink(missing_ok=True)
    entry = {
        "sha256": sha,
        "bytes": size,
        "from_sha256": read_record(model_dir)["files"][FP32_NAME]["sha256"],
        "quantization": dict(QUANTIZATION),
        "seconds": round(time.perf_counter() - started, 1),
        "versions": _versions("onnxruntime", "onnx"),
    }
    _write_record(model_dir, INT8_NAME, entry)
    log.info("quantised %s in %.1f s", out_dir / INT8_NAME, entry["seconds"])
