"""The kill loop of `sanad crash`, as a test: the real `sanad bot` process is SIGKILLed 20 times at
random moments while it answers and adds (with 429, 5xx and dropped connections from the API in half
the runs and during the last replay), restarted each time, and in the end nothing is lost."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.embedding import Encoder
from index.library import Library
from lab.crash import kill_loop

pytestmark = pytest.mark.slow  # twenty-one bot processes, about half a minute


async def test_twenty_kills_lose_no_question_and_no_add_and_break_no_library(
    tmp_path: Path, seed_library: Library, encoder: Encoder
) -> None:
    probe = encoder.probe()
    report = await kill_loop(
        tmp_path,
        seed_library.path,
        kills=20,
        seed=7,
        chaos=True,
        open_library=lambda path: Library.open(path, encoder.info, probe),
    )
    summary = "\n".join(report.lines())
    print(summary)  # the counts, in the test log
    assert report.problems == [], summary
    assert report.questions == 80 and report.answered == report.questions, summary
    assert report.adds == 10 and report.added + report.reported + report.adds_given_up == report.adds, summary
    assert report.libraries >= 1 and report.consistent == report.libraries, summary
    # Twice only in the window between "reply sent" and "marked done": at most once per kill.
    assert report.duplicates + report.left_reading <= report.kills, summary
    assert report.injected > 0, summary  # the API really misbehaved
