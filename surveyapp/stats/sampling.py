"""Stratified simple random sampling without replacement, reproducible from a seed.

Allocation of n over strata of sizes N_h (N = sum N_h):

* ``allocate_proportional``: quota q_h = n N_h / N; every stratum gets floor(q_h), and the
  n - sum floor(q_h) units left go one each to the strata with the largest remainders
  q_h - floor(q_h) (Hamilton's largest-remainder method); ties go to the larger stratum, then
  to the earlier one. So sum n_h = n exactly, |n_h - q_h| < 1 and n_h <= N_h.
* ``allocate_fixed``: n_h = min(k, N_h) — a stratum smaller than k is taken whole.

Selection within a stratum (``draw_stratified``): every unit gets the key
SHA-256("<seed>:<unit id>") read as a 256-bit number, and the n_h units with the smallest keys
are drawn. The keys behave as independent uniform numbers, so every subset of n_h units is
equally likely: a simple random sample without replacement. The same frame and seed give the
same sample whatever the order of the rows, on any machine and library version, and anyone can
recompute it with a few lines in any language; another seed gives another sample.

``serial_order`` numbers the drawn units in the order of SHA-256("<seed>:serial:<unit id>"),
so serial numbers say nothing about a unit's place in the frame.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from ._checks import check_count


def _sizes(sizes: Sequence[int]) -> list[int]:
    checked = [check_count(size, "stratum size") for size in sizes]
    if not checked:
        raise ValueError("there are no strata")
    return checked


def allocate_proportional(sizes: Sequence[int], n: int) -> tuple[int, ...]:
    """Proportional allocation of n, rounded by the largest-remainder method."""
    counts = _sizes(sizes)
    n = check_count(n, "n")
    total = sum(counts)
    if n > total:
        raise ValueError(f"n ({n}) exceeds the frame ({total})")
    if total == 0:
        return tuple(0 for _ in counts)
    # Exact integer arithmetic: quota_h = n N_h / N as (floor, remainder numerator).
    floors = [n * size // total for size in counts]
    remainders = [n * size % total for size in counts]
    left = n - sum(floors)
    order = sorted(range(len(counts)), key=lambda h: (-remainders[h], -counts[h], h))
    for h in order[:left]:
        floors[h] += 1
    return tuple(floors)


def allocate_fixed(sizes: Sequence[int], per_stratum: int) -> tuple[int, ...]:
    """The same n in every stratum (all of a stratum that has fewer units)."""
    counts = _sizes(sizes)
    k = check_count(per_stratum, "per_stratum")
    return tuple(min(k, size) for size in counts)


def selection_key(seed: str, unit_id: str) -> int:
    """The random key of a unit: SHA-256 of "<seed>:<unit id>" (UTF-8) as an integer."""
    digest = hashlib.sha256(f"{seed}:{unit_id}".encode()).digest()
    return int.from_bytes(digest, "big")


def draw_stratified(strata: Sequence[Sequence[str]], allocation: Sequence[int],
                    seed: str) -> tuple[tuple[str, ...], ...]:
    """Per stratum, the n_h unit ids with the smallest keys (ids must be unique overall)."""
    if len(strata) != len(allocation):
        raise ValueError("one allocation per stratum is needed")
    if not str(seed):
        raise ValueError("a seed is needed")
    seen: set[str] = set()
    drawn = []
    for units, size in zip(strata, allocation, strict=True):
        size = check_count(size, "allocation")
        if size > len(units):
            raise ValueError(f"cannot draw {size} from a stratum of {len(units)}")
        for unit in units:
            if unit in seen:
                raise ValueError(f"unit id {unit!r} appears twice")
            seen.add(unit)
        ranked = sorted(units, key=lambda unit: (selection_key(seed, unit), unit))
        drawn.append(tuple(sorted(ranked[:size])))
    return tuple(drawn)


def serial_order(seed: str, unit_ids: Sequence[str]) -> list[str]:
    """The drawn units in serial-number order (1, 2, …)."""
    return sorted(unit_ids, key=lambda unit: (selection_key(f"{seed}:serial", unit), unit))
