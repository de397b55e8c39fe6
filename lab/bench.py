"""`sanad bench`: the backends side by side (torch, onnx-fp32, onnx-int8) beside a naive baseline.

Every figure comes from fresh processes, two per variant (`lab.bench._main`), so imports and
memory start from zero:

- a *work* process builds a library of the seed articles in a temporary directory (Sanad's own add
  path), times indexing real Arabic sentences from ARCD train (split, embed, store), and measures
  top-1 on the seed question set and on ARCD test with `lab.evaluate` (the figures `sanad eval`
  prints);
- a *serve* process does what the bot does before and after its first reply: import, load the model
  and that library, answer one question and format it (cold start to first answer: in-process, from
  its first line of Python to the formatted answer; wall, from spawning the process to reading the
  line it prints next, interpreter start-up included), then answer single questions one at a time
  (embedding + search + formatting, p50/p95). Its peak RSS is the serving figure.

naive is what one writes first: `SentenceTransformer.encode` and a numpy dot product + argsort over
the same sentences, no library on disk (same model and weights as torch, so its accuracy is torch's).
The ONNX exports are built first when missing (that needs torch and is not timed).
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from index.config import IndexSettings
from index.errors import SanadError

VARIANTS = ("torch", "onnx-fp32", "onnx-int8", "naive")  # the column order
FIRST_QUESTION = "Who denied the claims?"
_READY = "first answer"
# A worker's first line starts its clock, before anything of Sanad (or numpy) is imported.
_WORKER = "import sys, time; started = time.perf_counter(); import lab.bench; lab.bench._main(started)"
_HEAVY = ("torch", "transformers", "sentence_transformers")


def run_benchmark(
    settings: IndexSettings,
    *,
    variants: Sequence[str] = ("torch", "onnx-fp32", "onnx-int8", "naive"),
    queries: int = 200,
    index_sentences: int = 400,
    arcd_questions: int | None = None,
) -> dict[str, dict[str, Any]]:
    """Run every variant's processes and print their figures side by side.

    `arcd_questions` limits top-1 on ARCD test to the first N questions (0 skips it; None: all).
    """
    if queries < 1 or index_sentences < 1:
        raise SanadError("--queries and --index-sentences must be at least 1.")
    variants = [v for v in VARIANTS if v in variants]
    _prepare(settings, variants)
    config = {"queries": queries, "index_sentences": index_sentences, "arcd_questions": arcd_questions}
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="sanad-bench-") as tmp:
        for variant in variants:
            home = Path(tmp) / variant
            home.mkdir()
            env = {**os.environ, "SANAD_DATA": str(home / "library")}
            if variant != "naive":
                env["SANAD_BACKEND"] = variant
            work = _spawn("work", variant, config, home, env)
            serve = _spawn("serve", variant, config, home, env)
            results[variant] = {**work, **serve}
    _print(results, config)
    return results


# ------------------------------------------------------------------------------- parent


def _prepare(settings: IndexSettings, variants: Sequence[str]) -> None:
    from index.embedding import resolve_model_path

    location = resolve_model_path(settings.model, settings.model_cache)
    if not isinstance(location, Path):
        raise SanadError(f"The benchmark needs a local model directory, not the hub id {location!r}.")
    if any(v.startswith("onnx") for v in variants):
        from index.embedding.build import ensure_exports

        ensure_exports(location, progress=True)


def _served_fusion() -> str:
    return IndexSettings.from_env().fusion


def _other_fusion() -> str:
    """The fusion SANAD_FUSION does not choose (the bench times it in turns with the served one)."""
    return "weighted" if _served_fusion() == "learned" else "learned"


def cpu_flags() -> str:
    """The vector instructions of this CPU that decide ONNX int8 and BLAS speed (from /proc/cpuinfo):
    figures from machines with other flags do not compare."""
    wanted = ("avx2", "avx512f", "avx512_vnni", "avx_vnni", "amx_int8")
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8")
    except OSError:
        return "unknown"
    line = next((row for row in text.splitlines() if row.startswith("flags")), "")
    present = set(line.split(":", 1)[-1].split())
    return " ".join(flag for flag in wanted if flag in present) or "none of " + " ".join(wanted)


def _spawn(
    role: str, variant: str, config: dict[str, Any], home: Path, env: dict[str, str]
) -> dict[str, Any]:
    """Run one worker; its figures (the JSON on its last line) and, for `serve`, the wall time from
    spawning it to the line it prints right after its first answer."""
    print(f"{variant}: {role} process ...", file=sys.stderr, flush=True)
    command = [sys.executable, "-c", _WORKER, role, variant, str(home), json.dumps(config)]
    started = time.perf_counter()
    first_answer_wall = None
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env) as process:
        assert process.stdout is not None
        lines = []
        for line in process.stdout:
            if line.strip() == _READY and first_answer_wall is None:
                first_answer_wall = time.perf_counter() - started
            lines.append(line)
        code = process.wait()
    if code != 0 or not lines:
        raise SanadError(f"the {variant} {role} process failed (exit {code}); its errors are above.")
    figures = dict(json.loads(lines[-1]))
    if role == "serve":
        figures["first_answer_wall_s"] = first_answer_wall
    else:
        figures["work_wall_s"] = time.perf_counter() - started
    return figures


def _print(results: dict[str, dict[str, Any]], config: dict[str, Any]) -> None:
    queries, sentences = config["queries"], config["index_sentences"]
    rows: list[tuple[str, str, Callable[[Any], str]]] = [
        ("threads one call may use", "threads", str),
        ("cold start to first answer, in-process (s)", "first_answer_s", "{:.2f}".format),
        ("cold start to first answer, wall (s)", "first_answer_wall_s", "{:.2f}".format),
        ("peak RSS of the serving process (MB)", "serve_peak_rss_mb", "{:.0f}".format),
        ("serving process imports torch", "imports_torch", lambda v: "yes" if v else "no"),
        (f"query p50, embed+search+format (ms, n={queries})", "p50_ms", "{:.2f}".format),
        ("query p95, embed+search+format (ms)", "p95_ms", "{:.2f}".format),
        ("query p50, e5 ranking only, no fusion (ms)", "dense_p50_ms", "{:.2f}".format),
        (
            f"query p50, {_served_fusion()} fusion, in turns (ms)",
            "served_turns_p50_ms",
            "{:.2f}".format,
        ),
        (
            f"query p50, {_other_fusion()} fusion, in turns (ms)",
            "other_fusion_p50_ms",
            "{:.2f}".format,
        ),
        ("query p50, embedding alone (ms)", "embed_p50_ms", "{:.2f}".format),
        (f"indexing {sentences} ARCD sentences (sentences/s)", "index_rate", "{:.1f}".format),
        ("top-1, seed set, e5 alone", "seed_top1_e5", "{:.3f}".format),
        ("top-1, seed set, fused", "seed_top1_fused", "{:.3f}".format),
        ("seed questions whose e5 best sentence = torch's", "seed_same_as_torch", str),
        ("top-1, ARCD test ar, e5 alone", "arcd_top1_ar_e5", "{:.3f}".format),
        ("top-1, ARCD test ar, fused", "arcd_top1_ar_fused", "{:.3f}".format),
        ("top-1, ARCD test en, e5 alone", "arcd_top1_en_e5", "{:.3f}".format),
        ("top-1, ARCD test en, fused", "arcd_top1_en_fused", "{:.3f}".format),
        ("work process wall (s)", "work_wall_s", "{:.0f}".format),
        ("load average during work / serve", "loads", str),
    ]
    reference = results.get("torch", {}).get("seed_best")
    for figures in results.values():
        best = figures.get("seed_best")
        if reference is not None and best is not None:
            same = sum(a == b for a, b in zip(best, reference, strict=True))
            figures["seed_same_as_torch"] = f"{same}/{len(best)}"
        figures["loads"] = f"{figures['work_load']:.1f} / {figures['serve_load']:.1f}"
    variants = list(results)
    coretype = os.environ.get("OPENBLAS_CORETYPE", "unset")
    print(f"\ncores {len(os.sched_getaffinity(0))}, OPENBLAS_CORETYPE={coretype}, CPU flags: {cpu_flags()}")
    print(f"{'measure':50} " + " ".join(f"{v:>10}" for v in variants))
    for label, key, fmt in rows:
        cells = [fmt(results[v][key]) if results[v].get(key) is not None else "-" for v in variants]
        print(f"{label:50} " + " ".join(f"{c:>10}" for c in cells))
    print(
        "Sanad's columns answer from a FAISS library on disk through index.search; naive = the same torch"
        " model's\nSentenceTransformer.encode + numpy dot product (its accuracy is torch's). A load average"
        " above the core\ncount means other work shared the machine: latency and rates are then pessimistic."
    )


# ------------------------------------------------------------------------------ workers


def _serve(variant: str, home: Path, config: dict[str, Any], started: float) -> dict[str, Any]:
    if variant == "naive":
        ask, threads = _naive_server(home)
    else:
        from index import open_searcher
        from index.terminal import format_answer

        searcher = open_searcher(IndexSettings.from_env(), seed=False)

        def ask(question: str) -> str:
            return format_answer(searcher.ask(question))

        threads = _threads(searcher.encoder)
    ask(FIRST_QUESTION)
    first_answer = time.perf_counter() - started
    print(_READY, flush=True)
    heavy = sorted(name for name in sys.modules if name.split(".")[0] in _HEAVY)

    questions = _seed_questions()
    texts = [questions[i % len(questions)] for i in range(config["queries"])]
    for text in texts[:10]:  # warm-up: the first calls allocate buffers
        ask(text)
    latencies = _timed(ask, texts)
    figures: dict[str, Any] = {
        "threads": threads,
        "first_answer_s": first_answer,
        "imports_torch": bool(heavy),
        "p50_ms": statistics.median(latencies),
        "p95_ms": _percentile(latencies, 0.95),
    }
    if variant != "naive":
        encoder = searcher.encoder
        figures.update(_in_turns(ask, searcher, texts))
        figures["embed_p50_ms"] = statistics.median(_timed(lambda q: encoder.encode_queries([q]), texts))
    figures["serve_peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures["serve_load"] = os.getloadavg()[0]
    return figures


def _in_turns(ask: Callable[[str], str], searcher: Any, texts: list[str]) -> dict[str, float]:
    """The query's p50 under the served fusion, under the one SANAD_FUSION does not choose and with e5's
    ranking alone, timed question by question in turns (which goes first rotates), so that all three
    see the same machine at the same moment and the same warm caches."""
    from index.search import Searcher
    from index.service import searcher_for
    from index.terminal import format_answer

    library, encoder = searcher.library, searcher.encoder
    dense = Searcher(library, encoder, thresholds=searcher.thresholds)
    other = replace(IndexSettings.from_env(), fusion=_other_fusion())
    rival = searcher_for(other, library, encoder, second=searcher.reranker and searcher.reranker.second)
    calls = {
        "served_turns_p50_ms": ask,
        "dense_p50_ms": lambda q: format_answer(dense.ask(q)),
        "other_fusion_p50_ms": lambda q: format_answer(rival.ask(q)),
    }
    names = list(calls)
    for text in texts[:10]:  # warm-up
        for name in names:
            calls[name](text)
    times: dict[str, list[float]] = {name: [] for name in names}
    for n, text in enumerate(texts):
        for name in names[n % len(names) :] + names[: n % len(names)]:
            start = time.perf_counter()
            calls[name](text)
            times[name].append((time.perf_counter() - start) * 1000)
    return {name: statistics.median(values) for name, values in times.items()}


def _naive_server(home: Path) -> tuple[Callable[[str], str], int]:
    import torch

    model = _naive_model()
    vectors = np.load(home / "naive.npy")
    sentences = json.loads((home / "naive.json").read_text(encoding="utf-8"))

    def ask(question: str) -> str:
        vector = model.encode([f"query: {question}"], normalize_embeddings=True)[0]
        scores = vectors @ vector
        return "\n".join(f"{scores[i]:.3f} {sentences[i]}" for i in np.argsort(-scores)[:3])

    return ask, torch.get_num_threads()


def _work(variant: str, home: Path, config: dict[str, Any]) -> dict[str, Any]:
    from lab.datasets import find_arcd, load_arcd

    arcd = find_arcd()
    train, _ = load_arcd(arcd, "train")
    corpus = [s for article in train for s in article.sentences][: config["index_sentences"]]
    if variant == "naive":
        return _naive_work(home, corpus)

    from index.embedding import SecondOpinion, load_encoder
    from index.ingest import add_source
    from index.library import Library
    from index.records import SourceText
    from index.service import open_library
    from lab.evaluate import evaluate_arcd, evaluate_seed

    settings = IndexSettings.from_env()
    encoder = load_encoder(settings)
    if encoder.info.backend != variant:
        raise SanadError(
            f"{variant} was asked for but {encoder.info.backend} loaded (see the warning above)."
        )
    open_library(settings, encoder).close()  # the seed library the serve process answers from

    with (
        tempfile.TemporaryDirectory() as tmp,
        Library.open(Path(tmp), encoder.info, encoder.probe()) as scratch,
    ):
        started = time.perf_counter()
        document, _ = add_source(scratch, encoder, SourceText("\n\n".join(corpus), title="ARCD train"))
        rate = document.sentence_count / (time.perf_counter() - started)

    seed = _seed_texts()
    scores = encoder.encode_queries(seed["questions"]) @ encoder.encode_passages(seed["sentences"]).T
    best = scores.argmax(axis=1)
    second = SecondOpinion(model_cache=settings.model_cache)
    with open(os.devnull, "w", encoding="utf-8") as quiet, contextlib.redirect_stdout(quiet):
        seed_tallies = [evaluate_seed(settings, encoder, second, article) for article in seed["articles"]]
        limit = config["arcd_questions"]
        arcd_tallies = evaluate_arcd(settings, encoder, second, arcd, limit=limit) if limit != 0 else {}
    figures: dict[str, Any] = {"index_rate": rate, "seed_best": [int(b) for b in best]}
    for system in ("e5", "fused"):
        ranks = [rank for tallies in seed_tallies for rank in tallies[system]["all"].ranks]
        figures[f"seed_top1_{system}"] = float(np.mean([rank == 1 for rank in ranks]))
        served = "e5" if system == "e5" else settings.fusion  # the fusion that answers
        for lang in ("ar", "en"):
            tally = arcd_tallies.get(served, {}).get(f"{lang}->ar")
            figures[f"arcd_top1_{lang}_{system}"] = tally.hit(1) if tally and tally.ranks else None
    figures["work_load"] = os.getloadavg()[0]
    return figures


def _naive_model() -> Any:
    """Plain sentence-transformers, as its documentation shows it: the model's own `encode`."""
    from index.embedding import load_torch_encoder

    settings = IndexSettings.from_env()
    return load_torch_encoder(settings.model, settings.model_cache).model


