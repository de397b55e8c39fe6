"""How `sanad eval` scores a ranking."""

from __future__ import annotations

import numpy as np

from lab.evaluate import Tally, rank_of


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
