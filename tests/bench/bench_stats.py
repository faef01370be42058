"""Benchmark of the statistics core; a plain script, not collected by pytest.

    python -m tests.bench.bench_stats

Times 100,000 Wilson intervals vectorised against a scalar loop measured in the same run,
and raking 100,000 respondents to three margins (plus the calibrated variance).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from surveyapp.stats import proportion_ci, rake, weighted_proportion, wilson_interval_array

N_INTERVALS = 100_000
N_RESPONDENTS = 100_000
SEED = 12345


def best_of(repeats: int, run: Callable[[], object]) -> float:
    """Fastest wall time of `repeats` runs, in seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def bench_wilson() -> None:
    rng = np.random.default_rng(SEED)
    n = rng.integers(1, 2_000, size=N_INTERVALS)
    x = rng.integers(0, n + 1)
    pairs = list(zip(x.tolist(), n.tolist(), strict=True))

    vector = best_of(5, lambda: wilson_interval_array(x, n, 0.95))
    scalar = best_of(1, lambda: [proportion_ci(a, b) for a, b in pairs])

    arrays = wilson_interval_array(x, n, 0.95)
    check = [proportion_ci(a, b) for a, b in pairs[:1000]]
    worst = max(abs(arrays.low[i] - (c.low or 0.0)) for i, c in enumerate(check))
    print(f"Wilson intervals: {N_INTERVALS:,}")
    print(f"  vectorised (wilson_interval_array): {vector * 1e3:9.2f} ms")
    print(f"  scalar loop (proportion_ci):        {scalar * 1e3:9.2f} ms")
    print(f"  speed-up: {scalar / vector:,.0f}x   max |difference| on 1,000: {worst:.1e}")


def bench_rake() -> None:
    rng = np.random.default_rng(SEED)
    ages = ["18_29", "30_39", "40_49", "50_59", "60_69", "70_plus"]
    areas = [f"area_{i:02d}" for i in range(10)]
    # Older, female and central respondents over-represented, as in a mailed survey.
    age = rng.choice(ages, size=N_RESPONDENTS, p=[0.08, 0.10, 0.15, 0.18, 0.22, 0.27])
    gender = rng.choice(["male", "female"], size=N_RESPONDENTS, p=[0.45, 0.55])
    area_p = np.linspace(1.5, 0.5, len(areas))
    area = rng.choice(areas, size=N_RESPONDENTS, p=area_p / area_p.sum())
    total = 120_300.0
    margins = {
        "age": dict(zip(ages, total * np.array([0.143, 0.124, 0.167, 0.162, 0.147, 0.257]),
                        strict=True)),
        "gender": {"male": total * 0.489, "female": total * 0.511},
        "area": {a: total / len(areas) for a in areas},
    }
    sample = {"age": age.tolist(), "gender": gender.tolist(), "area": area.tolist()}

    results = []
    elapsed = best_of(3, lambda: results.append(rake(sample, margins)))
    weighting = results[-1]
    y = (rng.random(N_RESPONDENTS) < 0.3).astype(int)
    variance = best_of(3, lambda: weighted_proportion(y, weighting.weights,
                                                      calibration=weighting))
    print(f"rake(): {N_RESPONDENTS:,} respondents x 3 margins (6 + 2 + 10 categories)")
    print(f"  time: {elapsed * 1e3:9.2f} ms   iterations: {weighting.iterations}   "
          f"converged: {weighting.converged}   max margin error: "
          f"{weighting.max_margin_error:.1e}")
    print(f"  per iteration: {elapsed / weighting.iterations * 1e3:.2f} ms   "
          f"Kish deff: {weighting.kish_deff:.3f}")
    print(f"  weighted_proportion with the raking variance: {variance * 1e3:9.2f} ms")


def main() -> None:
    bench_wilson()
    print()
    bench_rake()


if __name__ == "__main__":
    main()
