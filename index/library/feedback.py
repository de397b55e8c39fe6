"""The votes a chat gave its answers, kept in that chat's own library (never seen by other chats).

A vote records what was asked, the quotes that were shown (their text and where each stands) and
whether the answer was right. `sanad feedback --export` writes them as JSONL that `sanad eval` reads
as a question set: an up-voted answer's first quote is a sentence known to answer its question.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from index.library.schema import now


@dataclass(frozen=True, slots=True)
class ShownQuote:
    """One quote an answer showed: its exact text, its article and where it stands there."""

    text: str
    document: str  # the article's title (or source)
    position: int  # the sentence's number in the article, from 0
    paragraph: int  # the paragraph's number, from 0
    source: str | None = None  # the article's link or file name


@dataclass(frozen=True, slots=True)
class Vote:
    """👍 (+1) or 👎 (-1) on one answer by one person."""

    answer: str  # the answer's key: voting on it again replaces the vote
    voter: str  # a hash of who voted, never their Telegram id
    vote: int
    question: str
    quotes: tuple[ShownQuote, ...]
    language: str | None = None
    voted_at: str = ""

    def to_json(self) -> dict[str, object]:
        """The vote as one line of `sanad feedback --export` (and of a question set `sanad eval` reads)."""
        record = asdict(self)
        record["quotes"] = [asdict(quote) for quote in self.quotes]
        record["answers"] = self.vote > 0
        return record


def voter_id(chat_id: int, user_id: int) -> str:
    """Who voted, as a stable pseudonym: enough to let a person change their vote, not to find them."""
    return hashlib.sha256(f"sanad-vote:{chat_id}:{user_id}".encode()).hexdigest()[:16]


def record_vote(db: sqlite3.Connection, vote: Vote) -> int | None:
    """Store a vote (inside the caller's write transaction), replacing the voter's earlier one; returns
    that earlier vote (None: there was none)."""
    earlier = db.execute(
        "SELECT vote FROM feedback WHERE answer = ? AND voter = ?", (vote.answer, vote.voter)
    ).fetchone()
    db.execute(
        "INSERT INTO feedback (answer, voter, vote, question, quotes, language, voted_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (answer, voter) DO UPDATE SET vote = excluded.vote, voted_at = excluded.voted_at",
        vote_row(vote),
    )
    return None if earlier is None else int(earlier[0])


def vote_row(vote: Vote) -> tuple[object, ...]:
    """A vote as stored by either library: answer, voter, vote, question, quotes (a JSON list, its
    Arabic as it is), language, when."""
    quotes = json.dumps([asdict(quote) for quote in vote.quotes], ensure_ascii=False)
    return (vote.answer, vote.voter, vote.vote, vote.question, quotes, vote.language, vote.voted_at or now())


def read_votes(rows: Sequence[tuple]) -> list[Vote]:
    """Votes from `SELECT_VOTES` rows."""
    return [
        Vote(
            answer=answer,
            voter=voter,
            vote=int(vote),
            question=question,
            quotes=tuple(ShownQuote(**quote) for quote in json.loads(quotes)),
            language=language,
            voted_at=voted_at,
        )
        for answer, voter, vote, question, quotes, language, voted_at in rows
    ]


SELECT_VOTES = "SELECT answer, voter, vote, question, quotes, language, voted_at FROM feedback ORDER BY id"
