"""Several real `sanad bot --webhook` processes on one PostgreSQL journal, fed round-robin, one of them
SIGKILLed half-way or the database restarted under them (lab/bench_workers.py): every question is
answered, in its chat's order."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from index import IndexSettings
from lab.bench_workers import prepare, run_workers
from lab.postgres import Server


@pytest.mark.slow  # starts two bot processes
def test_two_workers_answer_every_question_in_order_when_one_is_killed_mid_run(
    tmp_path: Path, database_url: str, settings: IndexSettings
) -> None:
    prepare(database_url, settings)
    run = asyncio.run(run_workers(database_url, tmp_path, workers=2, questions=40, chats=8, kill=True))
    assert run.killed
    assert run.lost == 0 and run.out_of_order == 0, run.line()
    assert run.twice <= 8, run.line()  # only what the killed worker had sent but not yet marked done


@pytest.mark.slow  # starts two bot processes and restarts the session's server
def test_a_database_restart_under_load_loses_no_question_and_answers_none_twice(
    tmp_path: Path, database_url: str, settings: IndexSettings, postgres_running: Server
) -> None:
    prepare(database_url, settings)
    run = asyncio.run(
        run_workers(
            database_url,
            tmp_path,
            workers=2,
            questions=40,
            chats=8,
            kill=False,
            restart=postgres_running.restart,
        )
    )
    assert run.restarted
    assert run.lost == 0 and run.twice == 0 and run.out_of_order == 0, run.line()
