"""Search: a question -> the library's sentences that answer it, ranked, with quotes and highlights.

searcher.py    dense candidates, fused reranking, the "no answer" threshold, quotes
fusion.py      the reranker: e5 + late interaction + USE + BM25 coverage
late.py        late interaction over e5's token vectors (MaxSim, word alignment)
lexical.py     BM25 over Arabic-normalised words
highlight.py   which words of a quote to bold
weights.py     the calibrated fusion weights and thresholds (calibration.json), per model
"""

from index.search.searcher import MAX_QUESTION_CHARS, Answer, Doubt, Hit, Searcher, clean_question
from index.search.weights import (
    CALIBRATION_FILE,
    Fusion,
    LearnedFusion,
    Thresholds,
    Tuning,
    Weights,
    load_tuning,
)

__all__ = [
    "CALIBRATION_FILE",
    "MAX_QUESTION_CHARS",
    "Answer",
    "Doubt",
    "Fusion",
    "Hit",
    "LearnedFusion",
    "Searcher",
    "Thresholds",
    "Tuning",
    "Weights",
    "clean_question",
    "load_tuning",
]
