"""`sanad eval`: retrieval quality on the seed question set and on ARCD, beside a BM25 baseline.

Every number comes from a fresh temporary library, so results do not depend on what a user added.
"""

from __future__ import annotations

import tempfile
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index.config import IndexSettings
from index.datasets import find_arcd, load_arcd, load_seed_questions, load_translations, seed_articles
from index.documents import prepare_document, read_source
from index.lexical import BM25
from index.model import Encoder, load_encoder
from index.search import Searcher, Thresholds
from index.service import thresholds_for
from index.store import Library


@dataclass
class Tally:
    """Ranks of the right sentence (None = not ranked) and "no answer" decisions for one group."""

    ranks: list[int | None] = field(default_factory=list)
    declined: list[bool] = field(default_factory=list)

    def add(self, rank: int | None, declined: bool = False) -> None:
        self.ranks.append(rank)
        self.declined.append(declined)

    def hit(self, k: int) -> float:
        return _mean([r is not None and r <= k for r in self.ranks])

    def mrr(self) -> float:
        return _mean([1 / r if r else 0.0 for r in self.ranks])

    def declined_rate(self) -> float:
        return _mean(self.declined)


def rank_of(scores: np.ndarray, gold: int) -> int:
    """1-based rank of `gold` when sorting by score; every tie counts against it, so a system that
    cannot tell sentences apart (BM25 with no shared word) earns nothing from their order."""
    return int((scores >= scores[gold]).sum())


def run_evaluation(
    settings: IndexSettings, *, arcd_dir: Path | None = None, limit: int | None = None
) -> None:
    encoder = load_encoder(settings)
    thresholds = thresholds_for(settings, encoder)
    info = encoder.info
    print(f"model: {info.name} ({info.fingerprint}) on {info.backend}; no-answer thresholds: {thresholds}")
    for article in seed_articles():
        evaluate_seed(encoder, thresholds, article)
    evaluate_arcd(encoder, find_arcd(arcd_dir), limit=limit)


def evaluate_seed(
    encoder: Encoder, thresholds: Thresholds | None, article: Path
) -> dict[str, dict[str, Tally]]:
    """hit@1, hit@3, MRR by language, false "no answer" rate, and unanswerable questions declined."""
    document = prepare_document(read_source(article))
    questions = load_seed_questions(article)
    texts = [s.text for s in document.sentences]
    bm25 = BM25(texts)
    tallies: dict[str, dict[str, Tally]] = {"e5": defaultdict(Tally), "bm25": defaultdict(Tally)}
    with tempfile.TemporaryDirectory() as tmp, Library.open(Path(tmp), encoder.info, encoder.probe()) as lib:
        lib.add(document, encoder.encode_passages(texts))
        searcher = Searcher(lib, encoder, thresholds=thresholds)
        ranked = searcher.rank([q.question for q in questions], k=len(texts))
        positions = {s.id: s.position for s in lib.sentences([i for i, _ in ranked[0]]).values()}
    for question, pairs in zip(questions, ranked, strict=True):
        dense = np.full(len(texts), -np.inf)
        for sentence_id, score in pairs:
            dense[positions[sentence_id]] = score
        lexical = bm25.scores(question.question)
        group = question.lang if question.answer else "unanswerable"
        gold = _gold_position(document.text, document.sentences, question.answer)
        best = int(dense.argmax())
        floor = thresholds.for_pair(question.question, texts[best]) if thresholds else None
        for name, scores, declined in (
            ("e5", dense, floor is not None and dense[best] < floor),
            ("bm25", lexical, bool(lexical.max() <= 0)),
        ):
            rank = rank_of(scores, gold) if gold is not None else None
            tallies[name][group].add(rank, declined)
            if gold is not None:
                tallies[name]["all"].add(rank, declined)
    _print_seed_report(article, tallies)
    return tallies


def evaluate_arcd(encoder: Encoder, path: Path, *, limit: int | None = None) -> dict[str, Tally]:
    """Top-1, top-5 and MRR of sentence retrieval within each ARCD test article, for the Arabic
    questions and for their English translations (`seeds/eval/arcd-test-en.jsonl`)."""
    articles, unmatched = load_arcd(path, "test")
    english = load_translations("test")
    tallies: dict[str, Tally] = defaultdict(Tally)
    budget = limit if limit is not None else sum(len(a.questions) for a in articles)
    sentences = sum(len(a.sentences) for a in articles)
    print(
        f"\nARCD test: {len(articles)} articles, {sentences} sentences; right sentence = the one holding"
        f" answer_start ({unmatched} questions without one left out); ranking within the question's article"
    )
    for article in articles:
        questions = article.questions[:budget]
        budget -= len(questions)
        if not questions:
            continue
        passages = encoder.encode_passages(article.sentences)
        bm25 = BM25(article.sentences)
        for lang, asked in (
            ("ar", [(q, q.question) for q in questions]),
            ("en", [(q, english[q.id]) for q in questions if q.id in english]),
        ):
            if not asked:
                continue
            queries = encoder.encode_queries([text for _, text in asked])
            for (question, text), vector in zip(asked, queries, strict=True):
                tallies[f"e5 {lang}"].add(rank_of(passages @ vector, question.gold))
                tallies[f"bm25 {lang}"].add(rank_of(bm25.scores(text), question.gold))
    _print_table(
        ["system", "questions", "top-1", "top-5", "MRR"],
        [
            [name, len(t.ranks), f"{t.hit(1):.3f}", f"{t.hit(5):.3f}", f"{t.mrr():.3f}"]
            for name, t in sorted(tallies.items(), key=lambda item: item[0].split()[::-1])
        ],
    )
    return tallies


def _gold_position(text: str, sentences: Sequence, answer: str | None) -> int | None:
    if answer is None:
        return None
    at = text.find(answer)
    return next(s.position for s in sentences if s.start <= at < s.end)


def _print_seed_report(article: Path, tallies: dict[str, dict[str, Tally]]) -> None:
    e5 = tallies["e5"]
    answerable = len(e5["all"].ranks)
    unanswerable = len(e5["unanswerable"].ranks)
    print(f"\nSeed set {article.name}: {answerable} answerable, {unanswerable} unanswerable questions")
    rows = []
    for name, groups in tallies.items():
        for group in ["all", *sorted(g for g in groups if g not in ("all", "unanswerable"))]:
            t = groups[group]
            rows.append(
                [
                    name,
                    group,
                    len(t.ranks),
                    f"{t.hit(1):.3f}",
                    f"{t.hit(3):.3f}",
                    f"{t.mrr():.3f}",
                    f"{t.declined_rate():.3f}",
                ]
            )
    _print_table(["system", "lang", "n", "hit@1", "hit@3", "MRR", "false no-answer"], rows)
    for name, groups in tallies.items():
        declined = sum(groups["unanswerable"].declined)
        print(f"{name}: declined {declined} of {unanswerable} unanswerable questions")


def _print_table(header: list[str], rows: list[list[object]]) -> None:
    cells = [header, *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    for row in cells:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def _mean(values: Sequence[float | bool]) -> float:
    return float(np.mean(values)) if len(values) else 0.0
