"""`python -m lab.transcripts` tells a flow as the fake Bot API recorded it, in order."""

from __future__ import annotations

from index import Searcher
from lab.harness import running_bot
from lab.transcripts import forwarded_posts, transcript, votes


async def test_a_transcript_shows_the_users_updates_and_the_bots_calls_in_order(searcher: Searcher) -> None:
    async with running_bot(searcher) as (fake, _):
        await votes(fake)
    lines = transcript(fake)
    assert lines[0] == "→ Alice: Who denied the claims?"
    assert lines[1].startswith("← bot: ") and lines[1].endswith("[More context | Other matches | 👍 | 👎]")
    assert lines[2:] == [
        "→ Alice presses “👍”",
        "⚡ bot answers the press: Thanks: your vote is noted.",
        "→ Alice presses “👎”",
        "⚡ bot answers the press: Your vote is changed.",
    ]


async def test_forwarded_posts_are_shown_with_their_channel_and_post(searcher: Searcher) -> None:
    async with running_bot(searcher) as (fake, _):
        await forwarded_posts(fake)
    lines = transcript(fake)
    assert lines[0].startswith("→ Alice: [forwarded from Wire desk post 41] Ferry service resumes")
    assert any(
        line.startswith("✎ bot edits message 3: This looks like an article sent in 2 messages")
        for line in lines
    )
    assert lines[-1].startswith(
        "✎ bot edits message 3: ✅ Added to this chat's library: Ferry service resumes"
    )
