"""`sanad eval`: retrieval quality of what serves beside its parts and its alternatives, in one run.

- The seed question set, by language: BM25, e5, USE, late interaction alone, and the fused ranking
  Sanad answers with (a fresh temporary library, whatever a user added).
- ARCD test within each article, and one library that mixes ARCD test's Arabic articles with the mixed
  set's held-out English ones: plain e5, the weighted and the learned fusion per pairing (ar->ar,
  en->ar, fr/es/de/ru->ar, en->en, ar->en, fr/es/de/ru->en), through the searcher's own candidate
  pools; how often each declines answerable questions and questions asked of the wrong article; the
  learned fusion's reliability table; and how often the first quote is right when the reply says
  nothing of doubt, says two sentences could answer, or says it is not sure.
- Two libraries as a chat holds them (the seed article shared, ARCD and English articles its own),
  every question asked of both and the quotes merged as the bot merges them.
"""

from __future__ import annotations

import itertools
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
from index.records import Embedded
from index.search import Fusion, Searcher, Thresholds, load_tuning
from index.search.late import late_scores
from index.search.lexical import BM25
from index.search.searcher import doubt_of
from index.service import calibration_for, searcher_for
from index.shelf import merge_answers, owned_by
from lab.calibrate import PRIOR
from lab.corpora import Labelled, arcd_documents, fill, held_out_prefixes, labelled_pools, mixed_documents
from lab.datasets import find_arcd, load_arcd, load_seed_questions, load_translations, seed_articles

SYSTEMS = ("bm25", "e5", "use", "late", "fused")
EVALUATED = ("e5", "weighted", "learned")
# The other articles an ARCD question is also asked of, where it has no answer (by offset in the list).
NEGATIVE_OFFSETS = (7, 23, 41)
# ARCD test articles in the chat's own library of the two-library evaluation (beside the English ones).
CHAT_ARCD_ARTICLES = 20
# The chat id the two-library evaluation marks the chat's own quotes with.
CHAT = 1


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

    @classmethod
    def joined(cls, tallies: Sequence[Tally]) -> Tally:
        """One tally of every question in `tallies`, for a row that groups several."""
        return cls([r for t in tallies for r in t.ranks], [d for t in tallies for d in t.declined])


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
    evaluate_arcd(settings, encoder, second, find_arcd(arcd_dir), limit=limit)
    evaluate_mixed(encoder, second, find_arcd(arcd_dir))
    evaluate_two_libraries(encoder, second, find_arcd(arcd_dir))


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
        group = question.lang if question.answer else "off-topic" if question.off_topic else "unanswerable"
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
    settings: IndexSettings,
    encoder: Encoder,
    second: SecondOpinion,
    path: Path,
    *,
    limit: int | None = None,
) -> dict[str, dict[str, Tally]]:
    """Top-1, top-3 and declines of sentence retrieval within each ARCD test article, for the Arabic
    questions and for our translations (`seeds/eval/arcd-test-LANG.jsonl`): plain e5, the
    weighted and the learned fusion side by side, through the searcher's own pool; and how often each
    fusion declines the same questions asked of other articles (unanswerable there)."""
    arcd, unmatched = load_arcd(path, "test")
    documents, questions = arcd_documents(arcd, load_translations("test"), "arcd-test-")
    questions = questions[: limit if limit is not None else len(questions)]
    print(
        f"\nARCD test: {len(arcd)} articles, {sum(len(a.sentences) for a in arcd)} sentences; right"
        f" sentence = the one holding answer_start ({unmatched} questions without one left out);"
        " ranking within the question's article"
    )
    keys = list(documents)
    tallies: dict[str, dict[str, Tally]] = {name: defaultdict(Tally) for name in EVALUATED}
    unanswerable: dict[str, list[dict[str, bool]]] = defaultdict(list)
    with tempfile.TemporaryDirectory() as tmp:
        libraries = {}
        embedded: dict[str, Embedded] = {}
        for n, key in enumerate(keys):  # one library an article: its pool is the whole article
            library = Library.open(Path(tmp) / str(n), encoder.info, encoder.probe())
            libraries[key] = (library, fill(library, encoder, {key: documents[key]}, embedded))
        for n, key in enumerate(keys):
            mine = [q for q in questions if q.article == key]
            if not mine:
                continue
            for target in (key, *(keys[(n + offset) % len(keys)] for offset in NEGATIVE_OFFSETS)):
                library, ids = libraries[target]
                systems = fusions(library, encoder, second)
                for item in labelled_pools(library, ids, encoder, second, mine, PRIOR):
                    if target == key:
                        _tally(tallies, item, systems)
                    else:
                        declined = {name: _declined(s, item) for name, s in systems.items()}
                        unanswerable[item.question.lang].append(declined)
        for library, _ in libraries.values():
            library.close()
    _print_pairings(tallies)
    fused = [name for name in EVALUATED[1:] if tallies[name]]
    print(
        "declined: the answerable questions, and the same questions asked of"
        f" {len(NEGATIVE_OFFSETS)} other articles"
    )
    header = ["questions in"] + [
        f"{name} {what}" for name in fused for what in ("answerable", "other articles")
    ]
    groups = {
        name.removesuffix("->ar"): [m.removesuffix("->ar") for m in members]
        for name, members in row_groups([f"{lang}->ar" for lang in sorted(unanswerable)]).items()
    }
    rows = [
        [group]
        + [
            f"{value:.3f}"
            for name in fused
            for value in (
                Tally.joined([tallies[name][f"{lang}->ar"] for lang in langs]).declined_rate(),
                float(np.mean([d[name] for lang in langs for d in unanswerable[lang]])),
            )
        ]
        for group, langs in groups.items()
    ]
    _print_table(header, rows)
    return tallies


