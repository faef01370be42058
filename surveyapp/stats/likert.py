"""Summary of one Likert-type question from its answer counts.

The base is every option not listed in ``excluded`` (e.g. "does not apply"); whether "no
answer" stays in the base is the caller's choice. Each option's share and the success share
(e.g. top-2 box) get an interval by ``proportion_ci``. The mean score uses only the options
that have a score (unscored options such as "no answer" are left out of the mean) with the
t interval mean +/- t_{n-1} s / sqrt(n), s the sample standard deviation.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from . import _dist
from ._checks import check_count, check_level
from .proportions import ProportionCI, proportion_ci


@dataclass(frozen=True, slots=True, kw_only=True)
class OptionShare:
    """One option's count and share of the base (share is None for an excluded option)."""

    option: str
    count: int
    in_base: bool
    share: ProportionCI | None


@dataclass(frozen=True, slots=True, kw_only=True)
class MeanCI:
    """Mean score with a t interval; None fields when there are too few scored answers."""

    estimate: float | None
    low: float | None
    high: float | None
    method: str
    level: float
    n: int
    sd: float | None
    no_data: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class LikertSummary:
    """Distribution, success share and (optionally) mean score of a Likert question."""

    distribution: tuple[OptionShare, ...]
    success: ProportionCI
    mean: MeanCI | None
    n: int
    excluded_count: int
    success_options: tuple[str, ...]


def likert_summary(
    counts_by_option: Mapping[str, int],
    success: Collection[str],
    scores: Mapping[str, float] | None = None,
    *,
    excluded: Collection[str] = (),
    level: float = 0.95,
    method: str = "wilson",
) -> LikertSummary:
    """Distribution, success share with interval and mean score with interval."""
    level = check_level(level)
    counts = {option: check_count(c, f"count of {option!r}") for option, c in
              counts_by_option.items()}
    for name, group in (("success", success), ("excluded", excluded)):
        unknown = [o for o in group if o not in counts]
        if unknown:
            raise ValueError(f"{name} options {unknown!r} are not among the answer options")
    if not success:
        raise ValueError("at least one success option is needed")
    overlap = set(success) & set(excluded)
    if overlap:
        raise ValueError(f"options {sorted(overlap)!r} cannot be both success and excluded")
    if scores is not None:
        unknown = [o for o in scores if o not in counts]
        if unknown:
            raise ValueError(f"scored options {unknown!r} are not among the answer options")
    n = sum(c for o, c in counts.items() if o not in excluded)
    distribution = tuple(
        OptionShare(
            option=o, count=c, in_base=o not in excluded,
            share=None if o in excluded else proportion_ci(c, n, method=method, level=level),
        )
        for o, c in counts.items()
    )
    hits = sum(counts[o] for o in success)
    mean = None if scores is None else _mean_score(counts, scores, excluded, level)
    return LikertSummary(
        distribution=distribution,
        success=proportion_ci(hits, n, method=method, level=level),
        mean=mean,
        n=n,
        excluded_count=sum(counts[o] for o in excluded),
        success_options=tuple(o for o in counts if o in success),
    )


def _mean_score(
    counts: Mapping[str, int],
    scores: Mapping[str, float],
    excluded: Collection[str],
    level: float,
) -> MeanCI:
    pairs = [(float(scores[o]), c) for o, c in counts.items() if o in scores and o not in excluded]
    if any(not math.isfinite(s) for s, _ in pairs):
        raise ValueError("scores must be finite numbers")
    n = sum(c for _, c in pairs)
    if n == 0:
        return MeanCI(estimate=None, low=None, high=None, method="t", level=level, n=0,
                      sd=None, no_data=True)
    mean = sum(s * c for s, c in pairs) / n
    if n == 1:
        return MeanCI(estimate=mean, low=None, high=None, method="t", level=level, n=1, sd=None)
    sd = math.sqrt(sum(c * (s - mean) ** 2 for s, c in pairs) / (n - 1))
    half = _dist.t_quantile(1 - (1 - level) / 2, n - 1) * sd / math.sqrt(n)
    return MeanCI(estimate=mean, low=mean - half, high=mean + half, method="t", level=level,
                  n=n, sd=sd)
