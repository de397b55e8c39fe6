"""Question sets in libraries: ARCD's Arabic articles and the mixed set's English ones, put in real
libraries and asked through Sanad's own search, so that what the learned fusion is trained on, and what
`sanad eval` scores, is exactly what a user's question goes through.

A question is labelled with the sentence that answers it (its article and position), or with none.
Asked of a library without its article, an answerable question becomes an unanswerable one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from index.config import SEEDS_DIR
from index.embedding import Encoder, SecondOpinion
from index.ingest import prepare_document, read_source
from index.library import Library
from index.records import Embedded, NewDocument, Sentence
from index.search import Searcher
from index.search.features import Pool
from index.search.searcher import POOL
from index.search.weights import Fusion, LearnedFusion, Logistic
from index.text import dominant_script
from lab.datasets import ArcdArticle

MIXED = SEEDS_DIR / "eval" / "mixed"
# The mixed set's articles by split (seeds/eval/mixed/README.md): a1-a4/b1-b4 train, the rest test.
MIXED_TRAIN = ("a1", "a2", "a3", "a4", "b1", "b2", "b3", "b4")
BATCH = 64


@dataclass(frozen=True, slots=True)
class Question:
    """A question, the article it is about (None: on-topic but unanswerable) and the answer's place."""

    text: str
    lang: str
    article: str | None
    position: int | None

    @property
    def pairing(self) -> str:
        """`ar->en` style: the question's language, and the script of the article it is about."""
        return f"{'ar' if dominant_script(self.text) == 'arabic' else self.lang}->{self.article_lang}"

    @property
    def article_lang(self) -> str:
        if self.article is None:
            return "none"
        return "en" if self.article.endswith(".en") else "ar"


@dataclass(frozen=True, slots=True)
class Labelled:
    """One question's candidate pool from a library, and which candidate answers it (None: none does,
    or the answer was not among the candidates)."""

    question: Question
    pool: Pool
    gold: int | None
    answerable: bool


def arcd_documents(
    articles: Sequence[ArcdArticle], translations: dict[str, dict[str, str]], prefix: str
) -> tuple[dict[str, NewDocument], list[Question]]:
    """ARCD articles as documents (one sentence a paragraph, exactly as the dataset splits them), and
    their questions in Arabic and in every language they are translated into (`load_translations`)."""
    documents, questions = {}, []
    for n, article in enumerate(articles):
        key = f"{prefix}{n:03d}.ar"
        text, sentences, offset = [], [], 0
        for position, sentence in enumerate(article.sentences):
            sentences.append(Sentence(offset, offset + len(sentence), position, position, sentence))
            text.append(sentence)
            offset += len(sentence) + 2
        documents[key] = NewDocument("\n\n".join(text), article.title, "ar", "ARCD", sentences)
        for q in article.questions:
            questions.append(Question(q.question, "ar", key, q.gold))
            for lang, text in sorted(translations.get(q.id, {}).items()):
                questions.append(Question(text, lang, key, q.gold))
    return documents, questions


def held_out_prefixes() -> list[str]:
    """The mixed set's articles that are not trained on (seeds/eval/mixed/README.md)."""
    return sorted({path.name.split("-")[0] for path in MIXED.glob("*.en.txt")} - set(MIXED_TRAIN))


def mixed_documents(prefixes: Sequence[str]) -> tuple[dict[str, NewDocument], list[Question]]:
    """The mixed set's English articles whose names start with one of `prefixes`, and their questions
    in every language (unanswerable ones about no article)."""
    documents, questions = {}, []
    for path in sorted(MIXED.glob("*.en.txt")):
        if not path.name.startswith(tuple(f"{p}-" for p in prefixes)):
            continue
        key = path.name.removesuffix(".txt")
        document = prepare_document(read_source(path))
        documents[key] = document
        rows = path.with_name(f"{key}.questions.jsonl").read_text(encoding="utf-8").splitlines()
        for row in (json.loads(line) for line in rows if line.strip()):
            if row["answer"] is None:
                questions.append(Question(row["question"], row["lang"], None, None))
                continue
            at = document.text.index(row["answer"])
            position = next(s.position for s in document.sentences if s.start <= at < s.end)
            questions.append(Question(row["question"], row["lang"], key, position))
    return documents, questions


def fill(
    library: Library,
    encoder: Encoder,
    documents: dict[str, NewDocument],
    embedded: dict[str, Embedded] | None = None,
) -> dict[str, int]:
    """Add `documents` to `library` in one write; their ids by key. `embedded` keeps each document's
    vectors by key, for the next library the same document goes into."""
    embedded = {} if embedded is None else embedded
    for key, document in documents.items():
        if key not in embedded:
            embedded[key] = encoder.embed_passages([s.text for s in document.sentences])
    items = [(document, embedded[key]) for key, document in documents.items()]
    added = library.add_many(items)
    return {key: document.id for key, (document, _) in zip(documents, added, strict=True)}


def labelled_pools(
    library: Library,
    ids: dict[str, int],
    encoder: Encoder,
    second: SecondOpinion,
    questions: Sequence[Question],
    prior: Fusion,
) -> Iterator[Labelled]:
    """Each question asked of `library` as the searcher asks it: e5's candidate pool with every signal
    the learned fusion weighs. A question about an article the library lacks is unanswerable there."""
    blank = Logistic(np.zeros(1), np.ones(1), np.zeros(1), 0.0)
    collecting = LearnedFusion(blank, blank, prior)  # a learned fusion asks for every signal
    searcher = Searcher(library, encoder, thresholds=None, fusion=collecting, second=second)
    assert searcher.reranker is not None
    for start in range(0, len(questions), BATCH):
        batch = questions[start : start + BATCH]
        texts = [q.text for q in batch]
        embedded = encoder.embed_queries(texts)
        candidates = library.search(embedded.vectors, POOL)
        for question, pool in zip(
            batch, searcher.reranker.pools(texts, candidates, embedded.tokens), strict=True
        ):
            document_id = ids.get(question.article or "")
            gold = next(
                (
                    n
                    for n, s in enumerate(pool.sentences)
                    if s.document_id == document_id and s.position == question.position
                ),
                None,
            )
            yield Labelled(question, pool, gold, document_id is not None)
