"""Stratified SRS without replacement: allocation checked against an independent computation,
reproducible from the seed, another seed another sample, every unit equally likely."""

from __future__ import annotations

from collections import Counter
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from surveyapp.stats.sampling import (
    allocate_fixed,
    allocate_proportional,
    draw_stratified,
    serial_order,
)


def hamilton(sizes: list[int], n: int) -> list[int]:
    """Largest remainder, written independently with exact fractions."""
    total = sum(sizes)
    quotas = [Fraction(n * s, total) for s in sizes]
    base = [q.numerator // q.denominator for q in quotas]
    rest = n - sum(base)
    ranked = sorted(range(len(sizes)), key=lambda h: (quotas[h] - base[h], sizes[h], -h), reverse=True)
    for h in ranked[:rest]:
        base[h] += 1
    return base


def test_a_worked_example() -> None:
    # N = 3000; n = 600 → quotas 120.6, 179.8, 299.6 → floors 120, 179, 299 (598), two more
    # to the largest remainders .8 and .6 (tie .6/.6 → the larger stratum 1498 first).
    assert allocate_proportional([603, 899, 1498], 600) == (120, 180, 300)


@given(st.lists(st.integers(0, 5000), min_size=1, max_size=40), st.data())
def test_proportional_allocation_matches_an_independent_computation(sizes: list[int], data: st.DataObject) -> None:
    total = sum(sizes)
    n = data.draw(st.integers(0, total))
    if total == 0:
        assert allocate_proportional(sizes, n) == tuple([0] * len(sizes))
        return
    allocation = allocate_proportional(sizes, n)
    assert list(allocation) == hamilton(sizes, n)
    assert sum(allocation) == n
    for size, got in zip(sizes, allocation, strict=True):
        assert got <= size and abs(got - Fraction(n * size, total)) < 1


def test_fixed_allocation_takes_small_strata_whole() -> None:
    assert allocate_fixed([100, 30, 50], 40) == (40, 30, 40)


def test_n_larger_than_the_frame_is_refused() -> None:
    with pytest.raises(ValueError):
        allocate_proportional([10, 10], 21)


STRATA = [[f"a{i}" for i in range(400)], [f"b{i}" for i in range(250)], [f"c{i}" for i in range(50)]]


def test_same_seed_same_sample_whatever_the_row_order() -> None:
    allocation = allocate_proportional([len(s) for s in STRATA], 140)
    first = draw_stratified(STRATA, allocation, "20260401")
    shuffled = [list(reversed(s)) for s in STRATA]
    assert draw_stratified(shuffled, allocation, "20260401") == first
    assert [len(s) for s in first] == list(allocation) == [80, 50, 10]
    for units, drawn in zip(STRATA, first, strict=True):
        assert set(drawn) <= set(units) and len(set(drawn)) == len(drawn)


def test_another_seed_another_sample() -> None:
    allocation = allocate_proportional([len(s) for s in STRATA], 140)
    assert draw_stratified(STRATA, allocation, "1") != draw_stratified(STRATA, allocation, "2")


def test_every_unit_is_equally_likely() -> None:
    units = [f"u{i}" for i in range(20)]
    counts: Counter[str] = Counter()
    draws = 2000
    for seed in range(draws):
        counts.update(draw_stratified([units], [5], str(seed))[0])
    expected = draws * 5 / 20
    # Binomial(2000, 0.25): sd ≈ 19.4; 5 sd either way would fail far less than once in a million.
    assert all(abs(count - expected) < 5 * 19.4 for count in counts.values()), counts


def test_serial_numbers_do_not_follow_the_frame_order() -> None:
    units = [f"u{i:03d}" for i in range(100)]
    order = serial_order("7", units)
    assert sorted(order) == units and order != units and order == serial_order("7", list(reversed(units)))
