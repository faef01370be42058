"""Statistics core for KPI rates: intervals, verdicts, weighting, planning and disclosure.

Pure functions over counts and arrays (numpy and scipy only). Results are frozen dataclasses
of unrounded floats; rounding belongs to display and export. "No data" is ``None`` with
``no_data=True``, never 0. Formulas and citations are in each module's docstring and in
``METHODS_NOTE``, the text reports quote.
"""

from __future__ import annotations

from .differences import DIFFERENCE_METHODS, DifferenceCI, difference_ci
from .disclosure import (
    MIN_CELL,
    MIN_EFFECTIVE_N,
    REVIEW_FLAGS,
    SUPPRESSION_REASONS,
    Reliability,
    assess_proportion,
    assess_weighted,
    small_cell_reason,
    suppress_counts,
)
from .likert import LikertSummary, MeanCI, OptionShare, likert_summary
from .methods import METHODS_NOTE
from .planning import (
    DetectionPlan,
    MinimumDetectableChange,
    SampleSizePlan,
    minimum_detectable_change,
    sample_size,
    sample_size_to_detect,
)
from .proportions import (
    PROPORTION_METHODS,
    IntervalArrays,
    ProportionCI,
    finite_population_factor,
    proportion_ci,
    wilson_interval_array,
)
from .verdicts import (
    ASSESSMENTS,
    CHANGES,
    DIRECTIONS,
    INTERIM_POSITIONS,
    TARGET_VERDICTS,
    BaselineComparison,
    TargetVerdict,
    classify_target,
    compare_to_baseline,
    interim_code,
    interim_position,
    interpret_change,
    is_interim,
    target_path,
    target_verdict,
)
from .weighted import (
    WEIGHTED_METHODS,
    WeightedProportion,
    calibration_residuals,
    compare_weighted_to_baseline,
    weighted_proportion,
    weighted_target_verdict,
)
from .weighting import (
    Calibration,
    CalibrationError,
    EmptyCellError,
    UnknownCellError,
    WeightingError,
    WeightingResult,
    kish_design_effect,
    poststratify,
    rake,
)

__all__ = [
    "ASSESSMENTS",
    "CHANGES",
    "DIFFERENCE_METHODS",
    "DIRECTIONS",
    "INTERIM_POSITIONS",
    "METHODS_NOTE",
    "MIN_CELL",
    "MIN_EFFECTIVE_N",
    "PROPORTION_METHODS",
    "REVIEW_FLAGS",
    "SUPPRESSION_REASONS",
    "TARGET_VERDICTS",
    "WEIGHTED_METHODS",
    "BaselineComparison",
    "Calibration",
    "CalibrationError",
    "DetectionPlan",
    "DifferenceCI",
    "EmptyCellError",
    "IntervalArrays",
    "LikertSummary",
    "MeanCI",
    "MinimumDetectableChange",
    "OptionShare",
    "ProportionCI",
    "Reliability",
    "SampleSizePlan",
    "TargetVerdict",
    "UnknownCellError",
    "WeightedProportion",
    "WeightingError",
    "WeightingResult",
    "assess_proportion",
    "assess_weighted",
    "calibration_residuals",
    "classify_target",
    "compare_to_baseline",
    "compare_weighted_to_baseline",
    "difference_ci",
    "finite_population_factor",
    "interim_code",
    "interim_position",
    "interpret_change",
    "is_interim",
    "kish_design_effect",
    "likert_summary",
    "minimum_detectable_change",
    "poststratify",
    "proportion_ci",
    "rake",
    "sample_size",
    "sample_size_to_detect",
    "small_cell_reason",
    "suppress_counts",
    "target_path",
    "target_verdict",
    "weighted_proportion",
    "weighted_target_verdict",
    "wilson_interval_array",
]
