"""What a model directory holds and how Sanad recognises it: the bundled build's manifest, the model's
fingerprint, and the ONNX exports beside it.

    <model_dir>/sanad_model.json       the bundled build's manifest (source, dtype, fingerprint)
    <model_dir>/onnx/model.onnx        float32, what torch computes
    <model_dir>/onnx/model_int8.onnx   weights quantised to int8, activations quantised per call
    <model_dir>/onnx/export.json       the source model's fingerprint, the recipe, versions, sha256s

Serving only reads these; `index.embedding.build` writes them (`sanad setup`). An export is fresh
when it was built from this model (fingerprint), by this recipe (`EXPORT_FORMAT`, and for int8
`QUANTIZATION`), from this float32 file, and its size matches the record: two small JSON files and
a stat, so the check costs nothing at start-up.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from index.config import BUNDLED_MODEL
from index.errors import ModelError

MANIFEST_NAME = "sanad_model.json"
# Prompt names sentence-transformers models give their passage prompt, in order of preference.
PASSAGE_PROMPTS = ("document", "passage", "corpus")
ONNX_DIR = "onnx"
FP32_NAME = "model.onnx"
INT8_NAME = "model_int8.onnx"
RECORD_NAME = "export.json"
# Bump when the export recipe (index/embedding/build/onnx_export.py) changes: exports recorded with
# another format are rebuilt.
EXPORT_FORMAT = 2
# Dynamic int8 quantisation of model_int8.onnx, chosen by measurement (docs/measurements.md): unsigned
# weights with per-channel scales, and the one MatMul whose inputs reach twice any other layer's range
# kept in float32. A graph without that node name (another model) gets every MatMul quantised.
QUANTIZATION: dict[str, Any] = {
    "weight_type": "QUInt8",
    "per_channel": True,
    "reduce_range": False,
    "float_nodes": ["/inner/encoder/layer.4/output/dense/MatMul"],
}


def check_model(model_dir: Path) -> None:
    """Raise ModelError (saying why) unless this encoder can run the model in `model_dir`."""
    if not (Path(model_dir) / "tokenizer.json").is_file():
        raise ModelError(
            f"{model_dir} has no tokenizer.json: the ONNX backend needs a fast-tokenizer model directory."
        )
    read_settings(Path(model_dir))


def read_json(path: Path) -> dict[str, Any]:
    try:
        return dict(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return {}
    except ValueError as exc:
        raise ModelError(f"{path} is not valid JSON: {exc}") from exc


def read_settings(model_dir: Path) -> dict[str, Any]:
    """Prompts, maximum length, pooling and dimension, from the files sentence-transformers reads."""
    st_config = read_json(model_dir / "config_sentence_transformers.json")
    prompts: dict[str, str] = st_config.get("prompts") or {}
    default = prompts.get(st_config.get("default_prompt_name") or "", "")
    passage = next((prompts[p] for p in PASSAGE_PROMPTS if prompts.get(p)), default)
    bert = read_json(model_dir / "sentence_bert_config.json")
    config = read_json(model_dir / "config.json")
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
            return read_json(model_dir / module["path"] / "config.json")
    raise ModelError(f"{model_dir}/modules.json has no pooling module.")


def bundled_dir(cache: Path) -> Path:
    """Where `sanad setup` builds the bundled model under SANAD_MODEL_CACHE."""
    return cache / BUNDLED_MODEL.split(":", 1)[1]


def model_fingerprint(path: Path) -> str:
    """The fingerprint recorded at build time: indexes store it to notice a model change."""
    manifest = Path(path) / MANIFEST_NAME
    try:
        return str(json.loads(manifest.read_text(encoding="utf-8"))["fingerprint"])
    except FileNotFoundError as exc:
        raise FileNotFoundError(f"{manifest} is missing: build it with ensure_bundled_model()") from exc


def fingerprint(location: Path | str) -> str:
    """What libraries record to tell models apart: the bundled build's fingerprint, for another model
    directory a digest of its files' names and sizes (`onnx/` left out), for a hub id the id."""
    if isinstance(location, Path):
        try:
            return model_fingerprint(location)
        except (FileNotFoundError, KeyError, ValueError):
            return _files_digest(location)
    return f"hub:{location}"


def source_fingerprint(model_dir: Path) -> str:
    """What an export records of the model it came from: its build fingerprint, or for a model
    directory without a bundled manifest, "files:" and the digest `fingerprint` uses."""
    model_dir = Path(model_dir)
    try:
        return model_fingerprint(model_dir)
    except FileNotFoundError:
        return "files:" + _files_digest(model_dir)


def onnx_path(model_dir: Path, *, quantize: bool) -> Path:
    """Where the export of `model_dir` lives (whether or not it has been built)."""
    return Path(model_dir) / ONNX_DIR / (INT8_NAME if quantize else FP32_NAME)


def read_record(model_dir: Path) -> dict[str, Any]:
    """`export.json`: what was exported from which model, or {} when there is none (or it is unreadable)."""
    path = Path(model_dir) / ONNX_DIR / RECORD_NAME
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def is_fresh(model_dir: Path, *, quantize: bool) -> bool:
    """Whether the export (int8 with `quantize`, else float32) matches this model and this recipe."""
    model_dir = Path(model_dir)
    record = read_record(model_dir)
    if record.get("format") != EXPORT_FORMAT or record.get("source_fingerprint") != source_fingerprint(
        model_dir
    ):
        return False
    files = record.get("files", {})
    names = [FP32_NAME, INT8_NAME] if quantize else [FP32_NAME]
    for name in names:
        entry = files.get(name)
        path = model_dir / ONNX_DIR / name
        if not entry or not path.is_file() or path.stat().st_size != entry.get("bytes"):
            return False
    if quantize:
        entry = files[INT8_NAME]
        if (
            entry.get("quantization") != QUANTIZATION
            or entry.get("from_sha256") != files[FP32_NAME]["sha256"]
        ):
            return False
    return True


def _files_digest(model_dir: Path) -> str:
    digest = hashlib.sha256()
    for file in sorted(p for p in model_dir.rglob("*") if "onnx" not in p.relative_to(model_dir).parts):
        if file.is_file():
            digest.update(f"{file.relative_to(model_dir)}:{file.stat().st_size}".encode())
    return digest.hexdigest()[:16]
