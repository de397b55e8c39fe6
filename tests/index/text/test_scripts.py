"""One answer to "which script is this?" and to "which characters are invisible?", wherever it is asked:
ranking, an article's language, the interface language, questions, quotes and echoes."""

from __future__ import annotations

import pytest

from bot.i18n import pick_language
from bot.render import echo
from index.ingest import guess_language
from index.search import clean_question
from index.text import (
    INVISIBLE,
    dominant_script,
    is_arabic_script,
    normalize_arabic,
    script_kind,
    strip_span,
    without_invisible,
)

ARABIC = "ونفى المتحدث باسم وزارة الخارجية الصينية هذه المزاعم"
PERSIAN = "سخنگوی وزارت خارجه چین این ادعاها را رد کرد"
ENGLISH = "The spokesman denied the claims"
GREEK = "Ο εκπρόσωπος αρνήθηκε τους ισχυρισμούς"


@pytest.mark.parametrize(
    ("text", "script", "arabic"),
    [
        (ARABIC, "arabic", True),
        (PERSIAN, "arabic", True),
        (ENGLISH, "latin", False),
        (GREEK, "other", False),
        (f"{ARABIC} (NCSC)", "arabic", True),
        (f"Microsoft Exchange {ARABIC[:10]}", "latin", False),
    ],
)
def test_every_layer_reads_the_script_the_same_way(text: str, script: str, arabic: bool) -> None:
    assert dominant_script(text) == script
    assert is_arabic_script(text) is arabic
    assert guess_language(text) == ("ar" if arabic else "en")
    assert pick_language(None, text) == ("ar" if arabic else "en")


def test_the_pairing_compares_the_question_and_the_sentence() -> None:
    assert script_kind("من نفى المزاعم؟", ARABIC) == "same_script"
    assert script_kind("Who denied the claims?", ARABIC) == "cross_script"
    assert script_kind("Who denied the claims?", ENGLISH) == "same_script"


@pytest.mark.parametrize("mark", sorted(INVISIBLE))
def test_one_set_of_invisible_marks_is_dropped_everywhere(mark: str) -> None:
    assert without_invisible(f"who{mark} denied") == "who denied"
    assert clean_question(f"{mark}who denied{mark} the claims?{mark}") == "who denied the claims?"
    assert mark not in echo(f"who{mark} denied the claims?")
    assert normalize_arabic(f"نفى{mark}") == normalize_arabic("نفى")
    assert strip_span(f"{mark} نفى {mark}", 0, 7).start == 2