def evaluate_mixed(encoder: Encoder, second: SecondOpinion, path: Path) -> None:
    """Every pairing in one library that mixes languages, as a newsroom's does: ARCD test's Arabic
    articles beside the mixed set's held-out English ones (seeds/eval/mixed), every question asked of
    the whole library. Plain e5, the weighted and the learned fusion side by side, and the learned
    fusion's calibration."""
    arcd, _ = load_arcd(path, "test")
    documents, questions = arcd_documents(arcd, load_translations("test"), "arcd-test-")
    held_out = held_out_prefixes()
    more, more_questions = mixed_documents(held_out)
    tallies: dict[str, dict[str, Tally]] = {name: defaultdict(Tally) for name in EVALUATED}
    calibration: list[tuple[float, bool]] = []
    margins: list[tuple[float, bool]] = []
    replies: dict[str, list[tuple[str, bool]]] = defaultdict(list)
    with (
        tempfile.TemporaryDirectory() as tmp,
        Library.open(Path(tmp), encoder.info, encoder.probe()) as library,
    ):
        ids = fill(library, encoder, {**documents, **more})
        systems = fusions(library, encoder, second)
        for item in labelled_pools(library, ids, encoder, second, questions + more_questions, PRIOR):
            judged = _tally(tallies, item, systems, replies)
            if "learned" in judged:
                calibration.append(judged["learned"])
            if "weighted" in judged and item.pool.sentences:
                margins.append(_margin(systems["weighted"], item, judged["weighted"]))
    print(
        f"\nMixed library: {len(documents)} Arabic ARCD test articles and {len(more)} English articles"
        f" ({', '.join(held_out)}) in one library; every question searched in all of it"
    )
    _print_pairings(tallies)
    if margins:
        _print_margins(margins, systems["weighted"])
    if calibration:
        _print_reliability(calibration)
    if replies:
        _print_replies(replies)


