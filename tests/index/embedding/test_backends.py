"""SANAD_BACKEND: which backend embeds, the one factory that loads it, and when it falls back to torch."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import pytest

from bot.cli import main
from index.config import BACKENDS, IndexSettings
from index.embedding import Encoder, TorchEncoder, load_encoder, resolve_model_path
from index.embedding.onnx_backend import OnnxEncoder
from index.errors import InputError


def settings_with(**env: str) -> IndexSettings:
    return IndexSettings.from_env({**os.environ, **env})


@pytest.mark.parametrize(
    ("value", "backend"),
    [("", "onnx-int8"), ("onnx-int8", "onnx-int8"), (" ONNX-FP32 ", "onnx-fp32"), ("torch", "torch")],
)
def test_the_backend_setting_defaults_to_onnx_int8(value: str, backend: str) -> None:
    assert settings_with(SANAD_BACKEND=value).backend == backend


@pytest.mark.parametrize("value", ["onnx", "int8", "pytorch", "gpu"])
def test_an_unknown_backend_is_refused_with_the_choices(value: str) -> None:
    with pytest.raises(InputError) as refused:
        settings_with(SANAD_BACKEND=value)
    assert str(refused.value) == f"SANAD_BACKEND must be one of onnx-int8, onnx-fp32, torch; not {value!r}."
    assert BACKENDS == ("onnx-int8", "onnx-fp32", "torch")


def test_onnx_threads_is_a_positive_whole_number_or_unset() -> None:
    assert settings_with(SANAD_ONNX_THREADS="").onnx_threads is None
    assert settings_with(SANAD_ONNX_THREADS="1").onnx_threads == 1
    for bad in ("0", "all", "1.5"):
        with pytest.raises(InputError, match="SANAD_ONNX_THREADS"):
            settings_with(SANAD_ONNX_THREADS=bad)


def test_the_default_backend_loads_the_int8_graph_under_the_configured_name(
    settings: IndexSettings, encoder: Encoder
) -> None:
    assert isinstance(encoder, OnnxEncoder)
    assert encoder.info.backend == "onnx-int8"
    assert encoder.info.name == settings.model  # what libraries record, not the export's path
    assert load_encoder(settings) is encoder  # loaded once per process


@pytest.mark.slow
def test_the_torch_backend_loads_sentence_transformers(settings: IndexSettings) -> None:
    encoder = load_encoder(settings_with(SANAD_BACKEND="torch"))
    assert isinstance(encoder, TorchEncoder) and encoder.info.backend == "torch"
    assert encoder.info.name == settings.model


@pytest.fixture
def cls_model(tmp_path: Path, settings: IndexSettings) -> Path:
    """The bundled model with CLS pooling, as a user's model might have: the ONNX encoder only mean-pools."""
    bundled = resolve_model_path(settings.model, settings.model_cache)
    assert isinstance(bundled, Path)
    model = tmp_path / "cls-model"
    model.mkdir()
    for item in bundled.iterdir():
        if item.name not in ("1_Pooling", "onnx"):
            (model / item.name).symlink_to(item)
    (model / "1_Pooling").mkdir()
    pooling = json.loads((bundled / "1_Pooling" / "config.json").read_text(encoding="utf-8"))
    pooling["pooling_mode"] = "cls"
    (model / "1_Pooling" / "config.json").write_text(json.dumps(pooling), encoding="utf-8")
    return model


@pytest.mark.slow
def test_a_model_the_onnx_encoder_cannot_run_falls_back_to_torch_with_a_warning(
    cls_model: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="index.embedding.loading"):
        encoder = load_encoder(settings_with(SANAD_MODEL=str(cls_model), SANAD_BACKEND="onnx-int8"))
    assert isinstance(encoder, TorchEncoder) and encoder.info.backend == "torch"
    assert "does not mean-pool" in caplog.text and "using torch" in caplog.text
    assert not (cls_model / "onnx").exists()  # nothing exported for a model it cannot run


@pytest.mark.slow
def test_setup_builds_no_export_for_such_a_model_and_embeds_on_torch(
    cls_model: Path, data_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SANAD_MODEL", str(cls_model))
    assert main(["setup"]) == 0
    assert capsys.readouterr().out.startswith("ready: 1 articles, 31 sentences")
    assert not (cls_model / "onnx").exists()
    assert main(["sources"]) == 0
    assert "backend: embedded by torch; answering on torch" in capsys.readouterr().out
