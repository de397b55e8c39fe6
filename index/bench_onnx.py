"""Torch vs onnxruntime (float32, int8) for serving: start-up, memory, latency, indexing, accuracy.

    python -m index.bench_onnx [--queries 300] [--variants torch onnx-fp32 onnx-int8] [--no-arcd]

Every figure comes from fresh processes, one backend each, so imports and memory start from zero:

- a *work* process embeds the seed article's sentences (saved for the cold process), times
  single-question latency (embedding + FAISS IndexFlatIP search over the seed sentences + formatting
  the answer line), the indexing rate on 400 real Arabic ARCD sentences, and top-1 accuracy on the
  seed question set and ARCD test (each question ranks only its own article's sentences);
- a *cold* process does what a serving process does before its first reply: import, load the
  model, load the stored vectors into FAISS, answer one question. Its peak RSS is the serving figure.

The ONNX exports are built first if missing (that step needs torch and is not timed).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

VARIANTS = ("torch", "onnx-fp32", "onnx-int8")
INDEX_SENTENCES = 400
QUESTION = "Who denied the claims?"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m index.bench_onnx", description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=300, help="timed single questions per backend")
    parser.add_argument("--variants", nargs="+", choices=VARIANTS, default=list(VARIANTS))
    parser.add_argument("--no-arcd", action="store_true", help="skip top-1 on ARCD test (the slow part)")
    parser.add_argument("--threads", type=int, default=None, help="cap onnxruntime threads")
    parser.add_argument("--worker", nargs=2, metavar=("ROLE", "VARIANT"), help=argparse.SUPPRESS)
    parser.add_argument("--vectors", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        role, variant = args.worker
        figures = _work(variant, args) if role == "work" else _cold(variant, args)
        figures["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        figures["load"] = os.getloadavg()[0]  # > 1 or so here means another job shared the cores
        print(json.dumps(figures))
        return
    _prepare(args.variants)
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for variant in args.variants:
            vectors = Path(tmp) / f"{variant}.npy"
            work = _spawn("work", variant, args, vectors)
            cold = _spawn("cold", variant, args, vectors)
            results[variant] = {**work, **{f"cold_{k}": v for k, v in cold.items()}}
            results[variant]["loads"] = f"{work['load']:.1f}/{cold['load']:.1f}"
    _print(results, args)


# ------------------------------------------------------------------------------- parent


def _prepare(variants: Sequence[str]) -> None:
    from index.config import IndexSettings
    from index.model import resolve_model_path
    from index.onnx_export import ensure_onnx

    settings = IndexSettings.from_env()
    path = resolve_model_path(settings.model, settings.model_cache)
    if not isinstance(path, Path):
        raise SystemExit(f"the ONNX backend needs a local model directory, not {path!r}")
    for variant in variants:
        if variant.startswith("onnx"):
            started = time.perf_counter()
            ensure_onnx(path, variant == "onnx-int8")
            print(f"{variant}: export ready in {time.perf_counter() - started:.1f} s", file=sys.stderr)


def _spawn(role: str, variant: str, args: argparse.Namespace, vectors: Path) -> dict[str, Any]:
    command = [sys.executable, "-m", "index.bench_onnx", "--worker", role, variant, "--vectors", str(vectors)]
    command += ["--queries", str(args.queries)] + (["--no-arcd"] if args.no_arcd else [])
    command += ["--threads", str(args.threads)] if args.threads else []
    print(f"{variant}: {role} process ...", file=sys.stderr, flush=True)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{variant} {role} process failed:\n{done.stderr[-2000:]}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    figures["process_wall_s"] = wall
    return dict(figures)


def _print(results: dict[str, dict[str, Any]], args: argparse.Namespace) -> None:
    rows = [
        ("backend threads", "threads", "{}"),
        ("cold: process start to first answer (s)", "cold_first_answer_s", "{:.2f}"),
        ("cold: whole process, wall (s)", "cold_process_wall_s", "{:.2f}"),
        ("cold: peak RSS, serving (MB)", "cold_peak_rss_mb", "{:.0f}"),
        (f"query p50, embed+search+format (ms, n={args.queries})", "p50_ms", "{:.2f}"),
        ("query p95 (ms)", "p95_ms", "{:.2f}"),
        ("query p50, embedding alone (ms)", "embed_p50_ms", "{:.2f}"),
        (f"indexing ({INDEX_SENTENCES} ARCD sentences/s)", "index_rate", "{:.1f}"),
        ("top-1 seed set (answerable)", "seed_top1", "{:.3f}"),
        ("top-1 ARCD test", "arcd_top1", "{:.3f}"),
        ("peak RSS, work process (MB)", "peak_rss_mb", "{:.0f}"),
        ("load average after work / cold process", "loads", "{}"),
    ]
    variants = list(results)
    coretype = os.environ.get("OPENBLAS_CORETYPE", "unset")
    print(f"cores {os.cpu_count()}, load average {os.getloadavg()[0]:.2f}, OPENBLAS_CORETYPE={coretype}")
    print(f"{'measure':52} " + " ".join(f"{v:>10}" for v in variants))
    for label, key, fmt in rows:
        cells = [fmt.format(results[v][key]) if results[v].get(key) is not None else "-" for v in variants]
        print(f"{label:52} " + " ".join(f"{c:>10}" for c in cells))
    reference = results.get("torch")
    for variant in variants:
        if reference is None or variant == "torch":
            continue
        lines = _flips(reference, results[variant])
        total = len(reference["seed_ids"])
        print(f"seed top-1 sentence, {variant} vs torch: same for {total - len(lines)} of {total} questions")
        for line in lines:
            print("   ", line)


def _flips(reference: dict[str, Any], other: dict[str, Any]) -> list[str]:
    """Questions whose best seed sentence differs, with each backend's margin between the two picks."""
    lines = []
    rows = zip(
        reference["seed_ids"],
        reference["seed_scores"],
        other["seed_scores"],
        reference["seed_gold"],
        strict=True,
    )
    for qid, ref_scores, other_scores, gold in rows:
        a, b = int(np.argmax(ref_scores)), int(np.argmax(other_scores))
        if a != b:
            lines.append(
                f"{qid}: torch #{a} by {ref_scores[a] - ref_scores[b]:.4f}, other #{b} by"
                f" {other_scores[b] - other_scores[a]:.4f} (gold #{gold})"
            )
    return lines


