"""Ranking that holds in a library of several languages, and answers that say when they are in doubt."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from index.config import IndexSettings
from index.embedding import Encoder
from index.errors import InputError
from index.ingest import add_source, read_source
from index.library import Library
from index.records import Document, StoredSentence
from index.search import CALIBRATION_FILE, Answer, Hit, LearnedFusion, Searcher, load_tuning
from index.search.features import ANSWER_FEATURES, FEATURES, Pool, asks, holds
from index.search.searcher import CLOSE, doubt_of
from index.service import searcher_for
from index.text import ScriptKind
from tests.conftest import SEED, SPOKESMAN

MIXED = Path(__file__).resolve().parents[3] / "seeds" / "eval" / "mixed"
TRAM = MIXED / "a1-korsten-tram.en.txt"
DOCUMENT = Document(1, "t", "ar", None, "2026-01-01", 3, 100, 3)


def hit(position: int, margin: float) -> Hit:
    sentence = StoredSentence(position, 1, position, 0, 0, 5, "جملة.")
    return Hit(sentence, DOCUMENT, margin + 1.5, (), margin=margin)


@pytest.mark.parametrize(
    ("margins", "doubt"),
    [
        ((0.6, 0.1), None),  # clear of its threshold, far ahead of the next
        ((0.6, 0.6 * CLOSE), "close"),  # the second could answer as well
        ((0.1, 0.01), "unsure"),  # only just clears its threshold
        ((0.1,), "unsure"),
        ((0.5,), None),
    ],
)
def test_an_answer_says_when_two_quotes_could_answer_or_the_first_may_not(
    margins: tuple[float, ...], doubt: str | None
) -> None:
    answer = Answer("q", tuple(hit(n, m) for n, m in enumerate(margins)), 2.0, 1.5, sure=0.3)
    assert answer.doubt == doubt
    assert (
        doubt_of(margins[0], margins[1] if len(margins) > 1 else None, 0.3) == doubt
    )  # as sanad eval reads it
    assert dataclasses.replace(answer, sure=None).doubt is None  # uncalibrated: never claims doubt


@pytest.fixture(scope="module")
def mixed_library(tmp_path_factory: pytest.TempPathFactory, encoder: Encoder) -> Library:
    """The seed article (Arabic) beside an English article, as a newsroom chat holds them."""
    library = Library.open(tmp_path_factory.mktemp("mixed"), encoder.info, encoder.probe())
    for path in (SEED, TRAM):
        add_source(library, encoder, read_source(path))
    return library


def test_an_english_question_about_an_english_article_quotes_it_before_arabic_sentences(
    mixed_library: Library, encoder: Encoder, settings: IndexSettings
) -> None:
    """Weighted scores of each pairing run on their own scale: ordered by how far each clears its
    pairing's threshold, an Arabic sentence on another topic no longer outranks the English answer."""
    searcher = searcher_for(settings, mixed_library, encoder)
    answer = searcher.ask("How much will the tram line cost?", k=3)
    assert "610 million euros" in answer.hits[0].text
    assert searcher.ask("من نفى المزاعم؟", k=3).hits[0].text.startswith(SPOKESMAN)


def test_a_question_naming_a_number_is_answered_only_from_articles_that_hold_it(
    mixed_library: Library, encoder: Encoder, settings: IndexSettings
) -> None:
    """A year or an amount is evidence no model can paraphrase: an article that never writes it is not
    about what was asked."""
    searcher = searcher_for(settings, mixed_library, encoder)
    assert not searcher.ask("Who won the 2022 World Cup?", k=3).hits
    quoted = searcher.ask("What happened in 2019?", k=3).hits
    assert "2019" in quoted[0].text
    assert {hit.document.title for hit in quoted} == {quoted[0].document.title}  # the tram article alone
    assert "2020" in searcher.ask("Which parliament did the MSS attack in 2020?", k=1).hits[0].text


