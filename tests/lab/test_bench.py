"""`sanad bench`, run for real on one backend with a tiny ARCD-shaped data set: the table it prints.

No figure is checked against a speed (timed assertions fail on busy machines); the test checks that
every measure is there, measured by real processes, and that the serving process left torch alone.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bot.cli import main
from tests.conftest import SEED

pytestmark = pytest.mark.slow  # the benchmark's worker processes


def tiny_arcd(directory: Path) -> Path:
    """Two paragraphs of the seed article in ARCD's format, one question each, as both splits."""
    paragraphs = [line for line in SEED.read_text(encoding="utf-8").splitlines() if len(line) > 200][:2]
    questions = ["من نفى هذه المزاعم؟", "ماذا قالت الحكومة البريطانية؟"]
    qas = [
        [{"id": f"q{i}", "question": q, "answers": [{"answer_start": 0}]}] for i, q in enumerate(questions)
    ]
    article = {
        "title": "seed",
        "paragraphs": [{"context": p, "qas": qa} for p, qa in zip(paragraphs, qas, strict=True)],
    }
    directory.mkdir()
    for split in ("train", "test"):
        text = json.dumps({"data": [article]}, ensure_ascii=False)
        (directory / f"arcd-{split}.json").write_text(text, encoding="utf-8")
    return directory


def test_bench_prints_every_measure_for_the_backend(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANAD_ARCD", str(tiny_arcd(tmp_path / "arcd")))
    argv = ["bench", "--variants", "onnx-int8", "--queries", "3", "--index-sentences", "5"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    table = dict(
        (match[1].strip(), match[2])
        for match in re.finditer(r"^(.{50}) +(\S+(?: / \S+)?)$", out, re.MULTILINE)
    )
    assert table.pop("measure") == "onnx-int8"
    for label in (
        "cold start to first answer, in-process (s)",
        "cold start to first answer, wall (s)",
        "peak RSS of the serving process (MB)",
        "query p50, embed+search+format (ms, n=3)",
        "query p95, embed+search+format (ms)",
        "query p50, e5 ranking only, no fusion (ms)",
        "query p50, embedding alone (ms)",
        "indexing 5 ARCD sentences (sentences/s)",
    ):
        assert float(table[label]) > 0, label
    assert float(table["cold start to first answer, wall (s)"]) >= float(
        table["cold start to first answer, in-process (s)"]
    )
    assert table["serving process imports torch"] == "no"
    assert table["threads one call may use"].isdigit()
    for system in ("e5 alone", "fused"):
        assert 0.5 <= float(table[f"top-1, seed set, {system}"]) <= 1
        assert 0 <= float(table[f"top-1, ARCD test ar, {system}"]) <= 1
        assert table[f"top-1, ARCD test en, {system}"] == "-"  # no translation of these questions
