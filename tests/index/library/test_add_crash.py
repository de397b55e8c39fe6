"""`sanad add --chat` killed with SIGKILL in the middle of adding: the chat's library opens afterwards as
it was before the add or after it, never in between. The real command runs in a child process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from index.embedding import Encoder
from index.ingest import add_source
from index.library import Library, chat_path
from index.records import SourceText
from tests.support.article_files import HARBOUR
from tests.support.news_site import NewsSite

pytestmark = pytest.mark.slow  # `sanad add` SIGKILLed in child processes

ROOT = Path(__file__).resolve().parents[3]
CHAT = -100555


@pytest.fixture
def chats(tmp_path: Path, encoder: Encoder) -> Path:
    """A chats directory whose chat already holds one article: "before" is not just "empty"."""
    with Library.open(chat_path(tmp_path / "chats", CHAT), encoder.info, encoder.probe()) as library:
        add_source(library, encoder, SourceText(text="\n".join(HARBOUR)))
    return tmp_path / "chats"


@pytest.fixture
def site() -> Iterator[NewsSite]:
    with NewsSite() as running:
        yield running


def article(n: int) -> str:
    return (
        f"Budget line {n} approved\n\n"
        f"The council approved budget line {n} on Monday after a long debate about street lighting.\n"
        f"Councillor number {n} said the money would pay for {n * 3} new lamps in the old town.\n"
        f"Work on lamp group {n} is due to start in the autumn and last about {n + 2} weeks.\n"
    )


def sanad_add(env_dir: Path, *sources: str) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "SANAD_DATA": str(env_dir / "library"),
        "SANAD_CHATS": str(env_dir / "chats"),
        "SANAD_ALLOW_PRIVATE_NETWORKS": "127.0.0.1",
        "SANAD_FETCH_TIMEOUT": "120",
    }
    command = [sys.executable, "-m", "bot.cli", "add", *sources, "--chat", str(CHAT)]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)


def assert_consistent(chats: Path, encoder: Encoder) -> list[str]:
    """The chat's library opens, every sentence has its vector, and the titles it holds."""
    with Library.open(chat_path(chats, CHAT), encoder.info, encoder.probe(), create=False) as library:
        documents = library.documents()
        count = library.sentence_count()
        assert count == sum(d.sentence_count for d in documents)
        probe = np.asarray(encoder.encode_queries(["street lighting budget"]), dtype=np.float32)
        assert len(library.search(probe, k=count + 10)[0]) == count
        return [d.title or "" for d in documents]


def test_killed_while_fetching_leaves_the_library_as_before(
    chats: Path, encoder: Encoder, site: NewsSite, tmp_path: Path
) -> None:
    child = sanad_add(tmp_path, site.url("/slow"))
    deadline = time.monotonic() + 120
    while not any(path == "/slow" for path, _ in site.requests) and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert child.stdout is not None
    child.stdout.close()
    assert assert_consistent(chats, encoder) == [HARBOUR[0]]


def test_killed_while_adding_leaves_each_article_whole_or_absent(
    chats: Path, encoder: Encoder, tmp_path: Path
) -> None:
    files = []
    for n in range(1, 16):
        path = tmp_path / f"article-{n:02d}.txt"
        path.write_text(article(n), encoding="utf-8")
        files.append(str(path))
    child = sanad_add(tmp_path, *files)
    assert child.stdout is not None
    reported = []
    while len(reported) < 3 and (line := child.stdout.readline()):
        reported.append(line)
    time.sleep(0.05)  # somewhere inside a later add: embedding, or writing the next generation
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    child.stdout.close()
    titles = assert_consistent(chats, encoder)
    assert titles[0] == HARBOUR[0]
    added = titles[1:]
    # The articles stored are the first ones given, in order, each with all three sentences.
    assert added == [f"Budget line {n} approved" for n in range(1, len(added) + 1)]
    assert len(added) >= len(reported) == 3
    with Library.open(chat_path(chats, CHAT), encoder.info, encoder.probe(), create=False) as library:
        assert all(d.sentence_count == 3 for d in library.documents()[1:])
