"""Many users at once: every question gets exactly one answer, none lost, none twice.

A bounded version of `python -m lab.bench_load` (which reports throughput and latency); this test
counts answers only.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from index import Searcher
from lab.bench_load import LoadPlan, report, run_load
from lab.fake_telegram import Chat, User
from lab.harness import ALICE, PRIVATE, next_reply, replies_by_question, running_bot

pytestmark = pytest.mark.slow  # bounded load through the fake Bot API

FIXTURES = Path(__file__).parents[1] / "fixtures"


async def test_a_burst_of_questions_from_private_chats_and_groups_is_answered_exactly_once(
    searcher: Searcher,
) -> None:
    plan = LoadPlan(users=20, groups=4, group_users=8, questions=120, seconds=0, seed=7)
    schedule = plan.schedule()
    assert sum(group is not None for _, _, group in schedule) == 48  # 12 questions in each group
    result = await run_load(searcher, plan, timeout=300)
    assert len(result.answers) == 120, report(result)
    assert (result.answered_once, result.lost, result.duplicated) == (120, 0, 0), report(result)


async def test_other_chats_are_answered_while_one_chat_adds_a_large_article(searcher: Searcher) -> None:
    """Adding embeds in a worker thread: questions from other chats do not queue behind it. The article
    (about 1,400 sentences) takes far longer to embed than the questions take to answer, so every
    answer must reach Telegram before the add's final status does."""
    paragraphs = (FIXTURES / "central-bank-ar.txt").read_text(encoding="utf-8").split("\n\n")
    body = "\n\n".join(f"{p.rstrip('.')} في النشرة رقم {n}." for n in range(200) for p in paragraphs[1:])
    large = f"{paragraphs[0]}\n\n{body}".encode()
    readers = [User(id=700_001 + n, first_name=f"Reader {n}", language_code="en") for n in range(10)]
    async with running_bot(searcher) as (fake, _):
        upload = fake.send_document(PRIVATE, ALICE, "archive.txt", large)
        await next_reply(fake, PRIVATE)  # the offer
        since = len(fake.calls)
        fake.send_text(PRIVATE, ALICE, "/add", reply_to=upload)
        await fake.wait_for(lambda c: c.method == "sendChatAction" and c.ok, since=since)
        asked = {
            (reader.id, fake.send_text(Chat(reader.id), reader, "Who denied the claims?"))
            for reader in readers
        }
        done = await fake.wait_for(
            lambda c: c.method == "editMessageText" and c.ok and "Added" in c.params["text"],
            since=since,
            timeout=900,
        )
        answered = replies_by_question(fake)
        answers = [
            c for c in fake.calls[since:] if c.method == "sendMessage" and c.params["chat_id"] != ALICE.id
        ]
    assert "✅ Added to this chat's library" in done.params["text"]
    assert {question: answered.get(question) for question in asked} == dict.fromkeys(asked, 1)
    assert all(answer.time < done.time for answer in answers)
