"""Calibration weights: post-stratification to cell totals and raking to margins.

``poststratify`` gives every respondent in cell h the weight d_i * N_h / sum_{j in h} d_j
(d = base weights, 1 by default). ``rake`` runs iterative proportional fitting over the
margins until every margin total is matched within `tol` (relative). Both return the weights
with a ``Calibration`` that ``weighted_proportion`` uses for a linearization variance that
accounts for the calibration (see ``weighted.py``).

Weights that do not meet the population totals are never returned: when raking ends with a
margin further than `tol` from its total (conflicting margins, or a category whose
respondents all fall in a category of another margin that is already full), ``rake`` raises
``CalibrationError`` naming the margin and category with the largest misfit. The unconverged
result is kept on the exception for diagnosis only.

Weights (``kish_design_effect``, base weights) must be finite and non-negative with at least
one positive; anything else is a ValueError (``WeightingError`` for base weights), never NaN.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from ._checks import check_weights

if TYPE_CHECKING:  # numpy itself is imported in the functions: the app starts without it
    import numpy as np
    from numpy.typing import ArrayLike, NDArray

    from ._dist import FloatArray

    IntArray = NDArray[np.intp]

_T = TypeVar("_T", bound="np.generic")


class WeightingError(ValueError):
    """Weights cannot be built from this sample and these population totals."""


class EmptyCellError(WeightingError):
    """A population cell or margin category has no respondents."""

    def __init__(self, cell: Hashable, *, variable: str | None = None, total: float = 0.0):
        self.cell = cell
        self.variable = variable
        self.total = total
        where = f"category {cell!r} of {variable!r}" if variable else f"population cell {cell!r}"
        super().__init__(
            f"{where} (population {total:g}) has no respondents; collapse it with a "
            "neighbouring cell (for example merge adjacent age bands)"
            + ("" if variable else " or rake on the margins instead")
        )


class UnknownCellError(WeightingError):
    """A respondent's label has no population total."""

    def __init__(self, cell: Hashable, *, variable: str | None = None):
        self.cell = cell
        self.variable = variable
        where = f" of {variable!r}" if variable else ""
        super().__init__(f"sample label {cell!r}{where} has no population total")


class CalibrationError(WeightingError):
    """Raking ended without meeting every population margin: these weights must not be used.

    ``variable`` and ``category`` name the margin total missed by the largest relative amount,
    ``achieved`` is the weighted total reached, ``target`` the population total and ``misfit``
    the relative difference |achieved - target| / target. ``result`` holds the unconverged
    weights for diagnosis only.
    """

    def __init__(
        self,
        *,
        variable: str,
        category: Hashable,
        target: float,
        achieved: float,
        misfit: float,
        iterations: int,
        result: WeightingResult,
    ):
        self.variable = variable
        self.category = category
        self.target = target
        self.achieved = achieved
        self.misfit = misfit
        self.iterations = iterations
        self.result = result
        super().__init__(
            f"raking did not meet the population margins after {iterations} iterations: "
            f"category {category!r} of {variable!r} has a weighted total of {achieved:,.1f} "
            f"against a population of {target:,.1f} (off by {misfit:.2%}); these weights must "
            "not be used: merge thin categories (for example adjacent age bands) or check "
            "the population table"
        )


@dataclass(frozen=True, slots=True, eq=False)
class Calibration:
    """What the weights were calibrated to: per grouping, each respondent's category code."""

    kind: str
    names: tuple[str, ...]
    groupings: tuple[IntArray, ...]
    base_weights: FloatArray


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class WeightingResult:
    """Calibrated weights (read-only array) with a convergence report and Kish summaries."""

    weights: FloatArray
    calibration: Calibration
    method: str
    iterations: int
    max_change: float
    max_margin_error: float
    converged: bool
    n: int
    population_total: float
    kish_deff: float
    kish_effective_n: float


def kish_design_effect(weights: ArrayLike) -> float:
    """Kish's design effect 1 + CV^2 = n sum(w^2) / (sum w)^2 of valid weights (>= 1)."""
    import numpy as np

    w = check_weights(weights)
    return float(w.size * np.dot(w, w) / w.sum() ** 2)