def _naive_work(home: Path, corpus: list[str]) -> dict[str, Any]:
    model = _naive_model()
    started = time.perf_counter()
    model.encode([f"passage: {s}" for s in corpus], batch_size=32, normalize_embeddings=True)
    rate = len(corpus) / (time.perf_counter() - started)
    sentences = _seed_texts()["sentences"]
    vectors = model.encode([f"passage: {s}" for s in sentences], batch_size=32, normalize_embeddings=True)
    np.save(home / "naive.npy", vectors)
    (home / "naive.json").write_text(json.dumps(sentences, ensure_ascii=False), encoding="utf-8")
    return {"index_rate": rate, "work_load": os.getloadavg()[0]}


def _seed_texts() -> dict[str, Any]:
    """The seed articles, their sentences (as Sanad cuts them) and every seed question."""
    from index.ingest import prepare_document, read_source
    from lab.datasets import seed_articles

    articles = seed_articles()
    sentences = [s.text for a in articles for s in prepare_document(read_source(a)).sentences]
    return {"articles": articles, "sentences": sentences, "questions": _seed_questions()}


def _seed_questions() -> list[str]:
    from lab.datasets import load_seed_questions, seed_articles

    return [q.question for article in seed_articles() for q in load_seed_questions(article)]


def _threads(encoder: object) -> int:
    threads = getattr(encoder, "threads", None)
    if threads is None:
        import torch

        threads = torch.get_num_threads()
    return int(threads)


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


def _main(started: float) -> None:
    """A worker process (`_WORKER`): ROLE VARIANT HOME CONFIG on the command line, figures as JSON."""
    role, variant, home, config = sys.argv[1], sys.argv[2], Path(sys.argv[3]), json.loads(sys.argv[4])
    figures = _serve(variant, home, config, started) if role == "serve" else _work(variant, home, config)
    print(json.dumps(figures), flush=True)
