"""Generate reference fixtures for surveyapp.stats from independent implementations.

Run from the repository root with a Python that has statsmodels (see README.md):

    python tools/stats_reference/make_reference.py

It writes, under tests/stats/fixtures/:

* statsmodels_reference.json - single-proportion intervals (statsmodels.stats.proportion.
  proportion_confint) and Newcombe differences (confint_proportions_2indep, compare="diff",
  method="newcomb");
* weighting_data.json - a synthetic respondent file (fixed seed) with population totals for
  age band x gender (and an area margin), the input of survey_reference.R.

This script is not part of the test suite and does not import surveyapp.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import statsmodels
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "stats" / "fixtures"
SEED = 20250401

# statsmodels method name -> surveyapp.stats method name
METHODS = {
    "wilson": "wilson",
    "beta": "clopper-pearson",
    "jeffreys": "jeffreys",
    "agresti_coull": "agresti-coull",
    "normal": "wald",
}
LEVELS = (0.90, 0.95, 0.99)


def single_cases() -> list[tuple[int, int]]:
    cases = [(81, 263), (15, 148), (0, 20), (1, 29)]  # Newcombe (1998a)
    cases += [(x, n) for n in range(1, 6) for x in range(n + 1)]  # tiny n
    cases += [(0, n) for n in (10, 50, 1000)] + [(n, n) for n in (10, 50, 1000)]
    cases += [(x, 100_000) for x in (0, 1, 28_400, 50_000, 99_999, 100_000)]
    cases += [(79, 100), (42, 120), (22, 60), (3, 40)]  # KPI-like
    return cases


DIFFERENCE_CASES = [
    (56, 70, 48, 80),  # Newcombe (1998b) examples (a)-(f)
    (9, 10, 3, 10),
    (6, 7, 2, 7),
    (5, 56, 0, 29),
    (0, 10, 0, 20),
    (10, 10, 0, 20),
    (81, 100, 158, 200),
    (30, 100, 28, 100),
    (1, 3, 2, 5),
    (0, 1, 1, 1),
    (28_400, 100_000, 27_900, 100_000),
]


def make_statsmodels_reference() -> dict[str, object]:
    singles = []
    for x, n in single_cases():
        for sm_name, method in METHODS.items():
            for level in LEVELS:
                low, high = proportion_confint(x, n, alpha=1 - level, method=sm_name)
                singles.append({
                    "successes": x, "n": n, "method": method, "statsmodels_method": sm_name,
                    "level": level, "low": float(low), "high": float(high),
                })
    differences = []
    for x1, n1, x2, n2 in DIFFERENCE_CASES:
        for level in LEVELS:
            low, high = confint_proportions_2indep(
                x1, n1, x2, n2, method="newcomb", compare="diff", alpha=1 - level
            )
            differences.append({
                "x1": x1, "n1": n1, "x2": x2, "n2": n2, "level": level,
                "low": float(low), "high": float(high),
            })
    return {
        "generator": "tools/stats_reference/make_reference.py",
        "statsmodels_version": statsmodels.__version__,
        "single": singles,
        "difference": differences,
    }


AGE_BANDS = ("18_29", "30_39", "40_49", "50_59", "60_69", "70_plus")
GENDERS = ("male", "female")
# Plausible adult population of a city of ~145,000 residents (about 120,000 aged 18+).
POPULATION = {
    ("18_29", "male"): 8_900, ("18_29", "female"): 8_300,
    ("30_39", "male"): 7_600, ("30_39", "female"): 7_300,
    ("40_49", "male"): 10_200, ("40_49", "female"): 9_900,
    ("50_59", "male"): 9_800, ("50_59", "female"): 9_700,
    ("60_69", "male"): 8_700, ("60_69", "female"): 9_000,
    ("70_plus", "male"): 13_600, ("70_plus", "female"): 17_300,
}
AREAS = {"north": 40_100, "central": 45_200, "south": 35_000}


def make_weighting_data() -> dict[str, object]:
    rng = np.random.default_rng(SEED)
    n = 420
    cells = list(POPULATION)
    # Older residents answer more often: response propensity rises with the age band.
    propensity = np.array([0.6, 0.7, 0.8, 1.0, 1.3, 1.5])
    share = np.array([POPULATION[c] * propensity[AGE_BANDS.index(c[0])] for c in cells])
    drawn = rng.choice(len(cells), size=n, p=share / share.sum())
    # Guarantee every cell has respondents (the test of empty cells builds its own data).
    drawn[: len(cells)] = np.arange(len(cells))
    rng.shuffle(drawn)
    age = [cells[i][0] for i in drawn]
    gender = [cells[i][1] for i in drawn]
    area_names = list(AREAS)
    area_p = np.array(list(AREAS.values()), dtype=float)
    area = [area_names[i] for i in rng.choice(3, size=n, p=area_p / area_p.sum())]
    age_idx = np.array([AGE_BANDS.index(a) for a in age])
    satisfied_p = np.array([0.45, 0.40, 0.33, 0.27, 0.20, 0.14])[age_idx]
    satisfied_p = satisfied_p + np.where(np.array(gender) == "female", -0.03, 0.03)
    satisfied = (rng.random(n) < satisfied_p).astype(int)
    uses_transit = (rng.random(n) < np.where(age_idx >= 4, 0.55, 0.35)).astype(int)
    dissatisfied = ((rng.random(n) < 0.25) & (uses_transit == 1)).astype(int)
    return {
        "generator": "tools/stats_reference/make_reference.py",
        "seed": SEED,
        "respondents": {
            "age": age, "gender": gender, "area": area,
            "satisfied": satisfied.tolist(), "uses_transit": uses_transit.tolist(),
            "transit_dissatisfied": dissatisfied.tolist(),
        },
        "population": {
            "cells": [
                {"age": a, "gender": g, "total": POPULATION[(a, g)]} for a, g in POPULATION
            ],
            "age": {a: sum(POPULATION[(a, g)] for g in GENDERS) for a in AGE_BANDS},
            "gender": {g: sum(POPULATION[(a, g)] for a in AGE_BANDS) for g in GENDERS},
            "area": AREAS,
        },
    }


def write(name: str, payload: dict[str, object]) -> None:
    FIXTURES.mkdir(parents=True, exist_ok=True)
    path = FIXTURES / name
    path.write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {path.relative_to(ROOT)}")


def main() -> None:
    write("statsmodels_reference.json", make_statsmodels_reference())
    write("weighting_data.json", make_weighting_data())


if __name__ == "__main__":
    main()