def evaluate_two_libraries(encoder: Encoder, second: SecondOpinion, path: Path) -> None:
    """The bot's path for a chat with its own articles: the shared library (the seed articles) and the
    chat's (the first ARCD test articles and the mixed set's held-out English ones), each question
    asked of both and the quotes merged by `merge_answers`. Each fusion's scores come from one
    library's pool; this shows whether they still put the right library's quote first."""
    arcd, _ = load_arcd(path, "test")
    documents, questions = arcd_documents(arcd, load_translations("test"), "arcd-test-")
    documents = dict(itertools.islice(documents.items(), CHAT_ARCD_ARTICLES))
    more, more_questions = mixed_documents(held_out_prefixes())
    own = {**documents, **more}
    seeds = {f"seed-{n}": article for n, article in enumerate(seed_articles())}
    prepared = {key: prepare_document(read_source(article)) for key, article in seeds.items()}
    asked = [
        (q.text, q.pairing, q.article, q.position) for q in questions + more_questions if q.article in own
    ]
    for key, document in prepared.items():
        for q in load_seed_questions(seeds[key]):
            position = _gold_position(document.text, document.sentences, q.answer)
            if position is not None:
                asked.append((q.question, "seed (shared)", key, position))
    texts = [text for text, *_ in asked]
    tallies: dict[str, dict[str, list[tuple[bool, bool]]]] = {}
    with (
        tempfile.TemporaryDirectory() as tmp,
        Library.open(Path(tmp) / "shared", encoder.info, encoder.probe()) as shared,
        Library.open(Path(tmp) / "chat", encoder.info, encoder.probe()) as chat,
    ):
        seed_ids, chat_ids = fill(shared, encoder, prepared), fill(chat, encoder, own)
        theirs, ours = fusions(shared, encoder, second), fusions(chat, encoder, second)
        for system in (name for name in ("weighted", "learned") if name in theirs):
            tally = tallies[system] = defaultdict(list)
            merged = [
                merge_answers([owned_by(mine, CHAT), other], k=1)
                for mine, other in zip(
                    ours[system].ask_many(texts), theirs[system].ask_many(texts), strict=True
                )
            ]
            for (_, group, key, position), answer in zip(asked, merged, strict=True):
                # (from the chat's library?, article, sentence): where the right quote is and the first one
                right = (key in chat_ids, chat_ids[key] if key in chat_ids else seed_ids[key], position)
                first = answer.hits[0].sentence if answer.hits else None
                quoted = first and (answer.hits[0].chat_id == CHAT, first.document_id, first.position)
                elsewhere = bool(quoted) and quoted[0] != right[0]
                tally[group].append((quoted == right, elsewhere))
    print(
        f"\nTwo libraries, as a chat holds them: {len(seeds)} seed article(s) shared, {len(documents)} ARCD"
        f" test articles and {len(more)} English articles the chat's own; quotes merged as the bot does"
    )
    header = (
        ["questions", "n"] + [f"{s} top-1" for s in tallies] + [f"{s} other library first" for s in tallies]
    )
    groups = row_groups(sorted({g for tally in tallies.values() for g in tally}))
    rows = []
    for group, members in groups.items():
        outcomes = [[o for m in members for o in tally[m]] for tally in tallies.values()]
        rows.append(
            [group, len(outcomes[0])]
            + [f"{_mean([r for r, _ in o]):.3f}" for o in outcomes]
            + [sum(w for _, w in o) for o in outcomes]
        )
    _print_table(header, rows)


def fusions(library: Library, encoder: Encoder, second: SecondOpinion) -> dict[str, Searcher]:
    """The searchers compared: plain e5, the weighted fusion, and the learned one when calibrated."""
    systems = {"e5": Searcher(library, encoder, thresholds=None)}
    for name, learned in (("weighted", False), ("learned", True)):
        tuning = load_tuning(encoder.info.fingerprint, learned=learned)
        if tuning is not None and tuning.fusion is not None:
            systems[name] = Searcher(
                library, encoder, thresholds=tuning.thresholds, fusion=tuning.fusion, second=second
            )
    return systems


