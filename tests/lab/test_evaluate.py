"""How `sanad eval` scores a ranking."""

from __future__ import annotations

import numpy as np

from lab.datasets import load_translations
from lab.evaluate import Tally, rank_of, row_groups


def test_the_rank_is_one_plus_the_sentences_scored_higher() -> None:
    assert rank_of(np.array([0.9, 0.5, 0.7]), 2) == 2
    assert rank_of(np.array([0.9, 0.5, 0.7]), 0) == 1


def test_every_tie_counts_against_the_right_sentence() -> None:
    assert rank_of(np.zeros(4), 0) == 4
    assert rank_of(np.array([0.5, 0.7, 0.7]), 2) == 2


def test_a_tally_reports_hits_mrr_and_declines() -> None:
    tally = Tally()
    for rank, declined in [(1, False), (3, False), (None, True)]:
        tally.add(rank, declined)
    assert (tally.hit(1), tally.hit(3)) == (1 / 3, 2 / 3)
    assert tally.mrr() == (1 + 1 / 3) / 3
    assert tally.declined_rate() == 1 / 3


def test_questions_in_neither_arabic_nor_english_also_get_one_row_per_article_language() -> None:
    names = ["ar->ar", "de->ar", "en->ar", "fr->ar", "ar->en", "es->en", "en->none"]
    groups = row_groups(names)
    assert list(groups) == [*names, "de/fr->ar"]  # es->en alone needs no group of its own
    assert groups["de/fr->ar"] == ["de->ar", "fr->ar"] and groups["ar->ar"] == ["ar->ar"]


def test_a_joined_tally_holds_every_member_s_questions() -> None:
    first, second = Tally([1, None], [False, True]), Tally([2], [False])
    merged = Tally.joined([first, second])
    assert (merged.ranks, merged.declined) == ([1, None, 2], [False, True, False])


def test_every_translation_file_gives_questions_of_its_own_split_only() -> None:
    test, train = load_translations("test"), load_translations("train")
    assert test and train and not set(test) & set(train)
    languages = {lang for asked in [*test.values(), *train.values()] for lang in asked}
    assert {"en", "fr", "es", "de", "ru"} <= languages
    assert all(text.strip() for asked in test.values() for text in asked.values())
