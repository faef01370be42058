"""Reference values for the weighted change against a baseline (Newcombe on effective sizes).

Run from the repository root after survey_reference.R, with a Python that has statsmodels
(see README.md):

    python tools/stats_reference/weighted_change_reference.py

For every design of tests/stats/fixtures/r_survey_reference.json (with and without a finite
population correction) and both estimates (the whole sample and the domain of transit users)
it takes R's weighted mean m and standard error se, forms the effective sample size
n* = m (1 - m) / se^2 and asks statsmodels for

* the difference m - p0 against a baseline sample (x0 of n0): ``confint_proportions_2indep``
  (compare="diff", method="newcomb") with the fractional count m n* of n*;
* the change against a fixed baseline p0: the Wilson interval ``proportion_confint``
  (method="wilson") of m n* of n*, minus p0, and the score test ``proportions_ztest`` with
  prop_var = p0.

It writes tests/stats/fixtures/weighted_change_reference.json. It is not part of the test
suite and does not import surveyapp.
"""

from __future__ import annotations

import json
from pathlib import Path

import statsmodels
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_confint,
    proportions_ztest,
)

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "stats" / "fixtures"
LEVELS = (0.90, 0.95, 0.99)
# (baseline rate, baseline n or None for a fixed baseline)
BASELINES = ((0.284, 1000), (0.22, 350), (0.30, 60), (0.25, None), (0.32, None))


def cases(reference: dict[str, dict[str, dict[str, object]]], group: str) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for design, entry in reference[group].items():
        for variable in ("satisfied", "transit_dissatisfied_among_users"):
            stats = entry[variable]
            mean, se = float(stats["mean"]), float(stats["se"])
            n_eff = mean * (1 - mean) / se**2
            for p0, n0 in BASELINES:
                for level in LEVELS:
                    alpha = 1 - level
                    row: dict[str, object] = {
                        "group": group, "design": design, "variable": variable,
                        "level": level, "baseline_rate": p0, "baseline_n": n0,
                        "mean": mean, "se": se, "effective_n": n_eff,
                    }
                    if n0 is None:
                        low, high = proportion_confint(mean * n_eff, n_eff, alpha=alpha,
                                                       method="wilson")
                        _, p_value = proportions_ztest(mean * n_eff, n_eff, value=p0,
                                                       prop_var=p0)
                        row.update(low=float(low) - p0, high=float(high) - p0,
                                   p_value=float(p_value))
                    else:
                        low, high = confint_proportions_2indep(
                            mean * n_eff, n_eff, p0 * n0, n0, method="newcomb",
                            compare="diff", alpha=alpha,
                        )
                        row.update(low=float(low), high=float(high), p_value=None)
                    rows.append(row)
    return rows


def main() -> None:
    source = FIXTURES / "r_survey_reference.json"
    reference = json.loads(source.read_text(encoding="utf-8"))
    payload = {
        "generator": "tools/stats_reference/weighted_change_reference.py",
        "statsmodels_version": statsmodels.__version__,
        "input": {"file": "r_survey_reference.json", "r_version": reference["r_version"],
                  "survey_version": reference["survey_version"]},
        "cases": cases(reference, "weighting") + cases(reference, "weighting_fpc"),
    }
    path = FIXTURES / "weighted_change_reference.json"
    path.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