def _tally(
    tallies: dict[str, dict[str, Tally]],
    item: Labelled,
    systems: dict[str, Searcher],
    replies: dict[str, list[tuple[str, bool]]] | None = None,
) -> dict[str, tuple[float, bool]]:
    """Add one question's rank (and decision) under each system to its pairing's tallies, and to
    `replies` what each fusion's reply says of its first quote; for each system, what it judges the
    answer by and whether its first quote is right."""
    name = item.question.pairing if item.answerable else f"{item.question.lang}->none"
    judged = {}
    for system, searcher in systems.items():
        order = _ordering(searcher, item)
        rank = rank_of(order, item.gold) if item.gold is not None and len(order) else None
        declined = _declined(searcher, item)
        tallies[system][name].add(rank, declined)
        right = bool(item.gold is not None and len(order) and int(order.argmax()) == item.gold)
        judged[system] = (_judgement(searcher, item), right)
        if replies is not None and searcher.reranker is not None:
            replies[system].append((_reply(searcher, order, declined), right))
    return judged


def _ordering(searcher: Searcher, item: Labelled) -> np.ndarray:
    if searcher.reranker is None:
        return item.pool.signals["dense"]
    return searcher.reranker.ordering(item.pool, searcher.reranker.score(item.pool))


def _judgement(searcher: Searcher, item: Labelled) -> float:
    """What a searcher judges the answer by: the learned answer model's probability, else the first
    candidate's fused score (e5's cosine without fusion)."""
    if not item.pool.sentences:
        return float("-inf")
    if searcher.reranker is None:
        return float(item.pool.signals["dense"].max())
    scores = searcher.reranker.score(item.pool)
    confidence = searcher.reranker.confidence(item.pool, scores)
    if confidence is not None:
        return confidence
    return float(scores[int(searcher.reranker.ordering(item.pool, scores).argmax())])


def _declined(searcher: Searcher, item: Labelled) -> bool:
    """Whether the searcher would say "not in the library": below a learned fusion's floor, or its
    judgement under the threshold for how the question pairs with its first candidate's article."""
    if not item.pool.sentences or (searcher.reranker and searcher.reranker.below_floor(item.pool)):
        return True
    first = int(_ordering(searcher, item).argmax())
    needed = searcher.threshold(item.question.text, item.pool.sentences[first])
    return needed is not None and _judgement(searcher, item) < needed


def _print_pairings(tallies: dict[str, dict[str, Tally]]) -> None:
    systems = [name for name in EVALUATED if tallies[name]]
    header = ["pairing", "questions"]
    header += [f"{system} top-1" for system in systems] + [f"{system} top-3" for system in systems]
    header += [f"{system} declined" for system in systems[1:]]
    groups = row_groups(sorted(tallies["e5"]))
    rows = []
    for name, members in groups.items():
        merged = {s: Tally.joined([tallies[s][m] for m in members]) for s in systems}
        answerable = not name.endswith("->none")
        row: list[object] = [name, len(merged["e5"].ranks)]
        for k in (1, 3):
            row += [f"{merged[s].hit(k):.3f}" if answerable else "" for s in systems]
        row += [f"{merged[s].declined_rate():.3f}" for s in systems[1:]]
        rows.append(row)
    _print_table(header, rows)


def row_groups(names: Sequence[str]) -> dict[str, list[str]]:
    """The rows of a table by pairing: each pairing alone, then one per article language for the
    questions in neither Arabic nor English, each such language alone being too few to read
    (`fr/es/de/ru->ar`)."""
    rows = {name: [name] for name in names}
    for article in ("ar", "en"):
        members = [n for n in names if n.endswith(f"->{article}") and n.split("->")[0] not in ("ar", "en")]
        if len(members) > 1:
            rows["/".join(n.split("->")[0] for n in members) + f"->{article}"] = members
    return rows


def _reply(searcher: Searcher, order: np.ndarray, declined: bool) -> str:
    """What the reply says of its first quote, from the candidates' order (`_ordering`): "declined"
    (not in the library), "close" or "unsure" (a note of doubt, `doubt_of`), or "sure" (no note)."""
    if declined:
        return "declined"
    best = np.sort(order)[::-1]
    second = float(best[1]) if len(best) > 1 else None
    sure = searcher.thresholds.sure if searcher.thresholds else None
    return doubt_of(float(best[0]), second, sure) or "sure"


