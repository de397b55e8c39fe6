"""The lab: measuring Sanad, and the stand-ins it is measured against. Nothing in index/ or bot/ imports it.

commands.py         `sanad eval`, `sanad calibrate`, `sanad bench`, plugged in by entry point
evaluate.py         retrieval quality per system on the seed question set and ARCD
calibrate.py        the fusion weights and "no answer" thresholds, learned from ARCD train
datasets.py         ARCD, its translations and the seed question sets
bench.py            the backends side by side with a naive baseline (cold start, memory, speed)
bench_scale.py      libraries of 10^4..10^6 sentences: add rate, search latency, recall
bench_load.py       the bot under load through the fake Bot API
bench_roundtrip.py  one question's round trip through the bot, step by step
fake_telegram.py    a Bot API server on loopback that refuses what Telegram refuses
harness.py          running the real bot against it, and reading what users would see
"""
