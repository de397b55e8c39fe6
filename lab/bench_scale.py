"""`sanad bench --scale N [N ...]`: a library of N sentences beside the naive exact baseline.

For each N it builds a real library on disk (SQLite + the FAISS index the size policy picks, see
index/library/ann.py) through `Library.add_many`, and reports:

- add throughput (sentences a second, in batches of `BATCH` sentences, index rewrites and any switch
  to IVF or retraining included), and the time to add one 30-sentence article to the full library;
- the size on disk of the index file and of the database;
- the resident memory the opened library adds to the process, and per sentence;
- search latency p50/p95 for one query vector, the query's embedding left out;
- recall@10 against exact search over the same vectors;

beside the naive exact baseline: every vector in one numpy array, a matrix product and a partial sort.

Where the sentences come from. Real text embedded by the real model: every sentence of ARCD (train and
test) and of the seed articles, about 1,400, embedded once and cached under $SANAD_HOME/bench. Embedding
10^6 sentences on a CPU would take days, so every other sentence is a recombination of two real ones:
the first part of sentence i, cut at a word, and the second part of sentence j. Its vector is derived,
not embedded: the mean of the two real vectors weighted by each part's share of the words,
renormalised. The model's own embedding of such a recombined text lies closer to this derived vector
than to either parent, far closer than two random sentences lie to each other: derived vectors stay
where real text lies, in the narrow cone e5 puts all text in (the check: docs/measurements.md). The
queries are real: ARCD's questions and their English translations, embedded with the model's query
prompt.

Each N is built in its own process (`python -m lab.bench_scale N`), and the library is then opened,
searched and added to in another fresh one (`... serve`), so that the memory it takes is measured from
a clean start, as a bot starting on it would see; the libraries live in a temporary directory and are
removed afterwards.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.config import IndexSettings
from index.embedding import Encoder
from index.errors import SanadError
from index.records import ModelInfo

BATCH = 100_000  # sentences added per write
DOCUMENT = 1_000  # sentences per document
QUERIES = 400
K = 10
SEED = 20_260_301


@dataclass(frozen=True, slots=True)
class Corpus:
    """Real sentences with their model vectors, and real questions with theirs."""

    texts: list[str]
    vectors: np.ndarray
    queries: np.ndarray
    model: str

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1])


def run_scale_benchmark(settings: IndexSettings, sizes: list[int], *, queries: int = QUERIES) -> list[dict]:
    """Embed (or load) the real base once, then measure each size in a fresh process and print it."""
    cache = base_cache(settings)
    results = []
    for size in sizes:
        print(f"building a library of {size:,} sentences ...", file=sys.stderr, flush=True)
        results.append(measured(size, cache, queries))
        print(format_result(results[-1]), flush=True)
    if len(results) > 1:
        print(format_summary(results))
    return results


def measured(size: int, cache: Path, queries: int) -> dict:
    """`measure` in a fresh process (memory measured from a clean start); its figures."""
    completed = subprocess.run(
        [sys.executable, "-m", "lab.bench_scale", str(size), str(cache), str(queries)],
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise SanadError(f"the scale benchmark for {size:,} sentences failed (exit {completed.returncode}).")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def base_cache(settings: IndexSettings) -> Path:
    """The file of real sentences and questions with their vectors, embedded the first time it is asked
    for (a few minutes) and kept under $SANAD_HOME/bench."""
    from index.embedding import load_encoder

    encoder = load_encoder(settings)
    cache = settings.data_dir.parent / "bench" / f"scale-base-{encoder.info.fingerprint}.npz"
    if not cache.exists():
        print(
            f"embedding the real base sentences and questions once (cached in {cache}) ...", file=sys.stderr
        )
        embed_base(encoder, cache)
    return cache


def embed_base(encoder: Encoder, cache: Path) -> None:
    """Embed every ARCD and seed sentence (as passages) and every ARCD question and translation."""
    from index.ingest import read_source, seed_paths
    from index.text import split_article
    from lab.datasets import find_arcd, load_arcd, load_translations

    texts: list[str] = []
    questions: list[str] = []
    for split in ("train", "test"):
        articles, _ = load_arcd(find_arcd(), split)
        texts += [sentence for article in articles for sentence in article.sentences]
        questions += [question.question for article in articles for question in article.questions]
        questions += [text for asked in load_translations(split).values() for text in asked.values()]
    for path in seed_paths():
        texts += [sentence.text for sentence in split_article(read_source(path).text).sentences]
    texts = list(dict.fromkeys(" ".join(text.split()) for text in texts if len(text.split()) >= 4))
    vectors = encoder.encode_passages(texts, progress=True)
    query_vectors = encoder.encode_queries(questions)
    cache.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_suffix(".tmp.npz")
    np.savez(tmp, texts=np.array(texts), vectors=vectors, queries=query_vectors, model=encoder.info.name)
    tmp.replace(cache)


def load_corpus(cache: Path) -> Corpus:
    data = np.load(cache)
    return Corpus(
        [str(text) for text in data["texts"]],
        np.ascontiguousarray(data["vectors"], dtype=np.float32),
        np.ascontiguousarray(data["queries"], dtype=np.float32),
        str(data["model"]),
    )


def sentences(corpus: Corpus, count: int, rng: np.random.Generator) -> tuple[list[str], np.ndarray]:
    """`count` sentences: the real ones first, then recombinations with derived vectors."""
    real = min(count, len(corpus.texts))
    texts = corpus.texts[:real]
    vectors = np.empty((count, corpus.dim), dtype=np.float32)
    vectors[:real] = corpus.vectors[:real]
    words = [text.split() for text in corpus.texts]
    for start in range(real, count, BATCH):
        size = min(BATCH, count - start)
        first = rng.integers(0, len(words), size)
        second = rng.integers(0, len(words), size)
        cut = rng.uniform(0.3, 0.7, size=(size, 2))
        shares = np.empty((size, 1), dtype=np.float32)
        for n, (i, j) in enumerate(zip(first, second, strict=True)):
            head = words[i][: max(1, int(len(words[i]) * cut[n, 0]))]
            tail = words[j][max(1, int(len(words[j]) * cut[n, 1])) :] or words[j][-1:]
            texts.append(" ".join(head + tail))
            shares[n] = len(head) / (len(head) + len(tail))
        derived = shares * corpus.vectors[first] + (1 - shares) * corpus.vectors[second]
        vectors[start : start + size] = derived / np.linalg.norm(derived, axis=1, keepdims=True)
    return texts, vectors


def documents(texts: list[str], vectors: np.ndarray, start: int, stop: int) -> list:
    """The sentences `start:stop` as documents of `DOCUMENT` sentences, one per line."""
    from index.records import NewDocument, Sentence

    items = []
    for first in range(start, stop, DOCUMENT):
        lines = texts[first : min(first + DOCUMENT, stop)]
        spans, offset = [], 0
        for position, line in enumerate(lines):
            spans.append(Sentence(offset, offset + len(line), position, position, line))
            offset += len(line) + 1
        text = "\n".join(lines) + f"\n#{first}"  # unique: the library stores equal texts once
        items.append(
            (NewDocument(text, f"bench {first}", "ar", "bench", spans), vectors[first : first + len(lines)])
        )
    return items


def workload(cache: Path, count: int, queries: int) -> tuple[Corpus, list[str], np.ndarray, np.ndarray]:
    """The corpus, `count` sentences with their vectors and up to `queries` question vectors: the same
    for every store measured, from the same seed."""
    corpus = load_corpus(cache)
    rng = np.random.default_rng(SEED)
    texts, vectors = sentences(corpus, count, rng)
    chosen = rng.choice(len(corpus.queries), size=min(queries, len(corpus.queries)), replace=False)
    return corpus, texts, vectors, corpus.queries[chosen]


def measure(count: int, cache: Path, queries: int) -> dict:
    """Build one library of `count` sentences, then open and search it in a fresh process; the naive
    baseline on the same vectors."""
    from tqdm import tqdm

    from index.library import Library

    corpus, texts, vectors, asked = workload(cache, count, queries)
    naive_ms, exact = naive_search(vectors, asked)
    figures: dict = {"sentences": count, "real_sentences": min(count, len(corpus.texts))}
    with tempfile.TemporaryDirectory(prefix="sanad-scale-") as tmp:
        path = Path(tmp)
        started = time.perf_counter()
        with Library.open(path, bench_model(corpus), corpus.vectors[0]) as library:
            for start in tqdm(range(0, count, BATCH), desc="adding", unit="batch", file=sys.stderr):
                library.add_many(documents(texts, vectors, start, min(start + BATCH, count)))
            figures["add_rate"] = count / (time.perf_counter() - started)
            figures["index"] = library.index_plan.label
        np.save(path / "queries.npy", asked)
        np.save(path / "exact.npy", np.asarray(exact, dtype=np.int64) + 1)  # sentence ids count from 1
        served = subprocess.run(
            [sys.executable, "-m", "lab.bench_scale", "serve", str(path), str(cache)],
            stdout=subprocess.PIPE,
            text=True,
            check=True,
        )
        figures |= json.loads(served.stdout.strip().splitlines()[-1])
        figures["database_mb"] = (path / "library.sqlite").stat().st_size / 2**20
    figures |= percentiles("naive", naive_ms)
    figures["naive_mb"] = count * corpus.dim * 4 / 2**20
    figures["peak_rss_mb"] = max(figures["serve_peak_rss_mb"], peak_rss() / 2**20)
    figures["bytes_per_sentence"] = figures["library_rss_mb"] * 2**20 / count
    figures["queries"] = len(asked)
    return figures


def serve(path: Path, cache: Path) -> dict:
    """As a freshly started bot would: open the library, search it, add one article. Run in its own
    process, so that the memory the library takes is measured from a clean start."""
    from index.library import Library

    corpus = load_corpus(cache)
    asked, exact = np.load(path / "queries.npy"), np.load(path / "exact.npy")
    figures: dict = {}
    before = rss()
    opened = time.perf_counter()
    with Library.open(path, bench_model(corpus), corpus.vectors[0]) as library:
        figures["open_s"] = time.perf_counter() - opened
        figures["library_rss_mb"] = (rss() - before) / 2**20
        latencies, found = [], []
        for query in asked:
            began = time.perf_counter()
            hits = library.search(query[None, :], K)[0]
            latencies.append((time.perf_counter() - began) * 1000)
            found.append([sentence_id for sentence_id, _ in hits])
        more = [f"one more article, sentence {n}." for n in range(30)]
        began = time.perf_counter()
        library.add_many(documents(more, corpus.vectors[:30], 0, 30))
        figures["add_one_article_s"] = time.perf_counter() - began
        figures["index_mb"] = library.index_file().stat().st_size / 2**20
    figures["recall"] = float(np.mean([len(set(f) & set(e)) / K for f, e in zip(found, exact, strict=True)]))
    figures["serve_peak_rss_mb"] = peak_rss() / 2**20
    return figures | percentiles("search", latencies)


def bench_model(corpus: Corpus) -> ModelInfo:
    return ModelInfo(name=corpus.model, fingerprint="bench", dim=corpus.dim)


def naive_search(vectors: np.ndarray, queries: np.ndarray) -> tuple[list[float], list[list[int]]]:
    """The baseline, one query at a time: inner products with every vector, then the top K."""
    latencies, exact = [], []
    for query in queries:
        began = time.perf_counter()
        scores = vectors @ query
        top = np.argpartition(-scores, min(K, len(scores) - 1))[:K]
        top = top[np.argsort(-scores[top])]
        latencies.append((time.perf_counter() - began) * 1000)
        exact.append([int(i) for i in top])
    return latencies, exact


def percentiles(name: str, latencies: list[float]) -> dict[str, float]:
    ordered = sorted(latencies)
    return {
        f"{name}_p50_ms": statistics.median(ordered),
        f"{name}_p95_ms": ordered[int(0.95 * (len(ordered) - 1))],
    }


def rss() -> int:
    """Resident memory of this process now, in bytes (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def peak_rss() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def format_result(f: dict) -> str:
    """One size's figures, sanad beside the naive baseline."""
    rows = [
        ("index", f["index"], "exact, numpy in RAM"),
        ("add, sentences/s", f"{f['add_rate']:,.0f}", "-"),
        ("add one 30-sentence article (s)", f"{f['add_one_article_s']:.2f}", "-"),
        ("open the library (s)", f"{f['open_s']:.2f}", "-"),
        ("index file on disk (MB)", f"{f['index_mb']:,.1f}", "-"),
        ("database on disk (MB)", f"{f['database_mb']:,.1f}", "-"),
        ("resident memory of the library (MB)", f"{f['library_rss_mb']:,.1f}", f"{f['naive_mb']:,.1f}"),
        ("memory per sentence (bytes)", f"{f['bytes_per_sentence']:,.0f}", "1,536"),
        ("search p50, no embedding (ms)", f"{f['search_p50_ms']:.3f}", f"{f['naive_p50_ms']:.3f}"),
        ("search p95, no embedding (ms)", f"{f['search_p95_ms']:.3f}", f"{f['naive_p95_ms']:.3f}"),
        (f"recall@{K} against exact", f"{f['recall']:.3f}", "1.000"),
    ]
    lines = [
        f"\n{f['sentences']:,} sentences ({f['real_sentences']:,} embedded by the model, the rest derived),"
        f" {f['queries']} real questions, peak RSS {f['peak_rss_mb']:,.0f} MB, {os.cpu_count()} cores",
        f"{'measure':38} {'sanad':>28} {'naive exact':>20}",
    ]
    lines += [f"{label:38} {ours:>28} {naive:>20}" for label, ours, naive in rows]
    return "\n".join(lines)


def format_summary(results: list[dict]) -> str:
    lines = [
        "\n| sentences | index | add/s | index MB | RSS MB | bytes/sentence | p50 ms | p95 ms | recall@10 |"
        " naive p50 ms |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for f in results:
        lines.append(
            f"| {f['sentences']:,} | {f['index']} | {f['add_rate']:,.0f} | {f['index_mb']:,.0f} |"
            f" {f['library_rss_mb']:,.0f} | {f['bytes_per_sentence']:,.0f} | {f['search_p50_ms']:.3f} |"
            f" {f['search_p95_ms']:.3f} | {f['recall']:.3f} | {f['naive_p50_ms']:.2f} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        print(json.dumps(serve(Path(sys.argv[2]), Path(sys.argv[3]))))
    else:
        print(json.dumps(measure(int(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]))))
