"""Likert summaries."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from surveyapp.stats import likert_summary, proportion_ci

COUNTS = {"satisfied": 30, "rather_satisfied": 41, "neutral": 12, "rather_dissatisfied": 9,
          "dissatisfied": 4, "no_answer": 3, "not_applicable": 7}
SCORES = {"satisfied": 5, "rather_satisfied": 4, "neutral": 3, "rather_dissatisfied": 2,
          "dissatisfied": 1}


def test_top2_share_mean_and_distribution() -> None:
    summary = likert_summary(COUNTS, success={"satisfied", "rather_satisfied"}, scores=SCORES,
                             excluded={"not_applicable"})
    assert summary.n == 99 and summary.excluded_count == 7  # no_answer stays in the base
    assert summary.success == proportion_ci(71, 99)
    assert summary.success_options == ("satisfied", "rather_satisfied")
    shares = {row.option: row for row in summary.distribution}
    assert shares["not_applicable"].share is None and not shares["not_applicable"].in_base
    assert shares["neutral"].share == proportion_ci(12, 99)
    answers = np.repeat([5, 4, 3, 2, 1], [30, 41, 12, 9, 4])
    mean = summary.mean
    assert mean is not None and mean.n == 96
    assert mean.estimate == pytest.approx(answers.mean())
    assert mean.sd == pytest.approx(answers.std(ddof=1))
    half = stats.t.ppf(0.975, 95) * answers.std(ddof=1) / np.sqrt(96)
    assert mean.low == pytest.approx(answers.mean() - half)
    assert mean.high == pytest.approx(answers.mean() + half)


def test_no_scores_and_no_data() -> None:
    summary = likert_summary({"yes": 0, "no": 0}, success=["yes"])
    assert summary.mean is None and summary.success.no_data
    scored = likert_summary({"yes": 0, "no": 0, "na": 2}, success=["yes"],
                            scores={"yes": 1, "no": 0})
    assert scored.mean is not None and scored.mean.no_data and scored.mean.estimate is None
    single = likert_summary({"yes": 1, "no": 0}, success=["yes"], scores={"yes": 1, "no": 0})
    assert single.mean is not None and single.mean.estimate == 1 and single.mean.low is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"success": ["great"]}, "not among"),
        ({"success": []}, "at least one"),
        ({"success": ["yes"], "excluded": ["yes"]}, "both"),
        ({"success": ["yes"], "scores": {"maybe": 1}}, "not among"),
    ],
)
def test_errors(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        likert_summary({"yes": 3, "no": 4}, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="negative"):
        likert_summary({"yes": -1}, success=["yes"])
