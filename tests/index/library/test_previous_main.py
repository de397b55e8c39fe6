"""A library written before the layout changed opens with its vectors as they are: no re-embedding.

`tests/fixtures/previous-main-library/` is a library that `sanad add` wrote with the main of commit
7982f3a (the bundled e5 on onnx-int8, format 3): tests/fixtures/central-bank-ar.txt, seven sentences,
their vectors and token vectors. It is copied before each test, since opening may write.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from index.embedding import Encoder
from index.ingest import prepare_document
from index.library import DB_NAME, SCHEMA_VERSION, Library
from index.records import SourceText
from index.search import Searcher

PREVIOUS = Path(__file__).resolve().parents[2] / "fixtures" / "previous-main-library"
INFLATION = "وقال محافظ البنك المركزي في بيان إن القرار يهدف إلى كبح التضخم"


@pytest.fixture
def previous(tmp_path: Path) -> Path:
    return Path(shutil.copytree(PREVIOUS, tmp_path / "library"))


def stored(path: Path) -> tuple[dict[str, str], list[tuple[int, bytes]], list[tuple[int, bytes]]]:
    """The meta table, the sentence vectors and the token vectors, as the file holds them."""
    db = sqlite3.connect(path / DB_NAME)
    try:
        meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
        vectors = db.execute("SELECT id, vector FROM sentences ORDER BY id").fetchall()
        tokens = db.execute("SELECT sentence_id, vectors FROM tokens ORDER BY sentence_id").fetchall()
    finally:
        db.close()
    return meta, vectors, tokens


def test_it_is_upgraded_in_place_with_its_vectors_and_index_untouched(
    previous: Path, encoder: Encoder
) -> None:
    meta, vectors, tokens = stored(previous)
    index_bytes = (previous / "vectors-000001.faiss").read_bytes()
    assert meta["schema"] == "3"  # format 4 added how a text was read, and the votes on answers
    with Library.open(previous, encoder.info, encoder.probe(), create=False) as library:
        assert [(d.sentence_count, d.read_by) for d in library.documents()] == [(7, None)]
        assert library.index_file().name == "vectors-000001.faiss"
        assert library.search(encoder.encode_queries(["ما نسبة التضخم؟"]), 3)
    upgraded, vectors_after, tokens_after = stored(previous)
    assert upgraded == meta | {"schema": str(SCHEMA_VERSION)}
    assert (vectors_after, tokens_after) == (vectors, tokens)
    assert (previous / "vectors-000001.faiss").read_bytes() == index_bytes


def test_its_article_answers_questions_in_arabic_and_english(
    previous: Path, encoder: Encoder, searcher: Searcher
) -> None:
    with Library.open(previous, encoder.info, encoder.probe(), create=False) as library:
        answering = Searcher(
            library,
            encoder,
            thresholds=searcher.thresholds,
            fusion=searcher.reranker.fusion if searcher.reranker else None,
            second=searcher.reranker.second if searcher.reranker else None,
        )
        for question in ("لماذا رفع البنك المركزي سعر الفائدة؟", "Why did the central bank raise the rate?"):
            answer = answering.ask(question, k=3)
            assert any(hit.text.startswith(INFLATION) for hit in answer.hits), (question, answer.hits)


def test_it_still_takes_new_articles_and_can_be_repaired(previous: Path, encoder: Encoder) -> None:
    with Library.open(previous, encoder.info, encoder.probe(), create=False) as library:
        text = "The harbour reopened on Friday after repairs.\nThe harbour master said the wall is new."
        document = prepare_document(SourceText(text, title="Harbour"))
        added, new = library.add(document, encoder.embed_passages([s.text for s in document.sentences]))
        assert new and added.sentence_count == 2
    assert Library.repair_at(previous) == 9
