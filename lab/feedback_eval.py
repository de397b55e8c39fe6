"""`sanad eval --questions FILE`: the votes readers gave (exported by `sanad feedback --export`) as a
question set, asked again of the libraries they were asked of.

A 👍 says the first quote shown answered: asking again should quote it first (top-1) or among the
first three, and not decline. A 👎 says it did not: asking again should no longer quote it first. The
numbers show whether a change to ranking helps or hurts the questions real readers asked.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from index import SanadError
from index.config import IndexSettings
from index.service import open_shelf


@dataclass
class VoteTally:
    """How the answers to one kind of vote fare when asked again."""

    asked: int = 0
    first: int = 0  # the voted quote is quoted first again
    top3: int = 0
    declined: int = 0
    errors: list[str] = field(default_factory=list)


def load_votes(path: Path) -> list[dict[str, object]]:
    """The records of a `sanad feedback --export` file; a line that is not one is an error naming it."""
    records = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            if not isinstance(record["question"], str) or record["vote"] not in (1, -1):
                raise ValueError("question or vote missing")
        except (ValueError, KeyError, TypeError) as exc:
            raise SanadError(
                f"{path}:{number} is not a vote ({exc}). Write the file with: sanad feedback --export FILE"
            ) from exc
        records.append(record)
    return records


def same_quote(a: str, b: str) -> bool:
    """Two quotes are the same when one holds the other (a quote may have joined its neighbour)."""
    a, b = " ".join(a.split()), " ".join(b.split())
    return bool(a and b) and (a in b or b in a)


def evaluate_votes(settings: IndexSettings, path: Path) -> dict[str, VoteTally]:
    """Ask every voted question again, in the chat it was asked in; tallies for 👍 and 👎."""
    tallies = {"👍": VoteTally(), "👎": VoteTally()}
    with open_shelf(settings) as shelf:
        for record in load_votes(path):
            tally = tallies["👍" if record["vote"] == 1 else "👎"]
            quotes = record.get("quotes") or []
            voted = str(quotes[0]["text"]) if quotes else ""  # type: ignore[index]
            chat_id = record.get("chat_id")
            try:
                answer = shelf.ask(
                    str(record["question"]), chat_id=chat_id if isinstance(chat_id, int) else None, k=3
                )
            except SanadError as exc:
                tally.errors.append(f"{record['question']!r}: {exc}")
                continue
            found = [hit.text for hit in answer.hits]
            tally.asked += 1
            tally.declined += answer.no_answer
            tally.first += bool(found) and same_quote(found[0], voted)
            tally.top3 += any(same_quote(text, voted) for text in found)
    print_votes(path, tallies)
    return tallies


def print_votes(path: Path, tallies: dict[str, VoteTally]) -> None:
    up, down = tallies["👍"], tallies["👎"]
    print(f"\nreaders' votes ({path}), asked again:")
    print(
        f"  👍 {up.asked:>4} answers: voted quote first {_share(up.first, up.asked)}, in the top 3"
        f" {_share(up.top3, up.asked)}, declined {_share(up.declined, up.asked)}"
    )
    print(
        f"  👎 {down.asked:>4} answers: rejected quote still first {_share(down.first, down.asked)},"
        f" declined now {_share(down.declined, down.asked)}"
    )
    for tally in tallies.values():
        for error in tally.errors:
            print(f"  could not ask {error}")


def _share(count: int, total: int) -> str:
    return f"{count}/{total} ({count / total:.0%})" if total else "0/0"
