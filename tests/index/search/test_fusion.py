"""Fused ranking: lexical coverage, anchors across scripts, the second model, and the tuned weights."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from index.embedding import SecondOpinion
from index.search import Fusion, Searcher, Thresholds, Weights, load_tuning
from index.search.fusion import fused_scores, lexical_terms
from index.search.lexical import BM25, anchors, held_numbers, named_numbers, tokenize
from index.search.weights import Logistic, save_tuning
from tests.conftest import SPOKESMAN

ARTICLE = [
    "ونفى المتحدث باسم وزارة الخارجية الصينية هذه المزاعم.",
    "وقال المركز الوطني للأمن الإلكتروني إن الهجوم أصاب 30 ألف منظمة.",
    "وتستخدم المجموعة اسم APT40 في تقاريرها.",
]


def test_coverage_is_zero_without_shared_words_and_about_one_with_all_of_them() -> None:
    bm25 = BM25(ARTICLE)
    coverage = bm25.coverage(tokenize("نفى المتحدث المزاعم"))
    assert coverage[1] == 0 and coverage[2] == 0
    assert 0.8 < coverage[0] < 1.3


def test_words_no_sentence_holds_count_against_coverage() -> None:
    bm25 = BM25(ARTICLE)
    full = bm25.coverage(tokenize("نفى المزاعم"))[0]
    diluted = bm25.coverage(tokenize("نفى المزاعم بشدة أمس"))[0]
    assert diluted < full


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("When was APT40 named in 2021?", {"when", "was", "apt40", "named", "in", "2021"}),
        ("Who denied the claims?", {"who", "denied", "the", "claims"}),
        ("من نفى المزاعم؟", set()),
        ("كم منظمة أصاب الهجوم ٣٠ ألف؟", {"30"}),
    ],
)
def test_anchors_are_the_terms_written_in_digits_or_latin_letters(text: str, expected: set[str]) -> None:
    assert anchors(tokenize(text)) == expected


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("Who won the 2022 World Cup?", {"2022"}),
        ("هل اختُرق ٢٥٠ ألف خادم؟", {"25"}),  # Arabic-Indic digits; "ألف" (thousand) is a word
        ("Were 250,000 servers hacked?", {"25"}),  # the same number, written out in digits
        ("What did the G7 say in the 1990s about 3 ministers?", set()),  # names and small counts
    ],
)
def test_a_question_names_its_years_and_amounts_as_any_article_would_write_them(
    question: str, named: set[str]
) -> None:
    assert named_numbers(question) == named


def test_an_article_holds_every_number_it_writes_however_it_is_attached() -> None:
    held = held_numbers("البرلمان الفنلندي في عام 2020م و250 ألف خادم، وكوفيد-19 و3,000,000 يورو")
    assert {"202", "25", "19", "3"} <= held
    assert not named_numbers("Who won the 2022 World Cup?") & held


@pytest.mark.parametrize(
    ("question", "kind", "expected"),
    [
        ("من نفى المزاعم؟", "same_script", set(tokenize("من نفى المزاعم"))),
        ("Who denied the claims?", "cross_script", set()),
        ("What does APT40 stand for in 2021?", "cross_script", {"apt40"}),
        ("How many organisations, 30 thousand?", "cross_script", {"30"}),
    ],
)
def test_across_scripts_only_anchors_the_article_holds_are_lexical_evidence(
    question: str, kind: str, expected: set[str]
) -> None:
    assert lexical_terms(question, BM25(ARTICLE), kind) == expected  # type: ignore[arg-type]


def test_fused_scores_add_weighted_evidence_to_the_dense_cosine() -> None:
    dense, use, lexical = np.array([0.8, 0.7]), np.array([0.2, 0.6]), np.array([0.0, 1.0])
    assert np.allclose(fused_scores(dense, use, lexical, Weights()), dense)
    assert np.allclose(fused_scores(dense, use, lexical, Weights(use=0.5, lexical=0.1)), [0.9, 1.1])
    assert np.allclose(fused_scores(dense, None, lexical, Weights(use=0.5)), dense)
    late = np.array([0.5, 0.1])
    assert np.allclose(fused_scores(dense, None, lexical, Weights(late=1.0), late), [1.3, 0.8])


def test_the_second_model_embeds_translations_closer_than_unrelated_sentences() -> None:
    second = SecondOpinion()
    arabic, english, unrelated = second.encode(
        ["نفت الصين هذه المزاعم", "China denied these claims", "The match ended in a draw"]
    )
    assert np.isclose(np.linalg.norm(arabic), 1.0, atol=1e-5)
    assert arabic @ english > arabic @ unrelated + 0.2


def test_the_second_model_caches_vectors_by_text() -> None:
    second = SecondOpinion(cache_size=2)
    first = second.encode(["أ ب ت", "one"])
    again = second.encode(["one", "أ ب ت"])
    assert np.array_equal(first[0], again[1]) and np.array_equal(first[1], again[0])
    second.encode(["three"])
    assert len(second._cache) == 2


def test_tuning_is_saved_and_read_per_model_fingerprint(tmp_path: Path) -> None:
    path = tmp_path / "calibration.json"
    entry = {
        "fusion": {"same_script": {"use": 0.0, "lexical": 0.2}, "cross_script": {"use": 0.1, "lexical": 0.0}},
        "min_score": {"same_script": 0.9, "cross_script": 0.8},
    }
    save_tuning("abc", entry, path)
    tuning = load_tuning("abc", path)
    assert tuning is not None
    assert tuning.fusion == Fusion(Weights(0.0, 0.2), Weights(0.1, 0.0))
    assert tuning.fusion.uses_second_model
    assert tuning.thresholds == Thresholds(0.9, 0.8)
    assert load_tuning("another model", path) is None
    assert json.loads(path.read_text(encoding="utf-8"))["abc"] == entry


def test_a_learned_model_is_stored_the_same_whichever_side_of_zero_a_tiny_weight_falls() -> None:
    def stored(coef: float) -> str:
        model = Logistic(np.zeros(2), np.ones(2), np.array([coef, 0.5]), -1e-9)
        return json.dumps(model.to_entry(("a", "b")))

    assert stored(-1e-9) == stored(1e-9)
    assert "-0.0" not in stored(-1e-9)


def test_a_calibration_without_fusion_weights_ranks_by_e5_alone(tmp_path: Path) -> None:
    path = tmp_path / "calibration.json"
    save_tuning("abc", {"min_score": {"same_script": 0.81, "cross_script": 0.75}}, path)
    tuning = load_tuning("abc", path)
    assert tuning is not None and tuning.fusion == Fusion.dense_only()


def test_the_shipped_calibration_fuses_for_the_bundled_model(searcher: Searcher) -> None:
    assert searcher.reranker is not None
    assert searcher.thresholds is not None


def test_fusion_reorders_the_dense_candidates_and_keeps_them_all(searcher: Searcher) -> None:
    question = "من نفى المزاعم؟"
    dense = Searcher(searcher.library, searcher.encoder, thresholds=None).rank([question], k=32)[0]
    fused = searcher.rank([question], k=32)[0]
    assert {i for i, _ in fused} == {i for i, _ in dense}
    assert [s for _, s in fused] == sorted((s for _, s in fused), reverse=True)
    best = searcher.library.sentences([fused[0][0]])[fused[0][0]]
    assert best.text.startswith(SPOKESMAN)