def poststratify(
    cells: Sequence[Hashable],
    population_totals: Mapping[Hashable, float],
    *,
    base_weights: ArrayLike | None = None,
) -> WeightingResult:
    """Post-stratification weights: each respondent's cell is scaled to its population total."""
    import numpy as np

    totals = _check_totals(population_totals, None)
    codes = _encode(cells, totals, None)
    base = _base_weights(base_weights, len(codes))
    labels = list(totals)
    target = np.array([totals[k] for k in labels], dtype=np.float64)
    sums = np.bincount(codes, weights=base, minlength=len(labels)).astype(np.float64)
    counts = np.bincount(codes, minlength=len(labels))
    _check_cells(labels, target, counts, sums, None)
    with np.errstate(divide="ignore", invalid="ignore"):
        factors = np.where(sums > 0, target / sums, 0.0)
    weights = base * factors[codes]
    calibration = Calibration(
        kind="poststratify", names=("cell",), groupings=(_frozen(codes),),
        base_weights=_frozen(base),
    )
    return _result(weights, calibration, "poststratify", 1, 0.0, 0.0, True)


def rake(
    sample: Mapping[str, Sequence[Hashable]],
    margins: Mapping[str, Mapping[Hashable, float]],
    *,
    max_iter: int = 100,
    tol: float = 1e-8,
    base_weights: ArrayLike | None = None,
) -> WeightingResult:
    """Raking (iterative proportional fitting) to margins; CalibrationError if they are not met."""
    import numpy as np

    if not sample:
        raise WeightingError("rake needs at least one margin")
    if set(sample) != set(margins):
        raise WeightingError(
            f"sample variables {sorted(sample)} and margins {sorted(margins)} differ"
        )
    if isinstance(max_iter, bool) or not isinstance(max_iter, int) or max_iter < 1:
        raise ValueError(f"max_iter must be a whole number of at least 1, got {max_iter!r}")
    if isinstance(tol, bool) or not isinstance(tol, (int, float)) or not 0.0 < tol < 1.0:
        raise ValueError(f"tol must be a number between 0 and 1, got {tol!r}")
    names = tuple(sample)
    lengths = {len(sample[name]) for name in names}
    if len(lengths) != 1:
        raise WeightingError("every sample variable needs one label per respondent")
    base = _base_weights(base_weights, lengths.pop())
    groupings: list[IntArray] = []
    targets: list[FloatArray] = []
    grand_totals: list[float] = []
    for name in names:
        totals = _check_totals(margins[name], name)
        labels = list(totals)
        codes = _encode(sample[name], totals, name)
        target = np.array([totals[k] for k in labels], dtype=np.float64)
        counts = np.bincount(codes, minlength=len(labels))
        sums = np.bincount(codes, weights=base, minlength=len(labels)).astype(np.float64)
        _check_cells(labels, target, counts, sums, name)
        groupings.append(codes)
        targets.append(target)
        grand_totals.append(float(target.sum()))
    if max(grand_totals) - min(grand_totals) > 1e-9 * max(grand_totals):
        shown = ", ".join(f"{n}: {t:g}" for n, t in zip(names, grand_totals, strict=True))
        raise WeightingError(f"margins disagree on the population total ({shown})")

    weights = base.copy()
    iterations = 0
    max_change = math.inf
    error = math.inf
    misfit = (math.inf, 0, 0, math.nan)
    for iterations in range(1, max_iter + 1):  # noqa: B007 - reported after the loop
        previous = weights.copy()
        for codes, target in zip(groupings, targets, strict=True):
            sums = np.bincount(codes, weights=weights, minlength=target.size).astype(np.float64)
            with np.errstate(divide="ignore", invalid="ignore"):
                factors = np.where(sums > 0, target / sums, 0.0)
            weights *= factors[codes]
        with np.errstate(divide="ignore", invalid="ignore"):
            change = np.abs(weights / previous - 1.0)
        max_change = float(np.max(change, where=previous > 0, initial=0.0))
        misfit = _worst_margin(weights, groupings, targets)
        error = misfit[0]
        if error <= tol:
            break
    calibration = Calibration(
        kind="rake", names=names, groupings=tuple(_frozen(c) for c in groupings),
        base_weights=_frozen(base),
    )
    result = _result(weights, calibration, "rake", iterations, max_change, error, error <= tol)
    if not result.converged:
        _, which, code, achieved = misfit
        target = targets[which]
        raise CalibrationError(
            variable=names[which], category=list(margins[names[which]])[code],
            target=float(target[code]), achieved=achieved, misfit=error,
            iterations=iterations, result=result,
        )
    return result


