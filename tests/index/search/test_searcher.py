"""Asking the seed article questions with the real model and a real FAISS library."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.embedding import Encoder
from index.errors import InputError
from index.ingest import prepare_document
from index.library import Library
from index.records import SourceText
from index.search import Searcher, Thresholds, clean_question
from index.text import dominant_script, script_kind
from tests.conftest import SPOKESMAN


def test_who_denied_the_claims_asked_in_arabic_quotes_the_spokesman_first_with_the_words_in_bold(
    searcher: Searcher,
) -> None:
    hit = searcher.ask("من نفى المزاعم؟", k=3).hits[0]
    assert hit.text.startswith(SPOKESMAN)
    assert [hit.text[a:b] for a, b in hit.highlights] == ["ونفى", "المزاعم"]


def test_who_denied_the_claims_asked_in_english_finds_the_spokesman_among_the_first_three(
    searcher: Searcher,
) -> None:
    """A known weakness: both models find "the spokesman also refused to give details" closer."""
    answer = searcher.ask("Who denied the claims?", k=3)
    assert not answer.no_answer
    assert any(hit.text.startswith(SPOKESMAN) for hit in answer.hits)


@pytest.mark.parametrize(
    ("question", "expected_start"),
    [
        ("What did the NCSC say about Hafnium?", "وقال المركز الوطني البريطاني للأمن الإلكتروني"),
        ("did nato declare china a security risk", "في يونيو ، ساعد الرئيس الأمريكي"),
        ("ما الذي سعى إليه بايدن في سياسة الغرب تجاه بكين", "كان جو بايدن حريصًا"),
        ("À quel pays la Chine n'aime-t-elle pas être comparée ?", "ويعتقدون أن الصين لا تحب"),
    ],
)
def test_questions_in_several_languages_quote_the_answering_arabic_sentence_first(
    searcher: Searcher, question: str, expected_start: str
) -> None:
    assert searcher.ask(question).hits[0].text.startswith(expected_start)


def test_a_quote_is_the_exact_text_of_the_article_with_its_place(searcher: Searcher, seed_source) -> None:
    hit = searcher.ask("What did the NCSC say about Hafnium?").hits[0]
    assert seed_source.text[hit.sentence.start : hit.sentence.end] == hit.text
    assert (hit.sentence.paragraph, hit.sentence.position) == (7, 8)
    assert hit.document.title == "المملكة المتحدة وحلفاؤها تتهم مجموعة صينية تدعمها الدولة باختراق مايكروسوفت"


def test_a_hit_carries_the_sentences_around_it(searcher: Searcher) -> None:
    hit = searcher.ask("What did the NCSC say about Hafnium?").hits[0]
    positions = [s.position for s in hit.context]
    assert positions == [7, 8, 9]
    assert hit.sentence in hit.context


@pytest.mark.parametrize(
    "question",
    ["what's the weather in paris today", "cuál fue el resultado del partido del Barcelona anoche"],
)
def test_an_off_topic_question_gets_no_answer_rather_than_a_random_sentence(
    searcher: Searcher, question: str
) -> None:
    answer = searcher.ask(question)
    assert answer.no_answer and answer.hits == ()
    assert answer.best_score is not None and answer.threshold is not None
    assert answer.best_score < answer.threshold


def test_html_in_a_question_is_only_text(searcher: Searcher) -> None:
    answer = searcher.ask("<b>What did the NCSC say</b> about <script>Hafnium</script>?")
    assert answer.question.startswith("<b>")


@pytest.mark.parametrize("text", ["", "   ", "😀🔥", "???", "\u200f\u200e"])
def test_a_question_without_words_is_refused_with_an_example(text: str) -> None:
    with pytest.raises(InputError, match="Who denied the claims"):
        clean_question(text)


def test_a_huge_question_is_refused_with_the_limit() -> None:
    with pytest.raises(InputError, match="under 1,000"):
        clean_question("why " * 100_000)


def test_invisible_marks_and_extra_spaces_are_dropped_from_questions() -> None:
    assert clean_question("  \u200fمن   نفى\u200e المزاعم؟ ") == "من نفى المزاعم؟"


@pytest.mark.parametrize(
    ("text", "script"),
    [
        ("من نفى المزاعم؟", "arabic"),
        ("Who denied it?", "latin"),
        ("Кто это?", "other"),
        ("ماذا قال NCSC", "arabic"),
    ],
)
def test_the_dominant_script_decides_which_threshold_applies(text: str, script: str) -> None:
    assert dominant_script(text) == script


def test_questions_in_another_script_than_the_article_get_the_cross_script_threshold() -> None:
    thresholds = Thresholds(same_script=0.8, cross_script=0.7)
    assert thresholds.for_kind(script_kind("من نفى؟", "ونفى المتحدث")) == 0.8
    assert thresholds.for_kind(script_kind("Who denied?", "ونفى المتحدث")) == 0.7


MIXED_ARTICLE = (
    "قال المتحدث باسم الوزارة إن الهجوم استهدف خوادم البريد في عدة دول.\n\n"
    "وأضاف أن الشركة أصدرت تحديثات أمنية عاجلة لسد الثغرات.\n\n"
    "Microsoft said in a statement: We have released security updates for Exchange Server.\n\n"
    "ونفى المتحدث باسم وزارة الخارجية الصينية هذه المزاعم."
)


def test_the_pairing_is_decided_by_the_article_not_by_each_sentence(tmp_path: Path, encoder: Encoder) -> None:
    """A Latin-letter quote inside an Arabic article is part of an Arabic article: an Arabic question
    pairs with it as with the rest, under the same threshold and the same weights."""
    document = prepare_document(SourceText(MIXED_ARTICLE, title="mixed"))
    with Library.open(tmp_path, encoder.info, encoder.probe()) as library:
        library.add(document, encoder.embed_passages([s.text for s in document.sentences]))
        searcher = Searcher(library, encoder, thresholds=Thresholds(same_script=0.8, cross_script=0.7))
        [stored] = library.documents()
        sentences = library.document_sentences(stored.id)
        latin = next(s for s in sentences if s.text.startswith("Microsoft"))
        assert dominant_script(latin.text) == "latin"
        for sentence in sentences:
            assert searcher.kind("من أصدر التحديثات؟", sentence) == "same_script"
            assert searcher.threshold("من أصدر التحديثات؟", sentence) == 0.8
            assert searcher.kind("Who released the updates?", sentence) == "cross_script"


def test_many_questions_are_answered_in_one_batch_in_order(searcher: Searcher) -> None:
    questions = ["What did the NCSC say about Hafnium?", "did nato declare china a security risk"]
    answers = searcher.ask_many(questions)
    assert [a.question for a in answers] == questions
    assert answers[0].hits[0].text != answers[1].hits[0].text


OTHERS = [f"Question {n} about something else entirely, number {n * 7}?" for n in range(32)]


@pytest.mark.parametrize("question", ["Who denied the claims?", "من نفى المزاعم؟", "Qui a démenti ?"])
def test_a_question_gets_the_same_quotes_alone_or_asked_with_32_others(
    searcher: Searcher, question: str
) -> None:
    alone = searcher.ask(question, k=3)
    together = searcher.ask_many([*OTHERS[:16], question, *OTHERS[16:]], k=3)[16]
    assert [(h.sentence.id, h.score) for h in together.hits] == [(h.sentence.id, h.score) for h in alone.hits]
    vector = searcher.encoder.encode_queries([question])[0]
    batched = searcher.encoder.encode_queries([*OTHERS, question])[-1]
    assert float(vector @ batched) >= 0.9999


def test_a_sentence_gets_the_same_vector_alone_or_embedded_with_32_others(searcher: Searcher) -> None:
    sentence = SPOKESMAN + " وقال إن مايكروسوفت لا ينبغي أن توجه اتهامات."
    alone = searcher.encoder.encode_passages([sentence])[0]
    batched = searcher.encoder.encode_passages([*OTHERS, sentence], batch_size=32)[-1]
    assert float(alone @ batched) >= 0.9999
