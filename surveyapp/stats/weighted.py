"""Weighted proportions with a linearization variance that accounts for calibration.

For respondents i = 1..n with weights w_i, 0/1 answers y_i and base indicator b_i (1 when the
respondent is in the base of the KPI), the estimate is p = sum(w b y) / sum(w b) and its
influence values are u_i = b_i (y_i - p) / sum(w b). The variance is that of an
unstratified design, as R's survey package computes it for
``svydesign(ids = ~1, weights = ~w, fpc = ~N)``:

    V = (1 - n/N) * n / (n - 1) * sum((e_i - mean(e))^2),   e_i = w_i r_i,

where n counts every respondent (not only the base), N is the population size given as
``population`` (without it the factor 1 - n/N is 1: a with-replacement design) and r = u
without calibration; after post-stratification r_i = u_i minus the base-weighted mean of u in
i's cell (as ``postStratify`` + ``svymean``); after raking r is the residual of the
base-weighted least-squares regression of u on the indicators of every margin category (as
``calibrate(..., calfun = "raking")`` + ``svymean``; ``rake`` + ``svymean`` approximates the
same residual with ten backfitting sweeps). Weights must be finite, non-negative and not all
zero; weights from a calibration that did not meet its population totals (a ``WeightingResult``
with ``converged=False``) are refused with ``WeightingError``. All n respondents enter V, including those outside
the base (domain estimation). With the population, this is R's ``fpc=`` to the last digit; it
differs from the factor (N - n)/(N - 1) that ``proportion_ci`` applies to p(1 - p)/n (see
tools/stats_reference/README.md). At n = N (a census) V = 0 and the interval is the point p.

Intervals (df defaults to the base size minus 1, as ``degf`` in R):

* ``logit``: expit(logit(p) +/- t_df * SE / (p (1 - p))), as ``svyciprop(method = "logit")``.
* ``korn-graubard``: Clopper-Pearson on the effective sample size n* = p (1 - p) / V times
  (t_{n-1} / t_df)^2 with effective count n* p (Korn & Graubard 1998; ``svyciprop(method =
  "beta")``).
* ``wilson-neff``: the Wilson interval with n replaced by n* (normal critical value).

When p is 0 or 1 the variance is 0 and none of these is defined; the interval is then the
Korn-Graubard one on the Kish effective sample size (divided by 1 - n/N with a population)
and ``note`` says so.

Design effects: Kish's deff = 1 + CV^2 of the weights of the respondents in the base and its
effective n = n_base / deff (same base as n, so never above n: the loss of precision from
unequal weights alone); the variance-based deff = V / V_srs with V_srs = p (1 - p) / (n - 1)
(``svymean(deff = "replace")``, below 1 when the calibration gains precision); the effective
sample size n* = p (1 - p) / V (as used by Korn-Graubard, the NCHS presentation standards and
the change against a baseline), which can exceed n for the same reason.

Change against a baseline (``compare_weighted_to_baseline``) is Newcombe's hybrid score method
on effective sample sizes: with (l, u) the Wilson interval of p on n* and (l0, u0) the Wilson
interval of the baseline rate p0 on its n0,

    low  = (p - p0) - sqrt((p - l)^2 + (u0 - p0)^2)
    high = (p - p0) + sqrt((u - p)^2 + (p0 - l0)^2)

(Newcombe 1998b, method 10, with n replaced by the effective n as Korn & Graubard 1998 do
for one proportion). When n0 is unknown the baseline is a fixed value: the interval is
(l - p0, u - p0) and the p-value that of the score test with variance p0 (1 - p0) / n*.
The methods are reported as ``newcombe-neff`` and ``score-neff``; the level is the result's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import _dist
from ._checks import (
    check_choice,
    check_level,
    check_population,
    check_positive_df,
    check_weights,
)
from .proportions import ProportionCI, proportion_ci, rate_interval
from .verdicts import (
    DIRECTIONS,
    BaselineComparison,
    TargetVerdict,
    check_baseline,
    classify_change,
    classify_target,
    interpret_change,
    rate_change_interval,
)
from .weighting import Calibration, WeightingError, WeightingResult

if TYPE_CHECKING:  # numpy itself is imported in the functions: the app starts without it
    import numpy as np
    from numpy.typing import ArrayLike, NDArray

WEIGHTED_METHODS: tuple[str, ...] = ("logit", "korn-graubard", "wilson-neff")


@dataclass(frozen=True, slots=True, kw_only=True)
class WeightedProportion:
    """Weighted proportion with interval, standard error, design effects and effective n.

    ``effective_n`` is n* = p (1 - p) / V (infinite for a census); ``kish_effective_n`` is
    n / ``kish_deff`` on the same base as ``n``. ``fpc`` is the variance factor 1 - n/N
    (1 without a population), already included in ``variance`` and ``standard_error``.
    """

    estimate: float | None
    low: float | None
    high: float | None
    method: str
    level: float
    n: int
    successes: int
    standard_error: float | None
    variance: float | None
    df: float
    effective_n: float | None
    deff: float | None
    kish_deff: float | None
    kish_effective_n: float | None
    weighted_base: float
    calibrated: bool
    unweighted: ProportionCI
    population: int | None = None
    fpc: float = 1.0
    note: str | None = None
    no_data: bool = False


def weighted_proportion(
    y: ArrayLike,
    weights: ArrayLike,
    *,
    level: float = 0.95,
    method: str = "logit",
    calibration: Calibration | WeightingResult | None = None,
    in_base: ArrayLike | None = None,
    df: float | None = None,
    population: int | None = None,
) -> WeightedProportion:
    """Weighted share of y = 1 with a calibration-aware linearization variance and interval."""
    import numpy as np

    level = check_level(level)
    check_choice(method, WEIGHTED_METHODS, "method")
    values = _binary(y)
    w = check_weights(weights)
    if w.shape != values.shape:
        raise ValueError("weights must have one value per respondent")
    base = np.ones(values.shape, dtype=bool) if in_base is None else _mask(in_base, values)
    if isinstance(calibration, WeightingResult):
        if not calibration.converged:
            raise WeightingError(
                "these weights do not meet the population totals (largest margin misfit "
                f"{calibration.max_margin_error:.1%}); no estimate may be made from them"
            )
        calibration = calibration.calibration
    if calibration is not None and calibration.base_weights.shape != values.shape:
        raise ValueError("the calibration was made for a different number of respondents")
    n_all = values.size
    pop = check_population(population, n_all)
    fpc = 1.0 if pop is None else 1.0 - n_all / pop
    n_base = int(base.sum())
    successes = int(values[base].sum())
    unweighted = proportion_ci(successes, n_base, level=level)
    degrees = float(n_base - 1) if df is None else check_positive_df(df)
    total = float(w[base].sum())
    if n_base == 0 or total == 0.0:
        return WeightedProportion(
            estimate=None, low=None, high=None, method=method, level=level, n=n_base,
            successes=successes, standard_error=None, variance=None, df=degrees,
            effective_n=None, deff=None, kish_deff=None, kish_effective_n=None,
            weighted_base=total, calibrated=calibration is not None, unweighted=unweighted,
            population=pop, fpc=fpc,
            note="no respondents with positive weight in the base" if n_base else None,
            no_data=True,
        )
    p = float(np.dot(w[base], values[base]) / total)
    u = np.where(base, (values - p) / total, 0.0)
    r = u if calibration is None else calibration_residuals(u, calibration)
    e = w * r
    spread = float(n_all / (n_all - 1) * np.sum((e - e.mean()) ** 2)) if n_all > 1 else 0.0
    variance = fpc * spread
    wb = w[base]
    kish = float(n_base * np.dot(wb, wb) / total**2)
    kish_n = n_base / kish
    note: str | None = None
    deff: float | None = None
    if fpc == 0.0:
        used, effective_n, low, high = method, math.inf, p, p
        deff = 0.0 if n_base > 1 else None
        note = "census: every member of the population answered, no sampling error"
    elif p in (0.0, 1.0) or variance <= 0.0:
        used, effective_n = "korn-graubard", kish_n / fpc
        low, high = rate_interval(p, effective_n, level, "clopper-pearson")
        note = "estimate at 0 or 1: Korn-Graubard interval on the Kish effective n"
    else:
        used = method
        effective_n = p * (1 - p) / variance
        deff = variance * (n_base - 1) / (p * (1 - p)) if n_base > 1 else None
        low, high = _interval(p, variance, effective_n, n_base, degrees, level, method)
    return WeightedProportion(
        estimate=p, low=low, high=high, method=used, level=level, n=n_base,
        successes=successes, standard_error=math.sqrt(variance), variance=variance,
        df=degrees, effective_n=effective_n, deff=deff, kish_deff=kish,
        kish_effective_n=kish_n, weighted_base=total, calibrated=calibration is not None,
        unweighted=unweighted, population=pop, fpc=fpc, note=note,
    )


def compare_weighted_to_baseline(
    result: WeightedProportion,
    *,
    baseline_rate: float,
    baseline_n: int | None = None,
    direction: str | None = None,
) -> BaselineComparison:
    """Change of a weighted rate against a baseline: Newcombe on effective sample sizes."""
    p0 = check_baseline(baseline_rate, baseline_n, direction)
    treated_as = "fixed" if baseline_n is None else "sample"
    method = "score-neff" if baseline_n is None else "newcombe-neff"
    p, n_eff = result.estimate, result.effective_n
    if result.no_data or p is None or n_eff is None:
        return BaselineComparison(
            estimate=None, low=None, high=None, method=method, level=result.level, n=result.n,
            successes=result.successes, current_rate=None, baseline_rate=p0,
            baseline_n=baseline_n, baseline_treated_as=treated_as, change=None,
            assessment=None, direction=direction, p_value=None, population=result.population,
            no_data=True,
        )
    low, high, p_value = rate_change_interval(p, n_eff, p0, baseline_n, result.level)
    change = classify_change(low, high)
    return BaselineComparison(
        estimate=p - p0, low=low, high=high, method=method, level=result.level, n=result.n,
        successes=result.successes, current_rate=p, baseline_rate=p0, baseline_n=baseline_n,
        baseline_treated_as=treated_as, change=change,
        assessment=None if direction is None else interpret_change(change, direction),
        direction=direction, p_value=p_value, population=result.population, effective_n=n_eff,
    )


def weighted_target_verdict(
    y: ArrayLike,
    weights: ArrayLike,
    *,
    target: float,
    direction: str = "up",
    level: float = 0.95,
    method: str = "logit",
    calibration: Calibration | WeightingResult | None = None,
    in_base: ArrayLike | None = None,
    population: int | None = None,
) -> TargetVerdict:
    """Target verdict for a weighted rate; one-sided bound = two-sided bound at 2*level - 1."""
    level = check_level(level)
    if level <= 0.5:
        raise ValueError("level for a target verdict must be above 0.5")
    if not 0.0 < float(target) < 1.0:
        raise ValueError(f"target must be strictly between 0 and 1, got {target!r}")
    check_choice(direction, DIRECTIONS, "direction")
    two, one = (
        weighted_proportion(
            y, weights, level=lv, method=method, calibration=calibration, in_base=in_base,
            population=population,
        )
        for lv in (level, 2 * level - 1)
    )
    if two.no_data or two.low is None or two.high is None or one.low is None or one.high is None:
        return TargetVerdict(
            verdict=None, estimate=None, low=None, high=None, bound=None, p_value=None,
            target=float(target), direction=direction, method=method, level=level, n=two.n,
            successes=two.successes, population=two.population, no_data=True,
        )
    bound = one.high if direction == "down" else one.low
    verdict = classify_target(
        bound=bound, low=two.low, high=two.high, target=float(target), direction=direction
    )
    return TargetVerdict(
        verdict=verdict, estimate=two.estimate, low=two.low, high=two.high, bound=bound,
        p_value=None, target=float(target), direction=direction, method=two.method,
        level=level, n=two.n, successes=two.successes, population=two.population,
    )


def calibration_residuals(values: ArrayLike, calibration: Calibration) -> _dist.FloatArray:
    """Residuals of values after the base-weighted regression on the calibration categories."""
    import numpy as np

    u = np.asarray(values, dtype=np.float64)
    d = calibration.base_weights
    if u.shape != d.shape:
        raise ValueError("values must have one entry per calibrated respondent")
    if not np.all(np.isfinite(u)):
        raise ValueError("values must be finite (no NaN or infinity)")
    if len(calibration.groupings) == 1:
        codes = calibration.groupings[0]
        size = int(codes.max()) + 1
        sums = np.bincount(codes, weights=d * u, minlength=size)
        mass = np.bincount(codes, weights=d, minlength=size)
        with np.errstate(divide="ignore", invalid="ignore"):
            means = np.where(mass > 0, sums / mass, 0.0)
        return u - means[codes]
    columns = [int(codes.max()) + 1 for codes in calibration.groupings]
    design = np.zeros((u.size, sum(columns)), dtype=np.float64)
    rows = np.arange(u.size)
    offset = 0
    for codes, width in zip(calibration.groupings, columns, strict=True):
        design[rows, offset + codes] = 1.0
        offset += width
    root = np.sqrt(d)
    coef, *_ = np.linalg.lstsq(design * root[:, None], u * root, rcond=None)
    return np.asarray(u - design @ coef, dtype=np.float64)


def _interval(
    p: float, variance: float, n_eff: float, n: int, df: float, level: float, method: str
) -> tuple[float, float]:
    alpha = 1.0 - level
    if method == "logit":
        half = _dist.t_quantile(1 - alpha / 2, df) * math.sqrt(variance) / (p * (1 - p))
        centre = math.log(p / (1 - p))
        return _expit(centre - half), _expit(centre + half)
    if method == "korn-graubard":
        if n > 1:
            ratio = _dist.t_quantile(alpha / 2, n - 1) / _dist.t_quantile(alpha / 2, df)
            n_eff *= ratio * ratio
        return rate_interval(p, n_eff, level, "clopper-pearson")
    return rate_interval(p, n_eff, level, "wilson")


def _expit(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def _binary(y: ArrayLike) -> _dist.FloatArray:
    import numpy as np

    values = np.asarray(y)
    if values.ndim != 1:
        raise ValueError("y must be one-dimensional")
    as_float = values.astype(np.float64)
    if not np.all((as_float == 0.0) | (as_float == 1.0)):
        raise ValueError("y must contain only 0/1 (or False/True) values; use in_base for gaps")
    return as_float


def _mask(in_base: ArrayLike, values: _dist.FloatArray) -> NDArray[np.bool_]:
    import numpy as np

    mask = np.asarray(in_base)
    if mask.shape != values.shape or mask.dtype != np.bool_:
        raise ValueError("in_base must be a boolean array with one value per respondent")
    return mask