def _worst_margin(
    weights: FloatArray, groupings: Sequence[IntArray], targets: Sequence[FloatArray]
) -> tuple[float, int, int, float]:
    """(largest relative misfit, margin index, category code, weighted total there)."""
    import numpy as np

    worst = (0.0, 0, 0, 0.0)
    for which, (codes, target) in enumerate(zip(groupings, targets, strict=True)):
        sums = np.bincount(codes, weights=weights, minlength=target.size)
        scale = np.where(target > 0, target, 1.0)
        errors = np.abs(sums - target) / scale
        code = int(np.argmax(errors))
        if which == 0 or float(errors[code]) > worst[0]:
            worst = (float(errors[code]), which, code, float(sums[code]))
    return worst


def _result(
    weights: FloatArray,
    calibration: Calibration,
    method: str,
    iterations: int,
    max_change: float,
    error: float,
    converged: bool,
) -> WeightingResult:
    deff = kish_design_effect(weights)
    return WeightingResult(
        weights=_frozen(weights), calibration=calibration, method=method,
        iterations=iterations, max_change=max_change, max_margin_error=error,
        converged=converged, n=int(weights.size), population_total=float(weights.sum()),
        kish_deff=deff, kish_effective_n=weights.size / deff,
    )


def _check_totals(totals: Mapping[Hashable, float], variable: str | None) -> dict[Hashable, float]:
    if not totals:
        raise WeightingError(f"no population totals given{_of(variable)}")
    checked: dict[Hashable, float] = {}
    for label, value in totals.items():
        number = float(value)
        if not math.isfinite(number) or number < 0:
            raise WeightingError(
                f"population total for {label!r}{_of(variable)} must be a non-negative number"
            )
        checked[label] = number
    return checked


def _encode(
    labels: Sequence[Hashable], totals: Mapping[Hashable, float], variable: str | None
) -> IntArray:
    import numpy as np

    index = {label: i for i, label in enumerate(totals)}
    codes = np.empty(len(labels), dtype=np.intp)
    for row, label in enumerate(labels):
        code = index.get(label)
        if code is None:
            raise UnknownCellError(label, variable=variable)
        codes[row] = code
    if codes.size == 0:
        raise WeightingError("there are no respondents to weight")
    return codes


def _check_cells(
    labels: Sequence[Hashable],
    target: FloatArray,
    counts: NDArray[np.intp],
    sums: FloatArray,
    variable: str | None,
) -> None:
    for i, label in enumerate(labels):
        if target[i] > 0 and counts[i] == 0:
            raise EmptyCellError(label, variable=variable, total=float(target[i]))
        if target[i] > 0 and sums[i] <= 0:
            raise WeightingError(f"respondents in {label!r}{_of(variable)} all have weight 0")
        if target[i] == 0 and counts[i] > 0:
            raise WeightingError(
                f"{label!r}{_of(variable)} has respondents but a population total of 0"
            )


def _base_weights(base_weights: ArrayLike | None, n: int) -> FloatArray:
    import numpy as np

    if base_weights is None:
        return np.ones(n, dtype=np.float64)
    try:
        base = check_weights(base_weights, "base_weights").copy()
    except ValueError as exc:
        raise WeightingError(str(exc)) from None
    if base.shape != (n,):
        raise WeightingError(f"base_weights must have one value per respondent ({n})")
    return base


def _frozen(array: NDArray[_T]) -> NDArray[_T]:
    copy = array.copy()
    copy.flags.writeable = False
    return copy


def _of(variable: str | None) -> str:
    return f" of {variable!r}" if variable else ""
