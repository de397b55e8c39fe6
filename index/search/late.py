"""Late interaction: every word of the question looks for its best counterpart among a sentence's words.

e5 squeezes a sentence into one mean vector, so a sentence that shares the question's topic can beat
the one that shares its facts ("the spokesman refused to give details" against "the spokesman denied
the claims"). The same model's token vectors keep the words apart, and a multilingual encoder's token
vectors of a word and its translation lie close (the observation behind SimAlign's word alignment).
The score of a sentence is the mean, over the question's content tokens, of each one's best cosine
to a token of the sentence (MaxSim, as in ColBERT). It needs no extra model: the token vectors fall
out of the same forward pass that makes the sentence vector (`index.embedding`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def late_scores(question: np.ndarray, sentences: Sequence[np.ndarray]) -> np.ndarray:
    """MaxSim of one question's token vectors against each sentence's (0 for a sentence without
    tokens), in one product over all of them: a pool of 32 sentences costs one matrix multiply."""
    scores = np.zeros(len(sentences))
    present = [n for n, tokens in enumerate(sentences) if len(tokens)]
    if len(question) == 0 or not present:
        return scores
    sims = question @ np.concatenate([sentences[n] for n in present]).T
    starts = np.cumsum([0] + [len(sentences[n]) for n in present[:-1]])
    scores[present] = np.maximum.reduceat(sims, starts, axis=1).mean(axis=0)
    return scores


# Below this cosine a question token and a sentence token are not taken for translations of each other
# (read off the seed questions: "worldwide"/"العالم" 0.90, "companies"/"الشركات" 0.87, "March"/"مارس"
# 0.87, while wrong pairs such as "ask"/"اوي" stop at 0.79).
ALIGNED = 0.8


def aligned(question: np.ndarray, sentence: np.ndarray, *, floor: float = ALIGNED) -> list[tuple[int, int]]:
    """(question token, sentence token) pairs that are each other's best match, at `floor` or above:
    where the question's words stand in a sentence of another language."""
    if len(question) == 0 or len(sentence) == 0:
        return []
    sims = question @ sentence.T
    best_in_sentence, best_in_question = sims.argmax(axis=1), sims.argmax(axis=0)
    return [
        (i, int(j))
        for i, j in enumerate(best_in_sentence)
        if best_in_question[j] == i and sims[i, j] >= floor
    ]
