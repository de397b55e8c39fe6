"""Late interaction: e5's own token vectors, stored beside each sentence, let every word of the question
find its counterpart in a sentence, across languages."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.embedding import ContentFilter, Encoder, TorchEncoder
from index.ingest import add_source, prepare_document
from index.library import Library
from index.library.tokens import pack, unpack_many
from index.records import NewDocument, Sentence, SourceText
from index.search import Searcher
from index.search.late import late_scores
from tests.conftest import SPOKESMAN

DENIAL = "ونفى المتحدث باسم وزارة الخارجية الصينية هذه المزاعم."
FOOTBALL = "وفاز الفريق بالمباراة النهائية بهدفين نظيفين."


def test_only_pieces_with_letters_or_digits_are_content() -> None:
    pieces = ["<s>", "▁", "?", "▁claims", "فى", "5%", "<unk>", None]
    content = ContentFilter(lambda i: pieces[i])
    assert [content(i) for i in range(len(pieces))] == [False, False, False, True, True, True, False, False]


def test_the_question_tokens_exclude_the_prompt_and_the_punctuation(encoder: Encoder) -> None:
    embedded = encoder.embed_queries(["Who denied?", "؟"])
    assert embedded.tokens is not None
    who_denied, nothing = embedded.tokens
    # "▁Who", "▁de", "ni", "ed": not "▁que", "ry", ":" of the prompt, not "?".
    assert who_denied.shape == (4, encoder.dim) and nothing.shape == (0, encoder.dim)
    assert np.allclose(np.linalg.norm(who_denied, axis=1), 1.0, atol=1e-5)


def test_sentence_vectors_are_the_same_with_or_without_tokens(encoder: Encoder) -> None:
    plain = encoder.encode_passages([DENIAL, FOOTBALL])
    embedded = encoder.embed_passages([DENIAL, FOOTBALL])
    assert np.allclose(plain, embedded.vectors, atol=1e-6)
    assert embedded.tokens is not None and len(embedded.tokens) == 2


def test_the_torch_backend_gives_the_same_tokens(encoder: Encoder, torch_encoder: TorchEncoder) -> None:
    onnx = encoder.embed_queries(["Who denied the claims?"]).tokens
    torch = torch_encoder.embed_queries(["Who denied the claims?"]).tokens
    assert onnx is not None and torch is not None
    assert onnx[0].shape == torch[0].shape
    assert float(np.mean(np.sum(onnx[0] * torch[0], axis=1))) > 0.95


def test_an_english_question_matches_the_arabic_sentence_that_answers_it(encoder: Encoder) -> None:
    question = encoder.embed_queries(["Who denied the claims?"]).tokens
    sentences = encoder.embed_passages([DENIAL, FOOTBALL]).tokens
    assert question is not None and sentences is not None
    denial, football = late_scores(question[0], sentences)
    assert denial > football


def test_maxsim_is_the_mean_of_each_question_tokens_best_match_in_each_sentence() -> None:
    question = np.array([[1.0, 0.0], [0.0, 1.0]])
    first, second = np.array([[0.6, 0.8], [1.0, 0.0]]), np.array([[0.0, 1.0]])
    assert np.allclose(late_scores(question, [first, second]), [(1.0 + 0.8) / 2, (0.0 + 1.0) / 2])


def test_maxsim_of_nothing_is_zero() -> None:
    assert late_scores(np.zeros((0, 4)), [np.eye(4)]).tolist() == [0.0]
    assert late_scores(np.eye(4), [np.zeros((0, 4)), np.eye(4)]).tolist() == [0.0, 1.0]


def test_packed_tokens_keep_their_directions() -> None:
    rows = np.random.default_rng(0).normal(size=(5, 384)).astype(np.float32)
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    back, none, first = unpack_many([pack(rows), pack(rows[:0]), pack(rows[:1])], 384)
    assert len(pack(rows)) == 5 * 384  # one byte a component
    assert np.min(np.sum(rows * back, axis=1)) > 0.995
    assert none.shape == (0, 384)
    assert np.array_equal(first, back[:1])


def test_added_sentences_keep_their_token_vectors_until_removed(encoder: Encoder, tmp_path: Path) -> None:
    with Library.open(tmp_path, encoder.info, encoder.probe()) as library:
        document, _ = add_source(library, encoder, SourceText(f"{DENIAL}\n\n{FOOTBALL}", title="t"))
        ids = [s.id for s in library.document_sentences(document.id)]
        stored = library.token_vectors(ids)
        fresh = encoder.embed_passages([s.text for s in prepare_document(SourceText(DENIAL)).sentences])
        assert fresh.tokens is not None
        assert stored[ids[0]].shape == fresh.tokens[0].shape
        assert library.remove(document.id)
        assert library.token_vectors(ids) == {}


def test_sentences_stored_without_tokens_are_ranked_as_if_they_had_them(
    searcher: Searcher, tmp_path: Path
) -> None:
    """A library from before format 3 has no token vectors: the reranker embeds them when needed."""
    source = searcher.library
    with Library.open(tmp_path, source.model, searcher.encoder.probe()) as bare:
        for document in source.documents():
            sentences = source.document_sentences(document.id)
            text = source.document_text(document.id, 0, sentences[-1].end)
            new = NewDocument(
                text,
                document.title,
                document.language,
                document.source,
                [Sentence(s.start, s.end, s.paragraph, s.position, s.text) for s in sentences],
            )
            bare.add(new, source.vectors([s.id for s in sentences]))  # plain vectors: no tokens
        assert bare.token_vectors([s.id for s in bare.document_sentences(1)]) == {}
        without = Searcher(
            bare,
            searcher.encoder,
            thresholds=searcher.thresholds,
            fusion=searcher.reranker.fusion if searcher.reranker else None,
            second=searcher.reranker.second if searcher.reranker else None,
        )
        question = "من نفى المزاعم؟"
        with_tokens = searcher.ask(question, k=3)
        computed = without.ask(question, k=3)
    assert [h.text for h in computed.hits] == [h.text for h in with_tokens.hits]
    assert computed.hits[0].text.startswith(SPOKESMAN)
    assert [h.score for h in computed.hits] == pytest.approx([h.score for h in with_tokens.hits], abs=0.01)


@pytest.mark.parametrize("backend", ["onnx", "torch"])
def test_each_token_vector_has_its_place_in_the_text(
    backend: str, encoder: Encoder, torch_encoder: TorchEncoder
) -> None:
    chosen = encoder if backend == "onnx" else torch_encoder
    question = "Who denied the claims?"
    [spans] = chosen.content_spans([question], query=True)
    tokens = chosen.embed_queries([question]).tokens
    assert tokens is not None and len(spans) == len(tokens[0])
    assert [question[start:end].strip() for start, end in spans] == ["Who", "de", "ni", "ed", "the", "claims"]
    [sentence_spans] = chosen.content_spans([DENIAL], query=False)
    passage_tokens = chosen.embed_passages([DENIAL]).tokens
    assert passage_tokens is not None and len(sentence_spans) == len(passage_tokens[0])
    assert "".join(DENIAL[start:end] for start, end in sentence_spans).replace(" ", "") == DENIAL[
        :-1
    ].replace(" ", "")