# ------------------------------------------------------------------------------ workers


def _process_age() -> float:
    """Seconds since this process was created (Linux: from /proc, 10 ms resolution)."""
    with open("/proc/self/stat", encoding="ascii") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    started = int(fields[19]) / os.sysconf("SC_CLK_TCK")  # field 22, counted after "pid (comm)"
    return time.clock_gettime(time.CLOCK_BOOTTIME) - started


def _load(variant: str, threads: int | None) -> Any:
    from index.config import IndexSettings
    from index.model import load_encoder, resolve_model_path

    settings = IndexSettings.from_env()
    if variant == "torch":
        return load_encoder(settings.model, settings.model_cache)
    from index.onnx_encoder import load_onnx_encoder

    path = resolve_model_path(settings.model, settings.model_cache)
    assert isinstance(path, Path)
    return load_onnx_encoder(path, quantized=variant == "onnx-int8", threads=threads, name=settings.model)


def _threads(encoder: Any, variant: str) -> int:
    if variant == "torch":
        import torch

        return int(torch.get_num_threads())
    return int(encoder.threads)


def _seed() -> tuple[list[str], list[Any], list[int | None]]:
    from index.datasets import load_seed_questions, seed_articles
    from index.split import split_article

    article = seed_articles()[0]
    sentences = [s.text for s in split_article(article.read_text(encoding="utf-8")).sentences]
    questions = load_seed_questions(article)
    gold = [_gold(sentences, q.answer) for q in questions]
    return sentences, questions, gold


def _gold(sentences: list[str], answer: str | None) -> int | None:
    if not answer:
        return None
    return next((i for i, sentence in enumerate(sentences) if answer in sentence), None)


def _cold(variant: str, args: argparse.Namespace) -> dict[str, Any]:
    import faiss

    encoder = _load(variant, args.threads)
    vectors = np.load(args.vectors)
    sentences = json.loads(args.vectors.with_suffix(".json").read_text(encoding="utf-8"))
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)
    line = _answer(encoder, index, sentences, QUESTION)
    return {"first_answer_s": _process_age(), "answer": line}


def _answer(encoder: Any, index: Any, sentences: list[str], question: str) -> str:
    scores, ids = index.search(encoder.encode_queries([question]), 3)
    return "\n".join(f"{score:.3f} «{sentences[i]}»" for score, i in zip(scores[0], ids[0], strict=True))


def _work(variant: str, args: argparse.Namespace) -> dict[str, Any]:
    import faiss

    from index.datasets import find_arcd, load_arcd

    encoder = _load(variant, args.threads)
    sentences, questions, gold = _seed()
    vectors = encoder.encode_passages(sentences)
    np.save(args.vectors, vectors)
    args.vectors.with_suffix(".json").write_text(json.dumps(sentences, ensure_ascii=False), encoding="utf-8")
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)

    texts = [questions[i % len(questions)].question for i in range(args.queries)]
    for text in texts[:10]:  # warm-up: first calls allocate buffers
        _answer(encoder, index, sentences, text)
    latencies = _timed(lambda q: _answer(encoder, index, sentences, q), texts)
    embed_only = _timed(lambda q: encoder.encode_queries([q]), texts[:100])

    arcd_train, _ = load_arcd(find_arcd(), "train")
    corpus = [s for article in arcd_train for s in article.sentences][:INDEX_SENTENCES]
    started = time.perf_counter()
    encoder.encode_passages(corpus, batch_size=32)
    rate = len(corpus) / (time.perf_counter() - started)

    query_vectors = encoder.encode_queries([q.question for q in questions])
    scores = query_vectors @ vectors.T
    best = scores.argmax(axis=1)
    answerable = [(int(b), g) for b, g in zip(best, gold, strict=True) if g is not None]
    figures: dict[str, Any] = {
        "threads": _threads(encoder, variant),
        "p50_ms": statistics.median(latencies),
        "p95_ms": _percentile(latencies, 0.95),
        "embed_p50_ms": statistics.median(embed_only),
        "index_rate": rate,
        "seed_top1": float(np.mean([b == g for b, g in answerable])),
        "seed_ids": [q.id for q in questions],
        "seed_scores": np.round(scores, 6).tolist(),
        "seed_gold": gold,
        "arcd_top1": None if args.no_arcd else _arcd_top1(encoder, load_arcd(find_arcd(), "test")[0]),
    }
    return figures


def _arcd_top1(encoder: Any, articles: list[Any]) -> float:
    hits = []
    for article in articles:
        sentence_vectors = encoder.encode_passages(list(article.sentences))
        question_vectors = encoder.encode_queries([q.question for q in article.questions])
        best = (question_vectors @ sentence_vectors.T).argmax(axis=1)
        hits += [int(b) == q.gold for b, q in zip(best, article.questions, strict=True)]
    return float(np.mean(hits))


def _timed(call: Callable[[str], object], texts: list[str]) -> list[float]:
    latencies = []
    for text in texts:
        began = time.perf_counter()
        call(text)
        latencies.append((time.perf_counter() - began) * 1000)
    return latencies


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[round(q * (len(ordered) - 1))]


if __name__ == "__main__":
    main()
