"""`sanad eval`: retrieval quality of the fused system beside each of its parts, in one run.

Five systems: BM25 alone, e5 alone, USE alone, late interaction over e5's token vectors alone
(index/search/late.py), and the fused ranking Sanad answers with, on the seed
question set (by language, with its unanswerable questions), on ARCD test (Arabic questions) and on
our English translations of ARCD test questions. Every seed number comes from a fresh temporary
library, so results do not depend on what a user added.
"""

from __future__ import annotations

import tempfile
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index.config import IndexSettings
from index.embedding import Encoder, SecondOpinion, load_encoder
from index.ingest import prepare_document, read_source
from index.library import Library
from index.search import Fusion, Searcher, Thresholds
from index.search.late import late_scores
from index.search.lexical import BM25
from index.service import calibration_for, searcher_for
from lab.calibrate import NEGATIVE_OFFSETS, Article, Asked
from lab.datasets import find_arcd, load_arcd, load_seed_questions, load_translations, seed_articles

SYSTEMS = ("bm25", "e5", "use", "late", "fused")


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
    second = SecondOpinion(model_cache=settings.model_cache)
    fusion, thresholds = calibrated(settings, encoder)
    info = encoder.info
    print(f"model: {info.name} ({info.fingerprint}) on {info.backend}")
    print(f"fusion: {fusion}\nno-answer thresholds (fused score): {thresholds}")
    for article in seed_articles():
        evaluate_seed(settings, encoder, second, article)
    evaluate_arcd(encoder, second, fusion, thresholds, find_arcd(arcd_dir), limit=limit)


def calibrated(settings: IndexSettings, encoder: Encoder) -> tuple[Fusion, Thresholds | None]:
    """The fusion weights (e5 alone when uncalibrated) and thresholds a searcher would use."""
    fusion, thresholds = calibration_for(settings, encoder)
    return fusion or Fusion.dense_only(), thresholds


def evaluate_seed(
    settings: IndexSettings, encoder: Encoder, second: SecondOpinion, article: Path
) -> dict[str, dict[str, Tally]]:
    """hit@1, hit@3, MRR by language, false "no answer" rate, and unanswerable questions declined.

    The fused row runs through the real `Searcher` (FAISS pool, reranking, thresholds)."""
    document = prepare_document(read_source(article))
    questions = load_seed_questions(article)
    asked = [q.question for q in questions]
    texts = [s.text for s in document.sentences]
    bm25 = BM25(texts)
    use = second.encode(asked) @ second.encode(texts).T
    embedded = encoder.embed_passages(texts)
    late = [late_scores(q, embedded.tokens or []) for q in encoder.embed_queries(asked).tokens or []]
    tallies: dict[str, dict[str, Tally]] = {name: defaultdict(Tally) for name in SYSTEMS}
    with tempfile.TemporaryDirectory() as tmp, Library.open(Path(tmp), encoder.info, encoder.probe()) as lib:
        lib.add(document, embedded)
        fused = searcher_for(settings, lib, encoder)
        dense = Searcher(lib, encoder, thresholds=None)
        rows = {
            name: _by_position(lib, system.rank(asked, k=len(texts)))
            for name, system in (("e5", dense), ("fused", fused))
        }
        answers = fused.ask_many(asked, k=1)
    for n, question in enumerate(questions):
        group = question.lang if question.answer else "unanswerable"
        gold = _gold_position(document.text, document.sentences, question.answer)
        lexical = bm25.scores(question.question)
        for name, scores, declined in (
            ("bm25", lexical, bool(lexical.max() <= 0)),
            ("e5", rows["e5"][n], False),
            ("use", use[n], False),
            ("late", late[n], False),
            ("fused", rows["fused"][n], answers[n].no_answer),
        ):
            rank = rank_of(scores, gold) if gold is not None else None
            tallies[name][group].add(rank, declined)
            if gold is not None:
                tallies[name]["all"].add(rank, declined)
    _print_seed_report(article, tallies)
    quoted = [a.hits[0].quoted for a in answers if a.hits]
    joined = sum(len(sentences) > 1 for sentences in quoted)
    print(f"fused: quoted the best sentence with a neighbour in {joined} of {len(quoted)} answers")
    return tallies


