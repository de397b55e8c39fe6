"""The lab's commands, plugged into `sanad` through the `sanad.commands` entry point (pyproject.toml):
`sanad eval`, `sanad calibrate`, `sanad bench` and `sanad crash`. The product never imports the lab;
`index.cli` loads this entry point and calls `register` with its command factory.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from index.cli import AddCommand
from index.config import BACKENDS, IndexSettings
from index.errors import SanadError


def register(command: AddCommand) -> None:
    """Add the lab's commands to `sanad`'s parser."""
    crash = command(
        "crash",
        _crash,
        "SIGKILL the real bot at random moments while it answers and adds, restart it each time, and count"
        " what became of every question and add; then the journal's cost per update.",
    )
    crash.add_argument("--kills", type=int, default=20, help="how many times to kill it (default 20)")
    crash.add_argument("--seed", type=int, default=0, help="seed for the questions and kill moments")
    crash.add_argument("--no-chaos", action="store_true", help="no 429/5xx/dropped connections from the API")
    crash.add_argument("--keep", type=Path, help="work in this directory and keep it (logs of every run)")
    evaluate = command(
        "eval",
        _eval,
        "Measure retrieval quality per pairing on the seed question set, ARCD and a mixed English + Arabic"
        " library: e5, the weighted and the learned fusion side by side.",
    )
    evaluate.add_argument("--arcd", type=Path, help="ARCD directory (default: ../shared/data/arcd)")
    evaluate.add_argument("--limit", type=int, help="evaluate only the first N ARCD questions")
    evaluate.add_argument(
        "--questions",
        type=Path,
        action="append",
        metavar="FILE",
        help="also ask the readers' votes again: a `sanad feedback --export` JSONL file (repeatable)",
    )
    evaluate.add_argument(
        "--only-questions",
        action="store_true",
        help="evaluate only the --questions files, not the built-in sets",
    )

    calibrate = command(
        "calibrate",
        _calibrate,
        "Learn the learned fusion, its 'no answer' thresholds and the 'not sure' levels from ARCD train and"
        " the mixed set's training articles.",
    )
    calibrate.add_argument("--arcd", type=Path, help="ARCD directory (default: ../shared/data/arcd)")

    bench = command(
        "bench",
        _bench,
        "Compare the backends (torch, onnx-fp32, onnx-int8) and a naive baseline side by side: cold start,"
        " memory, query latency, indexing rate and top-1 accuracy.",
    )
    bench.add_argument(
        "--variants",
        nargs="+",
        choices=[*BACKENDS, "naive"],
        default=["torch", "onnx-fp32", "onnx-int8", "naive"],
        help="what to compare (default: all four)",
    )
    bench.add_argument("--queries", type=int, default=200, help="timed single questions each (default 200)")
    bench.add_argument(
        "--index-sentences", type=int, default=400, help="ARCD sentences embedded for the indexing rate"
    )
    bench.add_argument(
        "--arcd-questions", type=int, help="top-1 on only the first N ARCD test questions (default: all 702)"
    )
    bench.add_argument("--no-arcd", action="store_true", help="skip top-1 on ARCD test (the slowest part)")
    bench.add_argument(
        "--scale",
        type=int,
        nargs="+",
        metavar="N",
        help="instead: build libraries of N sentences (e.g. 10000 100000 1000000) and report add rate,"
        " size, memory, search latency and recall@10 beside exact search (see lab/bench_scale.py)",
    )


def _crash(args: argparse.Namespace, settings: IndexSettings) -> int:
    from lab.crash import run_crash_test

    return run_crash_test(settings, kills=args.kills, seed=args.seed, chaos=not args.no_chaos, keep=args.keep)


def _eval(args: argparse.Namespace, settings: IndexSettings) -> int:
    from lab.evaluate import run_evaluation
    from lab.feedback_eval import evaluate_votes

    if args.only_questions and not args.questions:
        raise SanadError("--only-questions needs --questions FILE (written by: sanad feedback --export FILE)")
    if not args.only_questions:
        run_evaluation(settings, arcd_dir=args.arcd, limit=args.limit)
    for path in args.questions or []:
        evaluate_votes(settings, path)
    return 0


def _calibrate(args: argparse.Namespace, settings: IndexSettings) -> int:
    from lab.calibrate import run_calibration

    run_calibration(settings, arcd_dir=args.arcd)
    return 0


def _bench(args: argparse.Namespace, settings: IndexSettings) -> int:
    if args.scale:
        from lab.bench_scale import run_scale_benchmark

        run_scale_benchmark(settings, args.scale, queries=args.queries)
        return 0
    from lab.bench import run_benchmark

    run_benchmark(
        settings,
        variants=args.variants,
        queries=args.queries,
        index_sentences=args.index_sentences,
        arcd_questions=0 if args.no_arcd else args.arcd_questions,
    )
    return 0
