"""Many users at once: every question gets exactly one answer, none lost, none twice.

A bounded version of `python -m bot.bench_load` (which reports throughput and latency); this test
counts answers only.
"""

from __future__ import annotations

from bot.bench_load import LoadPlan, report, run_load
from index import Searcher


async def test_a_burst_of_questions_from_private_chats_and_groups_is_answered_exactly_once(
    searcher: Searcher,
) -> None:
    plan = LoadPlan(users=20, groups=4, group_users=8, questions=120, seconds=0, seed=7)
    schedule = plan.schedule()
    assert sum(group is not None for _, _, group in schedule) == 48  # 12 questions in each group
    result = await run_load(searcher, plan, timeout=300)
    assert len(result.answers) == 120, report(result)
    assert (result.answered_once, result.lost, result.duplicated) == (120, 0, 0), report(result)