def _print_replies(replies: dict[str, list[tuple[str, bool]]]) -> None:
    """Is the doubt honest? Held-out questions by what the reply says, and how often its first quote is
    right (an unanswerable question's quote never is)."""
    print("\nfirst quote right, by what the reply says of it (held-out questions of the mixed library):")
    systems = sorted(replies)
    header = ["reply"] + [f"{name} {what}" for name in systems for what in ("questions", "right")]
    rows = []
    for kind in ("sure", "close", "unsure", "declined"):
        row: list[object] = [kind]
        for name in systems:
            right = [ok for said, ok in replies[name] if said == kind]
            row += [len(right), f"{_mean(right):.3f}"]
        rows.append(row)
    _print_table(header, rows)


def _print_reliability(calibration: list[tuple[float, bool]]) -> None:
    """How often the first quote is right at each predicted probability (unanswerable questions count
    as wrong): a calibrated fusion's rows read alike."""
    print("\nreliability of the learned fusion's answer probability, held-out questions:")
    rows = []
    edges = np.linspace(0, 1, 11)
    for low, high in itertools.pairwise(edges):
        inside = [(p, r) for p, r in calibration if low <= p < high or (high == 1 and p == 1)]
        if inside:
            rows.append(
                [
                    f"{low:.1f}-{high:.1f}",
                    len(inside),
                    f"{np.mean([p for p, _ in inside]):.3f}",
                    f"{np.mean([r for _, r in inside]):.3f}",
                ]
            )
    _print_table(["probability", "questions", "mean predicted", "first quote right"], rows)


def _margin(searcher: Searcher, item: Labelled, judged: tuple[float, bool]) -> tuple[float, bool]:
    """How far the weighted fusion's first quote clears its pairing's threshold, and whether it is right."""
    first = int(_ordering(searcher, item).argmax())
    needed = searcher.threshold(item.question.text, item.pool.sentences[first]) or 0.0
    return judged[0] - needed, judged[1]


def _print_margins(margins: list[tuple[float, bool]], searcher: Searcher) -> None:
    """How often the weighted fusion's first quote is right by how far it clears its threshold, and
    where its "not sure" note starts (unanswerable questions count as wrong)."""
    sure = searcher.thresholds.sure if searcher.thresholds else None
    print(f"\nweighted fusion: first quote right by its margin over the threshold (not sure below {sure}):")
    rows = []
    for low, high in itertools.pairwise((-np.inf, 0.0, 0.1, 0.2, 0.3, 0.4, 0.6, np.inf)):
        inside = [right for margin, right in margins if low <= margin < high]
        if inside:
            label = (
                "declined"
                if high == 0.0
                else f"{low:.1f}-{high:.1f}"
                if np.isfinite(high)
                else f">= {low:.1f}"
            )
            rows.append([label, len(inside), f"{np.mean(inside):.3f}"])
    _print_table(["margin", "questions", "first quote right"], rows)


def _gold_position(text: str, sentences: Sequence, answer: str | None) -> int | None:
    if answer is None:
        return None
    at = text.find(answer)
    return next(s.position for s in sentences if s.start <= at < s.end)


def _print_seed_report(article: Path, tallies: dict[str, dict[str, Tally]]) -> None:
    e5 = tallies["e5"]
    answerable = len(e5["all"].ranks)
    unanswerable, off_topic = len(e5["unanswerable"].ranks), len(e5["off-topic"].ranks)
    print(
        f"\nSeed set {article.name}: {answerable} answerable, {unanswerable} unanswerable on its topic,"
        f" {off_topic} off-topic questions"
    )
    rows = []
    for name, groups in tallies.items():
        for group in ["all", *sorted(g for g in groups if g not in ("all", "unanswerable", "off-topic"))]:
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
        away = sum(tallies[name]["off-topic"].declined)
        print(
            f"{name}: declined {declined} of {unanswerable} unanswerable questions on the article's topic,"
            f" {away} of {off_topic} off-topic"
        )


def _print_table(header: list[str], rows: list[list[object]]) -> None:
    cells = [header, *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    for row in cells:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def _mean(values: Sequence[float | bool]) -> float:
    return float(np.mean(values)) if len(values) else 0.0
