"""A KPI weighted by the strata of its invitation sample (nonresponse adjustment).

For a survey whose fiscal year has drawn invitation waves, the respondents who answered with a
code (web or paper; their responses carry the stratum, never the invitation) are weighted with
the existing engine (``surveyapp.stats``: ``poststratify``, ``rake``, ``weighted_proportion``):

* ``poststratify`` — post-stratification to the frame's count per stratum N_h: weight N_h / r_h
  (r_h respondents). With stratified sampling this is the design weight N_h / n_h times the
  inverse response rate n_h / r_h, and it treats the residents of returned letters as still in
  the population.
* ``inverse_rate`` — the design weight times the inverse response rate among the *delivered*
  invitations: weight (N_h / n_h) · (n_h − u_h) / r_h (u_h returned undelivered), i.e.
  post-stratification to the estimated eligible count N_h (n_h − u_h) / n_h: residents whose
  letters came back are taken as no longer in the population.

When a stratum has fewer than ``MIN_CELL_RESPONDENTS`` respondents the weights are raked to the
margins of the stratum columns instead. Strata with no invitations (0 allocated) are left out
of the totals. The variance is the engine's linearization for calibrated weights (the totals
are treated as known, which for ``inverse_rate`` slightly understates it); the finite
population correction uses N = the frame total (sampling fractions of a city survey are
small). If several waves were drawn in the year they must share their stratum columns; the
frame counts of the latest one are used.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass, replace

from flask_babel import gettext as _
from sqlalchemy import and_, case, func

from ..extensions import db
from ..invitations.models import Invitation, InvitationStratum, InvitationWave
from ..respond.models import Answer, Response
from ..stats import (
    Reliability,
    TargetVerdict,
    WeightedProportion,
    WeightingError,
    WeightingResult,
    assess_weighted,
    poststratify,
    rake,
    weighted_proportion,
    weighted_target_verdict,
)
from .declarations import KpiDeclaration
from .filters import ALL_RESPONSES, ResultFilter, response_conditions
from .kpis import DEFAULT_LEVEL, KpiYearResult, kpi_year_results, survey_id_of
from .response_rates import wave_year
from .weighted import MIN_CELL_RESPONDENTS, WEIGHTED_METHOD

NR_METHODS = ("poststratify", "inverse_rate")


@dataclass(frozen=True)
class StrataWeighted:
    """One method's result, or why there is none (``problem``: ``no_respondents``,
    ``mixed_strata``, ``weighting_failed`` with ``message``)."""

    method: str
    problem: str | None = None
    message: str = ""
    scheme: str | None = None  # "poststratify" (by stratum) or "rake" (stratum-column margins)
    respondents: int = 0
    proportion: WeightedProportion | None = None
    reliability: Reliability | None = None
    verdict: TargetVerdict | None = None
    weighting: WeightingResult | None = None
    population_total: float = 0.0

    @property
    def estimate(self) -> float | None:
        return self.proportion.estimate if self.proportion else None

    @property
    def suppressed(self) -> bool:
        return self.reliability is None or not self.reliability.publishable

    @property
    def suppression_reason(self) -> str | None:
        return "weighting_failed" if self.problem else (self.reliability.reason if self.reliability else None)


@dataclass(frozen=True)
class NonresponseResult:
    """Unweighted (all responses, and only the sample's) beside the strata-weighted results."""

    kpi: KpiDeclaration
    fiscal_year: int
    waves: tuple[str, ...]
    columns: tuple[str, ...]
    frame_total: int
    left_out_strata: int  # strata of the frame with no invitation
    unweighted_sample: KpiYearResult | None
    methods: tuple[StrataWeighted, ...]


def _draw_waves(survey_id: int, fiscal_year: int) -> list[InvitationWave]:
    waves = db.session.scalars(db.select(InvitationWave).where(
        InvitationWave.survey_id == survey_id, InvitationWave.kind == "draw").order_by(InvitationWave.id))
    return [w for w in waves if wave_year(w) == fiscal_year]


def nonresponse_weighted(declaration: KpiDeclaration, fiscal_year: int, *, level: float = DEFAULT_LEVEL,
                         selection: ResultFilter = ALL_RESPONSES) -> NonresponseResult | None:
    """Both methods for a KPI-year; None when the year has no drawn invitation wave."""
    survey_id = survey_id_of(declaration)
    waves = _draw_waves(survey_id, fiscal_year)
    if not waves:
        return None
    columns = tuple(waves[-1].stratum_columns)
    sample_only = replace(selection, invited_only=True)
    unweighted = kpi_year_results(declaration, level=level, selection=sample_only, fiscal_year=fiscal_year)
    base = dict(kpi=declaration, fiscal_year=fiscal_year, waves=tuple(w.label for w in waves), columns=columns,
                unweighted_sample=unweighted[0] if unweighted else None)
    if any(tuple(w.stratum_columns) != columns for w in waves):
        failed = tuple(StrataWeighted(m, "mixed_strata", _("発送によって層の列が違うため、重み付けできません。"))
                       for m in NR_METHODS)
        return NonresponseResult(**base, frame_total=0, left_out_strata=0, methods=failed)  # type: ignore[arg-type]
    frame = {s.cells_key: s.frame_count or 0 for s in waves[-1].strata}
    invited: Counter[str] = Counter()
    undelivered: Counter[str] = Counter()
    for key, n, u in _invitation_counts([w.id for w in waves]):
        invited[key] += n
        undelivered[key] += u
    rows = _respondents(declaration, fiscal_year, [w.id for w in waves], selection)
    cells = {s.cells_key: dict(s.cells) for s in waves[-1].strata}
    left_out = sum(1 for key in frame if frame[key] > 0 and invited[key] == 0)
    methods = []
    for method in NR_METHODS:
        totals: dict[Hashable, float] = {}
        for key, size in frame.items():
            if size <= 0 or invited[key] == 0:
                continue
            delivered = invited[key] - undelivered[key]
            totals[key] = float(size) if method == "poststratify" else size * delivered / invited[key]
        methods.append(_estimate(declaration, method, rows, totals, cells, columns, level,
                                 sum(frame.values())))
    return NonresponseResult(**base, frame_total=sum(frame.values()), left_out_strata=left_out,  # type: ignore[arg-type]
                             methods=tuple(methods))


def _estimate(declaration: KpiDeclaration, method: str, rows: list[tuple[str | None, str]],
              totals: dict[Hashable, float], cells: dict[str, dict[str, object]], columns: tuple[str, ...],
              level: float, frame_total: int) -> StrataWeighted:
    import numpy as np

    kept = [(code, key) for code, key in rows if key in totals and totals[key] > 0]
    if not kept:
        return StrataWeighted(method, "no_respondents", _("案内状からの回答がまだありません。"))
    keys = [key for _code, key in kept]
    per_cell = Counter(keys)
    try:
        if all(per_cell[str(key)] >= MIN_CELL_RESPONDENTS for key, total in totals.items() if total > 0) or not columns:
            weighting = poststratify(keys, {k: v for k, v in totals.items() if v > 0})
        else:
            sample = {c: [str(cells[key][c]) for key in keys] for c in columns}
            margins: dict[str, dict[Hashable, float]] = {c: {} for c in columns}
            for key, total in totals.items():
                for c in columns:
                    label = str(cells[str(key)][c])
                    margins[c][label] = margins[c].get(label, 0.0) + total
            weighting = rake(sample, margins)
    except WeightingError as exc:
        return StrataWeighted(method, "weighting_failed", str(exc), respondents=len(kept))
    in_base = np.array([code not in declaration.excluded if code is not None else declaration.no_answer_in_base
                        for code, _key in kept], dtype=bool)
    y = np.array([code in declaration.success for code, _key in kept], dtype=np.float64)
    population = frame_total if 0 < len(kept) <= frame_total else None
    proportion = weighted_proportion(y, weighting.weights, level=level, method=WEIGHTED_METHOD,
                                     calibration=weighting, in_base=in_base, population=population)
    reliability = verdict = None
    if not proportion.no_data and proportion.estimate is not None:
        reliability = assess_weighted(proportion)
        threshold = declaration.target_value if declaration.target_value is not None else declaration.baseline_value
        if 0.0 < threshold < 1.0 and level > 0.5:
            verdict = weighted_target_verdict(y, weighting.weights, target=threshold, direction=declaration.direction,
                                              level=level, method=WEIGHTED_METHOD, calibration=weighting,
                                              in_base=in_base, population=population)
    return StrataWeighted(method, scheme=weighting.method, respondents=len(kept), proportion=proportion,
                          reliability=reliability, verdict=verdict, weighting=weighting,
                          population_total=sum(totals.values()))


def _invitation_counts(wave_ids: list[int]) -> list[tuple[str, int, int]]:
    """(stratum cells key, invitations, returned undelivered and not answered) per stratum."""
    undelivered = case((and_(Invitation.undelivered.is_(True), Invitation.state == "unused"), 1), else_=0)
    rows = db.session.execute(
        db.select(InvitationStratum.cells_key, func.count(Invitation.id), func.sum(undelivered))
        .join(Invitation, Invitation.stratum_id == InvitationStratum.id)
        .where(InvitationStratum.wave_id.in_(wave_ids)).group_by(InvitationStratum.cells_key))
    return [(key, int(n), int(u or 0)) for key, n, u in rows]


def _respondents(declaration: KpiDeclaration, fiscal_year: int, wave_ids: list[int],
                 selection: ResultFilter) -> list[tuple[str | None, str]]:
    """(KPI option code, stratum cells key) per respondent of the waves — only these columns."""
    code = func.max(case((Answer.question_key == declaration.question_key, Answer.option_code)))
    conditions = response_conditions(survey_id_of(declaration), selection)
    conditions += [Response.fiscal_year == fiscal_year, InvitationStratum.wave_id.in_(wave_ids)]
    rows = db.session.execute(
        db.select(code, func.max(InvitationStratum.cells_key)).select_from(Response)
        .join(InvitationStratum, InvitationStratum.id == Response.invitation_stratum_id)
        .outerjoin(Answer, and_(Answer.response_id == Response.id, Answer.question_key == declaration.question_key))
        .where(*conditions).group_by(Response.id))
    return [(c, str(k)) for c, k in rows]
