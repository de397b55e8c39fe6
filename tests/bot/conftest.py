"""Fixtures for the bot's tests; the real model, library and searcher come from tests/conftest.py."""

from __future__ import annotations

import pytest

from index import Searcher
from index.embedding import Encoder
from index.library import Library


@pytest.fixture(autouse=True)
def _ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    """As `sanad` sets it at startup: without it PTB warns on every 429 (an error under -W error)."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture(scope="session")
def searcher_without_threshold(seed_library: Library, encoder: Encoder) -> Searcher:
    """The real searcher with no "not in the article" threshold: every sentence is a candidate quote."""
    return Searcher(seed_library, encoder, thresholds=None)