def test_the_learned_fusion_is_calibrated_for_the_features_the_code_computes(
    mixed_library: Library, encoder: Encoder, searcher: Searcher
) -> None:
    tuning = load_tuning(encoder.info.fingerprint, learned=True)
    assert tuning is not None and isinstance(tuning.fusion, LearnedFusion)
    fusion = tuning.fusion
    assert len(fusion.ranker.coef) == len(FEATURES) and len(fusion.answer.coef) == len(ANSWER_FEATURES)
    assert LearnedFusion.from_entry(fusion.to_entry()) is not None
    assert LearnedFusion.from_entry({**fusion.to_entry(), "ranker": {"features": ["e5"]}}) is None
    entry = json.loads(CALIBRATION_FILE.read_text(encoding="utf-8"))[encoder.info.fingerprint]["learned"]
    assert tuning.thresholds is not None and tuning.thresholds.sure == entry["sure"]
    assert searcher.reranker is not None
    learned = Searcher(
        mixed_library, encoder, thresholds=tuning.thresholds, fusion=fusion, second=searcher.reranker.second
    )
    answer = learned.ask("How much will the tram line cost?", k=3)
    assert "610 million euros" in answer.hits[0].text
    assert (
        0.0 <= answer.hits[0].score <= 1.0 and answer.best_score is not None and 0 <= answer.best_score <= 1
    )
    assert learned.ask("what's the weather in paris today", k=3).no_answer


def test_the_learned_fusion_declines_what_no_weighted_threshold_lets_through(
    mixed_library: Library, encoder: Encoder, searcher: Searcher
) -> None:
    """The answer model alone quoted half the questions asked of the wrong article; under the weighted
    fusion's thresholds (its floor) nothing is quoted, whatever the answer model's probability."""
    tuning = load_tuning(encoder.info.fingerprint, learned=True)
    weighted = load_tuning(encoder.info.fingerprint)
    assert tuning is not None and isinstance(tuning.fusion, LearnedFusion) and weighted is not None
    floor = tuning.fusion.floor
    assert floor is not None and weighted.thresholds is not None
    assert (floor.same_script, floor.cross_script) == (
        weighted.thresholds.same_script,
        weighted.thresholds.cross_script,
    )
    assert searcher.reranker is not None
    learned = Searcher(
        mixed_library,
        encoder,
        thresholds=tuning.thresholds,
        fusion=tuning.fusion,
        second=searcher.reranker.second,
    )
    assert learned.reranker is not None
    sentences = mixed_library.document_sentences(1)[:2]
    kinds: list[ScriptKind] = ["cross_script", "same_script"]
    pool = Pool(
        "q",
        sentences,
        {"prior": np.array([floor.cross_script - 0.01, floor.same_script - 0.01])},
        kinds,
        ["arabic"] * 2,
    )
    assert learned.reranker.below_floor(pool)
    cleared = dataclasses.replace(pool, signals={"prior": np.array([floor.cross_script + 0.01, 0.0])})
    assert not learned.reranker.below_floor(cleared)
    without = dataclasses.replace(tuning.fusion, floor=None)
    unguarded = Searcher(
        mixed_library, encoder, thresholds=None, fusion=without, second=searcher.reranker.second
    )
    assert unguarded.reranker is not None and not unguarded.reranker.below_floor(pool)


def test_the_fusion_setting_chooses_the_weighted_or_the_learned_fusion() -> None:
    assert IndexSettings.from_env({}).fusion == "learned"
    assert IndexSettings.from_env({"SANAD_FUSION": " Weighted "}).fusion == "weighted"
    with pytest.raises(InputError, match="SANAD_FUSION must be one of weighted, learned"):
        IndexSettings.from_env({"SANAD_FUSION": "grid"})


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Who denied the claims?", "who"),
        ("من نفى المزاعم؟", "who"),
        ("متى أصدرت مايكروسوفت التحديث", "when"),
        ("How much will the tram line cost?", "number"),
        ("¿Cuántos otros grupos citó el Reino Unido?", "number"),
        ("Où se trouve le siège ?", "where"),
    ],
)
def test_the_kind_of_fact_a_question_asks_for_is_read_in_any_language(question: str, kind: str) -> None:
    found = asks(question)
    assert found[kind] and sum(found.values()) == 1


def test_a_sentence_is_read_for_numbers_dates_and_names() -> None:
    assert holds("The line is expected to cost 610 million euros.") == {
        "number": True,
        "date": False,
        "name": False,
    }
    assert holds("وأصدرت الشركة التحديث يوم الخميس")["date"]
    assert holds("The mayor said Anna Berg would lead it.")["name"]
