"""Per-chat libraries with the real model: each chat answers from its own articles and the shared ones,
never from another chat's; adds are atomic and survive a new process; removals take the vectors too."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from index.errors import ChatLibraryError, NoArticleError
from index.records import Embedded, SourceText
from index.search import Answer, Searcher
from index.shelf import Repaired, Shelf, merge_answers
from tests.conftest import SPOKESMAN
from tests.support.article_files import CLINIC, HARBOUR

FIXTURES = Path(__file__).parents[1] / "fixtures"
BANK = SourceText(text=(FIXTURES / "central-bank-ar.txt").read_text(encoding="utf-8"))
BANK_TITLE = "البنك المركزي يرفع سعر الفائدة ربع نقطة لكبح التضخم"
RATE_QUESTION = "بكم رفع البنك المركزي سعر الفائدة؟"
RATE_SENTENCE = "قرر البنك المركزي يوم الخميس رفع سعر الفائدة الرئيسي بمقدار ربع نقطة مئوية"
NEWSROOM, OTHER = -1001, 42


@pytest.fixture
def shelf(searcher: Searcher, tmp_path: Path) -> Iterator[Shelf]:
    with Shelf(searcher, tmp_path / "chats") as opened:
        yield opened


def test_a_chat_answers_from_its_own_article_and_names_it(shelf: Shelf) -> None:
    document, new = shelf.add(NEWSROOM, BANK)
    assert new and document.title == BANK_TITLE and document.sentence_count == 7
    answer = shelf.ask(RATE_QUESTION, chat_id=NEWSROOM)
    assert answer.hits[0].text.startswith(RATE_SENTENCE)
    assert answer.hits[0].document.title == BANK_TITLE


def test_a_chat_still_answers_from_the_shared_library(shelf: Shelf) -> None:
    shelf.add(NEWSROOM, BANK)
    answer = shelf.ask("Who denied the claims?", chat_id=NEWSROOM, k=3)
    assert any(hit.text.startswith(SPOKESMAN) for hit in answer.hits)
    assert all(hit.document.title != BANK_TITLE for hit in answer.hits)


def test_two_chats_never_see_each_others_articles(shelf: Shelf) -> None:
    shelf.add(NEWSROOM, BANK)
    shelf.add(OTHER, SourceText(text="\n".join(CLINIC)))
    assert [d.title for d in shelf.documents(NEWSROOM)] == [BANK_TITLE]
    assert [d.title for d in shelf.documents(OTHER)] == [CLINIC[0]]
    assert shelf.ask(RATE_QUESTION, chat_id=OTHER).no_answer
    assert shelf.ask(RATE_QUESTION, chat_id=None).no_answer  # the shared library alone
    assert not shelf.ask(RATE_QUESTION, chat_id=NEWSROOM).no_answer


def test_a_chat_library_is_created_by_its_first_add_only(shelf: Shelf) -> None:
    assert shelf.documents(NEWSROOM) == [] and shelf.ask(RATE_QUESTION, chat_id=NEWSROOM).no_answer
    with pytest.raises(NoArticleError):
        shelf.add(NEWSROOM, SourceText(text="   \n"))
    assert not shelf.chat_path(NEWSROOM).exists()  # reads and refused adds leave nothing behind
    shelf.add(NEWSROOM, BANK)
    assert (shelf.chat_path(NEWSROOM) / "library.sqlite").exists()


def test_the_same_article_twice_is_stored_once(shelf: Shelf) -> None:
    first, _ = shelf.add(NEWSROOM, BANK)
    again, new = shelf.add(NEWSROOM, SourceText(text=BANK.text.replace("\n", "\r\n")))
    assert not new and again.id == first.id and len(shelf.documents(NEWSROOM)) == 1


def test_articles_survive_a_new_shelf_on_the_same_directory(searcher: Searcher, tmp_path: Path) -> None:
    with Shelf(searcher, tmp_path / "chats") as first:
        first.add(NEWSROOM, BANK)
    with Shelf(searcher, tmp_path / "chats") as second:
        assert [d.title for d in second.documents(NEWSROOM)] == [BANK_TITLE]
        assert second.ask(RATE_QUESTION, chat_id=NEWSROOM).hits[0].text.startswith(RATE_SENTENCE)


def test_removing_an_article_removes_its_text_and_vectors(shelf: Shelf) -> None:
    bank, _ = shelf.add(NEWSROOM, BANK)
    shelf.add(NEWSROOM, SourceText(text="\n".join(HARBOUR)))
    removed = shelf.remove(NEWSROOM, bank.id)
    assert removed is not None and removed.title == BANK_TITLE
    assert all(hit.text not in BANK.text for hit in shelf.ask(RATE_QUESTION, chat_id=NEWSROOM, k=10).hits)
    library = shelf._chat(NEWSROOM, create=False)
    assert library is not None and library.library.sentence_count() == len(HARBOUR) - 1
    vector = np.zeros((1, library.library.model.dim), dtype=np.float32)
    assert len(library.library.search(vector, k=100)[0]) == len(HARBOUR) - 1
    assert shelf.remove(NEWSROOM, bank.id) is None  # already gone
    assert shelf.remove(OTHER, bank.id) is None  # another chat cannot reach it


def test_clearing_empties_only_that_chat(shelf: Shelf) -> None:
    shelf.add(NEWSROOM, BANK)
    shelf.add(NEWSROOM, SourceText(text="\n".join(HARBOUR)))
    shelf.add(OTHER, SourceText(text="\n".join(CLINIC)))
    assert shelf.clear(NEWSROOM) == 2 and shelf.documents(NEWSROOM) == []
    assert len(shelf.documents(OTHER)) == 1
    assert shelf.clear(12345) == 0  # a chat that never added anything


def test_concurrent_adds_to_one_chat_and_to_different_chats_all_land(shelf: Shelf) -> None:
    articles = [BANK, SourceText(text="\n".join(HARBOUR)), SourceText(text="\n".join(CLINIC))]
    errors: list[BaseException] = []

    def add(chat_id: int, source: SourceText) -> None:
        try:
            shelf.add(chat_id, source)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=add, args=(NEWSROOM, a)) for a in articles]
    threads += [threading.Thread(target=add, args=(OTHER, a)) for a in articles]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    for chat_id in (NEWSROOM, OTHER):
        documents = shelf.documents(chat_id)
        assert len(documents) == 3
        library = shelf._chat(chat_id, create=False)
        assert library is not None
        assert library.library.sentence_count() == sum(d.sentence_count for d in documents)


def test_a_question_is_embedded_once_for_both_libraries(searcher: Searcher, tmp_path: Path) -> None:
    calls: list[tuple[str, ...]] = []

    class Counting:
        def __init__(self, inner: object) -> None:
            self.inner = inner

        def embed_queries(self, texts: list[str], *, tokens: bool = True) -> Embedded:
            calls.append(tuple(texts))
            return self.inner.embed_queries(texts, tokens=tokens)  # type: ignore[attr-defined]

        def __getattr__(self, name: str) -> object:
            return getattr(self.inner, name)

    counted = Searcher(searcher.library, Counting(searcher.encoder), thresholds=searcher.thresholds)  # type: ignore[arg-type]
    with Shelf(counted, tmp_path / "chats") as shelf:
        shelf.add(NEWSROOM, BANK)
        shelf.ask(RATE_QUESTION, chat_id=NEWSROOM)
    assert calls == [(RATE_QUESTION,)]


def test_merged_answers_keep_the_best_hits_and_the_best_score(shelf: Shelf) -> None:
    shelf.add(NEWSROOM, BANK)
    own = shelf._chat(NEWSROOM, create=False)
    assert own is not None
    chat_answer = own.ask(RATE_QUESTION, k=3)
    shared_answer = shelf._shared.ask(RATE_QUESTION, k=3)
    merged = merge_answers([shared_answer, chat_answer], k=2)
    assert [h.score for h in merged.hits] == sorted((h.score for h in merged.hits), reverse=True)
    assert len(merged.hits) == 2 and merged.best_score == chat_answer.best_score
    empty = merge_answers([Answer("q", (), None, None), Answer("q", (), 0.5, 0.8)], k=3)
    assert empty.no_answer and (empty.best_score, empty.threshold) == (0.5, 0.8)


def test_the_first_quote_comes_from_the_library_surest_of_its_answer(shelf: Shelf) -> None:
    """A learned fusion's quote scores are relative to its own library's candidates; its answer model's
    probability (the answer's best score) is what holds across libraries."""
    shelf.add(NEWSROOM, BANK)
    own = shelf._chat(NEWSROOM, create=False)
    assert own is not None
    hit = own.ask(RATE_QUESTION, k=1).hits[0]

    def answer(best_score: float, *margins: float) -> Answer:
        hits = tuple(dataclasses.replace(hit, margin=m) for m in margins)
        return Answer(RATE_QUESTION, hits, best_score, 0.1)

    loud, sure = answer(0.5, 0.6, 0.5), answer(0.9, 0.2)  # the answers clear 0.1 by 0.4 and by 0.8
    merged = merge_answers([loud, sure], k=3)
    assert [h.margin for h in merged.hits] == [0.2, 0.6, 0.5]
    assert (merged.best_score, merged.threshold) == (0.9, 0.1)
    unsure = answer(0.3, 0.2)  # clears 0.1 by 0.2, less than the other answer: its quote comes last
    assert [h.margin for h in merge_answers([loud, unsure], k=3).hits] == [0.6, 0.5, 0.2]


def test_chat_libraries_rank_with_the_shared_fusion_and_its_second_model(shelf: Shelf) -> None:
    shelf.add(7, SourceText("\n\n".join(HARBOUR)))
    own = shelf._chat(7, create=False)
    assert own is not None and own.reranker is not None and shelf._shared.reranker is not None
    assert own.reranker.fusion == shelf._shared.reranker.fusion
    assert own.reranker.second is shelf._shared.reranker.second


def truncate(database: Path) -> None:
    database.write_bytes(database.read_bytes()[:100])


def test_a_damaged_chat_library_leaves_the_shared_one_and_other_chats_answering(
    searcher: Searcher, tmp_path: Path
) -> None:
    chats = tmp_path / "chats"
    with Shelf(searcher, chats) as shelf:
        shelf.add(NEWSROOM, BANK)
        shelf.add(OTHER, SourceText(text="\n".join(CLINIC)))
    truncate(chats / str(NEWSROOM) / "library.sqlite")
    with Shelf(searcher, chats) as shelf:  # the bot started again on the damaged file
        answer = shelf.ask("Who denied the claims?", chat_id=NEWSROOM)
        assert any(hit.text.startswith(SPOKESMAN) for hit in answer.hits)
        assert isinstance(answer.unavailable, ChatLibraryError)
        assert answer.unavailable.chat_id == NEWSROOM
        assert f"Run sanad repair --chat {NEWSROOM}" in str(answer.unavailable)
        with pytest.raises(ChatLibraryError, match=f"sanad repair --chat {NEWSROOM}"):
            shelf.documents(NEWSROOM)
        assert [d.title for d in shelf.documents(OTHER)] == [CLINIC[0]]
        assert shelf.ask("Who denied the claims?", chat_id=OTHER).unavailable is None


def test_repair_mends_a_damaged_chat_library_and_leaves_a_sound_one_alone(
    searcher: Searcher, tmp_path: Path
) -> None:
    chats = tmp_path / "chats"
    with Shelf(searcher, chats) as shelf:
        shelf.add(NEWSROOM, BANK)
        (index_file,) = (chats / str(NEWSROOM)).glob("vectors-*.faiss")
        assert shelf.repair(NEWSROOM) is None  # nothing wrong: nothing done
        assert shelf.repair(OTHER) is None  # no library at all
    index_file.write_bytes(index_file.read_bytes()[:64])
    with Shelf(searcher, chats) as shelf:
        assert shelf.ask(RATE_QUESTION, chat_id=NEWSROOM).unavailable is not None
        repaired = shelf.repair(NEWSROOM)
        assert repaired == Repaired(documents=1, sentences=7, salvaged=False)
        answer = shelf.ask(RATE_QUESTION, chat_id=NEWSROOM)
    assert answer.unavailable is None and answer.hits[0].text.startswith(RATE_SENTENCE)


def test_repair_saves_what_a_truncated_chat_database_still_holds(searcher: Searcher, tmp_path: Path) -> None:
    chats = tmp_path / "chats"
    with Shelf(searcher, chats) as shelf:
        shelf.add(NEWSROOM, BANK)
    truncate(chats / str(NEWSROOM) / "library.sqlite")
    with Shelf(searcher, chats) as shelf:
        repaired = shelf.repair(NEWSROOM)
        assert repaired is not None and repaired.salvaged
        assert shelf.documents(NEWSROOM) == []
        assert shelf.ask(RATE_QUESTION, chat_id=NEWSROOM).unavailable is None
        shelf.add(NEWSROOM, BANK)  # the chat can start again
        assert shelf.ask(RATE_QUESTION, chat_id=NEWSROOM).hits[0].text.startswith(RATE_SENTENCE)
    assert list((chats / str(NEWSROOM)).glob("library.sqlite.damaged-*"))  # the damaged file is kept


def test_a_chat_that_turned_the_shared_articles_off_searches_only_its_own(shelf: Shelf) -> None:
    assert shelf.ask("Who denied the claims?", chat_id=NEWSROOM, shared=False).no_answer  # none of its own
    shelf.add(NEWSROOM, BANK)
    own = shelf.ask(RATE_QUESTION, chat_id=NEWSROOM, shared=False)
    assert own.hits[0].text.startswith(RATE_SENTENCE)
    denied = shelf.ask("Who denied the claims?", chat_id=NEWSROOM, shared=False)
    assert all(hit.document.title == BANK_TITLE for hit in denied.hits)
