"""`sanad bench`: speed and memory of Sanad's path beside a naive baseline, in one run.

Each variant runs in its own fresh process (`python -m index.bench VARIANT`), so start-up time and
peak memory are measured from zero for both. The naive baseline is what one would write first: plain
`SentenceTransformer.encode` and a numpy dot product over the same sentences.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from index.config import IndexSettings
from index.errors import SanadError

VARIANTS = ("sanad", "naive")
INDEX_SENTENCES = 400


def run_benchmark(settings: IndexSettings, *, queries: int) -> dict[str, dict[str, float]]:
    """Run every variant in a subprocess and print their figures side by side."""
    results = {}
    for variant in VARIANTS:
        print(f"running {variant} ...", file=sys.stderr, flush=True)
        started = time.perf_counter()
        completed = subprocess.run(
            [sys.executable, "-m", "index.bench", variant, str(queries)],
            capture_output=True,
            text=True,
            check=False,
        )
        if completed.returncode != 0:
            raise SanadError(f"benchmark variant {variant} failed: {completed.stderr.strip()[-500:]}")
        results[variant] = json.loads(completed.stdout.strip().splitlines()[-1])
        results[variant]["process_wall_s"] = time.perf_counter() - started
    _print(results, queries)
    return results


def _print(results: dict[str, dict[str, float]], queries: int) -> None:
    rows = [
        ("import sentence-transformers (s)", "import_s", "{:.2f}"),
        ("model load (s)", "load_s", "{:.2f}"),
        ("process start to first answer (s)", "first_answer_s", "{:.2f}"),
        (f"index build ({INDEX_SENTENCES} ARCD sentences/s)", "build_rate", "{:.1f}"),
        (f"query p50 over {queries} (ms)", "p50_ms", "{:.2f}"),
        (f"query p95 over {queries} (ms)", "p95_ms", "{:.2f}"),
        ("peak RSS (MB)", "peak_rss_mb", "{:.0f}"),
        ("whole process, wall (s)", "process_wall_s", "{:.2f}"),
    ]
    print(f"threads: torch {results['sanad'].get('threads', '?')}, cores {os.cpu_count()}")
    print(f"{'measure':42} {'sanad':>10} {'naive':>10}")
    for label, key, fmt in rows:
        print(f"{label:42} " + " ".join(f"{fmt.format(results[v][key]):>10}" for v in VARIANTS))
    print("sanad = encoder + FAISS library on disk + answer assembly (neighbours, document);")
    print("naive = SentenceTransformer.encode + numpy dot product + argsort over the same sentences.")


def _worker(variant: str, queries: int) -> dict[str, float]:
    start = time.perf_counter()
    import sentence_transformers  # noqa: F401  (timed on its own: it dominates start-up)

    imported = time.perf_counter()
    from index.datasets import find_arcd, load_arcd, load_seed_questions, seed_articles
    from index.model import resolve_model_path

    settings = IndexSettings.from_env()
    arcd, _ = load_arcd(find_arcd(), "train")
    sentences = [s for article in arcd for s in article.sentences][:INDEX_SENTENCES]
    questions = [q.question for a in seed_articles() for q in load_seed_questions(a)]
    timed = [questions[i % len(questions)] for i in range(queries)]
    if variant == "sanad":
        figures = _sanad(settings, sentences, timed, start)
    else:
        path = resolve_model_path(settings.model, settings.model_cache)
        figures = _naive(str(path), sentences, timed, start)
    import torch

    figures["import_s"] = imported - start
    figures["threads"] = torch.get_num_threads()
    figures["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return figures


def _sanad(settings: IndexSettings, sentences: list[str], timed: list[str], start: float) -> dict[str, float]:
    from index.documents import SourceText
    from index.model import load_encoder
    from index.service import add_source, searcher_for
    from index.store import Library

    before = time.perf_counter()
    encoder = load_encoder(settings.model, settings.model_cache)
    loaded = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp, Library.open(Path(tmp), encoder.info, encoder.probe()) as lib:
        built = time.perf_counter()
        add_source(lib, encoder, SourceText("\n\n".join(sentences), title="bench"))
        rate = len(sentences) / (time.perf_counter() - built)
        searcher = searcher_for(settings, lib, encoder)
        latencies = _timed(lambda q: searcher.ask(q), timed)
    return _figures(before - start, loaded - before, rate, latencies)


def _naive(path: str, sentences: list[str], timed: list[str], start: float) -> dict[str, float]:
    from sentence_transformers import SentenceTransformer

    before = time.perf_counter()
    model = SentenceTransformer(path, device="cpu", local_files_only=True)
    loaded = time.perf_counter()

    def ask(question: str) -> list[int]:
        vector = model.encode([f"query: {question}"], normalize_embeddings=True)[0]
        return list(np.argsort(-(corpus @ vector))[:3])

    built = time.perf_counter()
    corpus = model.encode([f"passage: {s}" for s in sentences], batch_size=32, normalize_embeddings=True)
    rate = len(sentences) / (time.perf_counter() - built)
    return _figures(before - start, loaded - before, rate, _timed(ask, timed))


def _timed(call: object, questions: list[str]) -> list[float]:
    assert callable(call)
    latencies = []
    for question in questions:
        began = time.perf_counter()
        call(question)
        latencies.append((time.perf_counter() - began) * 1000)
    return latencies


def _figures(startup: float, load: float, rate: float, latencies: list[float]) -> dict[str, float]:
    """`first_answer_s`: process start to the first answer, leaving out the index build."""
    ordered = sorted(latencies)
    return {
        "load_s": load,
        "first_answer_s": startup + load + latencies[0] / 1000,
        "build_rate": rate,
        "p50_ms": statistics.median(ordered),
        "p95_ms": ordered[int(0.95 * (len(ordered) - 1))],
    }


if __name__ == "__main__":
    print(json.dumps(_worker(sys.argv[1], int(sys.argv[2]))))