def _by_position(lib: Library, ranked: list[list[tuple[int, float]]]) -> list[np.ndarray]:
    """Ranked (sentence id, score) lists -> one score per sentence position (unranked: -inf)."""
    positions = {s.id: s.position for s in lib.sentences([i for pairs in ranked for i, _ in pairs]).values()}
    rows = []
    for pairs in ranked:
        row = np.full(len(positions), -np.inf)
        for sentence_id, score in pairs:
            row[positions[sentence_id]] = score
        rows.append(row)
    return rows


def evaluate_arcd(
    encoder: Encoder,
    second: SecondOpinion,
    fusion: Fusion,
    thresholds: Thresholds | None,
    path: Path,
    *,
    limit: int | None = None,
) -> dict[str, Tally]:
    """Top-1, top-5 and MRR of sentence retrieval within each ARCD test article, for the Arabic
    questions and for their English translations (`seeds/eval/arcd-test-en.jsonl`); and how often the
    fused system declines them, and declines them against other articles (unanswerable there)."""
    arcd, unmatched = load_arcd(path, "test")
    english = load_translations("test")
    tallies: dict[str, Tally] = defaultdict(Tally)
    unanswerable: dict[str, list[bool]] = defaultdict(list)
    budget = limit if limit is not None else sum(len(a.questions) for a in arcd)
    sentences = sum(len(a.sentences) for a in arcd)
    print(
        f"\nARCD test: {len(arcd)} articles, {sentences} sentences; right sentence = the one holding"
        f" answer_start ({unmatched} questions without one left out); ranking within the question's article"
    )
    articles = [Article.embed(list(a.sentences), encoder, second) for a in arcd]
    for i, article in enumerate(arcd):
        questions = article.questions[:budget]
        budget -= len(questions)
        for lang, kind, asked in (
            ("ar", "same_script", [(q, q.question) for q in questions]),
            ("en", "cross_script", [(q, english[q.id]) for q in questions if q.id in english]),
        ):
            if not asked:
                continue
            embedded = Asked.embed_all([text for _, text in asked], encoder, second)
            weights = fusion.for_kind(kind)
            floor = thresholds.for_kind(kind) if thresholds else -np.inf
            for (question, text), one in zip(asked, embedded, strict=True):
                signals = articles[i].signals(one, kind)
                fused = signals.fused(weights)
                for name, scores in (
                    ("bm25", articles[i].bm25.scores(text)),
                    ("e5", signals.dense),
                    ("use", signals.use),
                    ("late", signals.late),
                    ("fused", fused),
                ):
                    tallies[f"{name} {lang}"].add(rank_of(scores, question.gold))
                tallies[f"fused {lang}"].declined[-1] = bool(fused.max() < floor)
                for offset in NEGATIVE_OFFSETS:
                    other = articles[(i + offset) % len(arcd)].signals(one, kind)
                    unanswerable[lang].append(bool(other.fused(weights).max() < floor))
    order = {name: n for n, name in enumerate(SYSTEMS)}
    _print_table(
        ["system", "questions", "top-1", "top-5", "MRR"],
        [
            [name, len(t.ranks), f"{t.hit(1):.3f}", f"{t.hit(5):.3f}", f"{t.mrr():.3f}"]
            for name, t in sorted(tallies.items(), key=lambda kv: (kv[0].split()[1], order[kv[0].split()[0]]))
        ],
    )
    for lang, declined in sorted(unanswerable.items()):
        print(
            f"fused {lang}: declined {tallies[f'fused {lang}'].declined_rate():.3f} of answerable questions,"
            f" {np.mean(declined):.3f} of the same questions asked of {len(NEGATIVE_OFFSETS)} other articles"
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
    for name in ("bm25", "fused"):
        declined = sum(tallies[name]["unanswerable"].declined)
        print(f"{name}: declined {declined} of {unanswerable} unanswerable questions")


def _print_table(header: list[str], rows: list[list[object]]) -> None:
    cells = [header, *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    for row in cells:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def _mean(values: Sequence[float | bool]) -> float:
    return float(np.mean(values)) if len(values) else 0.0
