"""Evaluation data: the seed question set shipped in `seeds/` and ARCD from the shared data folder."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from index.config import PROJECT_ROOT, SEEDS_DIR
from index.errors import InputError
from index.text import split_sentences


@dataclass(frozen=True, slots=True)
class SeedQuestion:
    """A question about a seed article; `answer` is a unique substring of the answering sentence (None:
    the article does not answer it). `off_topic`: an unanswerable question about something else entirely
    (the weather, football), not one on the article's own topic that it happens not to answer."""

    id: str
    lang: str
    question: str
    answer: str | None
    off_topic: bool = False


@dataclass(frozen=True, slots=True)
class ArcdQuestion:
    id: str
    question: str
    gold: int  # index of the sentence holding the answer's start, within its article


@dataclass(frozen=True, slots=True)
class ArcdArticle:
    """An ARCD article: its paragraphs cut into sentences by Sanad's splitter, and its questions."""

    title: str
    sentences: tuple[str, ...]
    questions: tuple[ArcdQuestion, ...]


def find_arcd(override: Path | None = None) -> Path:
    """ARCD lives in ../shared/data/arcd beside the checkout unless SANAD_ARCD says otherwise."""
    path = override or Path(os.environ.get("SANAD_ARCD", PROJECT_ROOT.parent / "shared" / "data" / "arcd"))
    if not (path / "arcd-test.json").exists():
        raise InputError(f"ARCD not found in {path}. Pass --arcd DIR or set SANAD_ARCD.")
    return path


def load_seed_questions(article: Path) -> list[SeedQuestion]:
    """The question set written for one seed article (`NAME.questions.jsonl` beside `NAME.txt`)."""
    path = article.with_name(article.stem + ".questions.jsonl")
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [
        SeedQuestion(r["id"], r["lang"], r["question"], r.get("answer"), r.get("off_topic", False))
        for r in rows
    ]


def seed_articles() -> list[Path]:
    """Seed articles that have a question set."""
    return sorted(p for p in SEEDS_DIR.glob("*.txt") if p.with_name(p.stem + ".questions.jsonl").exists())


def load_arcd(path: Path, split: str) -> tuple[list[ArcdArticle], int]:
    """ARCD `split` grouped by article; also returns how many questions had no matching sentence."""
    data = json.loads((path / f"arcd-{split}.json").read_text(encoding="utf-8"))["data"]
    articles, unmatched = [], 0
    for entry in data:
        # ARCD repeats some paragraphs within an article: a repeated sentence is one sentence (the same
        # quote), not a tie that would count against the right answer.
        row: dict[str, int] = {}
        questions: list[ArcdQuestion] = []
        for paragraph in entry["paragraphs"]:
            context = paragraph["context"]
            spans = split_sentences(context)
            rows = [row.setdefault(context[s.start : s.end], len(row)) for s in spans]
            for qa in paragraph["qas"]:
                start = qa["answers"][0]["answer_start"]
                # The space before a sentence counts as part of it: some answers start there.
                gold = next((i for i, s in enumerate(spans) if start < s.end), None)
                if gold is None:
                    unmatched += 1
                    continue
                questions.append(ArcdQuestion(qa["id"], qa["question"], rows[gold]))
        articles.append(ArcdArticle(entry["title"], tuple(row), tuple(questions)))
    return articles, unmatched


def load_translations(split: str) -> dict[str, dict[str, str]]:
    """Our translations of ARCD questions, by question id and language: every
    `seeds/eval/arcd-SPLIT-LANG.jsonl`, whose rows carry the question as `question_LANG`."""
    translations: dict[str, dict[str, str]] = {}
    for path in sorted((SEEDS_DIR / "eval").glob(f"arcd-{split}-*.jsonl")):
        lang = path.stem.removeprefix(f"arcd-{split}-")
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                translations.setdefault(row["id"], {})[lang] = row[f"question_{lang}"]
    return translations
