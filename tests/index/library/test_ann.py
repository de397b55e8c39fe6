"""The index-type policy: exact search while small, IVF beyond, with hysteresis and bounded training."""

from __future__ import annotations

import pytest

from index.library import DEFAULT_POLICY, FLAT, IndexPlan, IndexPolicy


@pytest.mark.parametrize(
    ("count", "kind", "nlist"),
    [
        (0, "flat", 0),
        (99_999, "flat", 0),
        (100_000, "ivf", 1265),  # 4 * sqrt(100,000)
        (400_000, "ivf", 2530),
        (1_000_000, "ivf", 3360),  # capped: 39 training points per cell within the training bound
        (10_000_000, "ivf", 3360),
    ],
)
def test_the_index_kind_follows_the_library_size(count: int, kind: str, nlist: int) -> None:
    plan = DEFAULT_POLICY.plan(count)
    assert (plan.kind, plan.nlist) == (kind, nlist)
    if kind == "ivf":
        assert plan.nprobe == 32 and plan.trained_for == count


def test_training_is_bounded_whatever_the_size() -> None:
    for count in (100_000, 10**6, 10**8):
        plan = DEFAULT_POLICY.plan(count)
        points = DEFAULT_POLICY.train_points(count, plan.nlist)
        assert points <= DEFAULT_POLICY.max_train_points
        assert points >= DEFAULT_POLICY.min_points_per_cell * plan.nlist


def test_a_small_library_never_gets_more_cells_than_it_can_train() -> None:
    policy = IndexPolicy(exact_limit=100)
    plan = policy.plan(100)
    assert plan.kind == "ivf" and plan.nlist == 100 // 39
    assert policy.train_points(100, plan.nlist) == 100


def test_hysteresis_keeps_an_index_near_its_bounds() -> None:
    policy = IndexPolicy(exact_limit=1000, retrain_factor=4)
    assert policy.keeps(FLAT, 999) and not policy.keeps(FLAT, 1000)
    ivf = policy.plan(2000)
    assert policy.keeps(ivf, 2000) and policy.keeps(ivf, 8000) and policy.keeps(ivf, 600)
    assert not policy.keeps(ivf, 8001)  # grown four times: train the cells again
    assert not policy.keeps(ivf, 499)  # under half the limit: exact again


def test_a_plan_round_trips_through_the_library_meta() -> None:
    plan = IndexPlan("ivf", nlist=1265, nprobe=16, trained_for=100_000)
    assert IndexPlan.from_json(plan.to_json()) == plan
    assert IndexPlan.from_json(FLAT.to_json()) == FLAT
    assert plan.label == "IVF 1265 cells, 16 probed" and FLAT.label == "exact"
    with pytest.raises(ValueError, match="unknown index kind"):
        IndexPlan.from_json('{"kind": "hnsw", "nlist": 0, "nprobe": 0, "trained_for": 0}')
