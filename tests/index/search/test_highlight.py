"""Bold words in a quote: the question's words, located exactly in the sentence, never function words."""

from __future__ import annotations

import pytest

from index.records import StoredSentence
from index.search import Fusion, LearnedFusion, Searcher, Weights, load_tuning
from index.search.highlight import highlight_spans, merged, translated_spans
from index.search.searcher import JOIN_MARGIN, _joined


def bolded(question: str, quote: str) -> list[str]:
    return [quote[start:end] for start, end in highlight_spans(question, quote)]


@pytest.mark.parametrize(
    ("question", "quote", "expected"),
    [
        # Arabic spelling variants, clitics and diacritics still match.
        ("من نفى الاتهامات؟", "ونفى متحدث باسم السفارة في لندن الاتهامات.", ["ونفى", "الاتهامات"]),
        ("ما هي الإتهامات", "نفى الاتِّهامات", ["الاتِّهامات"]),
        # Numbers match across digit systems and scripts; neighbouring words form one bold run.
        ("How many organisations were hit, 30,000?", "أصاب الهجوم ٣٠ ألف منظمة.", ["٣٠"]),
        (
            "When did the Exchange attack in 2021 happen?",
            "The 2021 Exchange attack was by China.",
            ["2021 Exchange attack"],
        ),
        # Function words alone are never bold.
        ("Who was it and where?", "It was there, and it was him.", []),
        ("", "نص", []),
    ],
)
def test_the_question_words_are_located_in_the_quote(question: str, quote: str, expected: list[str]) -> None:
    assert bolded(question, quote) == expected


def test_highlights_are_exact_spans_of_the_quote() -> None:
    quote = "وقال المركز الوطني البريطاني للأمن الإلكتروني إن Hafnium مسؤولة."
    for start, end in highlight_spans("ماذا قال المركز الوطني عن Hafnium", quote):
        assert 0 <= start < end <= len(quote)
        assert quote[start:end].strip() == quote[start:end]


def sentence(position: int, paragraph: int = 0) -> StoredSentence:
    return StoredSentence(
        position + 100, 1, position, paragraph, position * 10, position * 10 + 9, f"s{position}"
    )


def test_a_neighbour_that_scores_nearly_as_well_is_quoted_with_the_best_sentence() -> None:
    around = [sentence(3), sentence(4), sentence(5)]
    scores = {103: 0.70, 104: 0.80, 105: 0.795}
    assert [s.position for s in _joined(around[1], 0.80, around, scores, JOIN_MARGIN)] == [4, 5]


def test_a_weaker_neighbour_or_one_in_another_paragraph_is_not_quoted() -> None:
    around = [sentence(3), sentence(4), sentence(5, paragraph=1)]
    scores = {103: 0.70, 104: 0.80, 105: 0.80}
    assert [s.position for s in _joined(around[1], 0.80, around, scores, JOIN_MARGIN)] == [4]


def test_the_join_margin_follows_the_fused_scores_scale(searcher: Searcher) -> None:
    """Weighted fusion adds weighted cosines to e5's, so its scores spread further apart than e5's
    alone; a learned fusion's are probabilities, on one scale for every pairing."""
    assert searcher.reranker is not None
    weights = Weights(use=0.1, lexical=0.1, late=1.5)
    weighted = Searcher(
        searcher.library,
        searcher.encoder,
        thresholds=None,
        fusion=Fusion(Weights(0.05, 0.2, 1.0), weights),
        second=searcher.reranker.second,
    )
    arabic = StoredSentence(1, 1, 0, 0, 0, 12, "ونفى المتحدث")
    english = weighted.join_margin("Who denied the claims?", arabic)
    assert english == pytest.approx(JOIN_MARGIN * (1 + weights.use + weights.lexical + weights.late))
    plain = Searcher(searcher.library, searcher.encoder, thresholds=None)
    assert plain.join_margin("Who denied the claims?", arabic) == JOIN_MARGIN
    tuning = load_tuning(searcher.encoder.info.fingerprint, learned=True)
    assert tuning is not None and isinstance(tuning.fusion, LearnedFusion)
    learned = Searcher(
        searcher.library,
        searcher.encoder,
        thresholds=tuning.thresholds,
        fusion=tuning.fusion,
        second=searcher.reranker.second,
    )
    assert learned.join_margin("Who denied the claims?", arabic) == JOIN_MARGIN


def test_overlapping_and_neighbouring_spans_become_one_bold_run() -> None:
    quote = "نهاية مارس، قالت الشركات"
    assert merged(quote, [(6, 10), (0, 5), (0, 5), (17, 24)]) == ((0, 10), (17, 24))


def test_only_a_question_words_first_piece_outside_function_words_is_located() -> None:
    question = "Who denied the claims?"
    # Content tokens of the question: "▁Who", "▁de", "ni", "ed", "▁the", "▁claims" (offsets include
    # the space before a word) and of the quote "ونفى المزاعم": "▁ون", "فى", "▁المزاعم".
    question_spans = [(0, 3), (3, 6), (6, 8), (8, 10), (10, 14), (14, 21)]
    quote = "ونفى المزاعم"
    quote_spans = [(0, 2), (2, 4), (4, 12)]
    pairs = [(0, 0), (1, 1), (2, 0), (4, 2), (5, 2)]  # who, "de", "ni", the, claims
    assert translated_spans(question, question_spans, quote, quote_spans, pairs) == [(0, 4), (5, 12)]


def test_an_english_question_bolds_the_arabic_words_its_words_translate_to(searcher: Searcher) -> None:
    hit = searcher.ask("did nato declare china a security risk", k=1).hits[0]
    bold = [hit.quote[start:end] for start, end in hit.highlights]
    assert any("الناتو" in words for words in bold)
    assert any("خطر" in words for words in bold)
    assert all(0 <= start < end <= len(hit.quote) for start, end in hit.highlights)


def test_an_arabic_question_bolds_only_the_words_it_shares(searcher: Searcher) -> None:
    hit = searcher.ask("من نفى المزاعم؟", k=1).hits[0]
    assert [hit.quote[start:end] for start, end in hit.highlights] == ["ونفى", "المزاعم"]
