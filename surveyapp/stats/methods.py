"""The methods note that reports quote under KPI tables (English; translations live in the app)."""

from __future__ import annotations

METHODS_NOTE = """\
Methods

Proportions. The share p = x/n is shown with a 95 % Wilson score interval (Wilson 1927;
recommended by Newcombe 1998a and Brown, Cai & DasGupta 2001), the solutions P of
(p - P)^2 = z^2 P(1 - P)/n. Clopper-Pearson (exact), Jeffreys (with lower limit 0 at x = 0
and upper limit 1 at x = n, Brown, Cai & DasGupta 2001), Agresti-Coull (Agresti & Coull
1998) and Wald intervals are available; Wald is for reference only. With no respondents
the result is "no data", never 0.

Finite population. When a survey covers a large part of a known population of N (for
example all staff), the variance of p is multiplied by (N - n)/(N - 1) and each interval is
computed on the effective sample size n(N - 1)/(N - n); a census (n = N) has no sampling
error. For a weighted share the linearization variance is multiplied by 1 - n/N, as in
R's survey package (svydesign with fpc).

Change against a baseline. When the baseline's sample size is known, the difference
between the two independent proportions has Newcombe's hybrid score interval (Newcombe
1998b, method 10); otherwise the baseline is treated as a fixed value and the current rate's
Wilson interval is compared with it (score test). For a weighted share the same methods
run on its effective sample size n* = p(1 - p)/V, V the linearization variance below
(Newcombe's hybrid score interval on effective sample sizes; Korn & Graubard 1998). A change
is reported only when the interval for the difference excludes 0; overlapping intervals are
never used to judge.

Target. "Reached" when the one-sided 95 % Wilson lower bound is above the target (for a
KPI that should fall: the upper bound below it; for "maintain": the lower bound at or
above it), "not reached" when the whole 95 % interval is short of the target, otherwise
"inconclusive"; the one-sided score test p-value is given. Before the target year a target
cannot have been missed: the same rule is applied to the value on the straight path from
the baseline (in its year) to the target (in the target year), giving "on track", "off
track" or "unclear" for that year.

Weighting. Respondents are weighted to resident-register totals by post-stratification
(age band x gender cells) or, when cells are thin, by raking on the margins. Variances
are by linearization and account for the calibration (residuals within post-strata or
from the raking regression), as in Lumley's survey package for R (Lumley 2004, 2010).
Intervals for weighted shares use the logit transformation or the Korn-Graubard method on
the effective sample size p(1 - p)/variance (Korn & Graubard 1998). Kish's design effect
1 + CV^2 of the weights of the respondents in n, and the effective sample size n divided by
it (never above n: the loss of precision from unequal weights alone), are reported; the
interval can be narrower than this effective n suggests because post-stratification and
raking also remove variance. Weighted and unweighted results are shown side by side. When
raking cannot bring every margin to its population total (within a relative 1e-8), no
weighted estimate is made and the failing margin category is named.

Reliability and disclosure. Estimates are suppressed when the effective sample size
p(1 - p)/SE^2 (at most n, or n/f with a finite population correction f) is below 30 or the
Korn-Graubard interval is too wide (width 0.30 or more, or width above 0.05 with relative
width above 130 %), following the NCHS Data Presentation Standards for Proportions (Parker
et al. 2017); a census therefore passes these checks. No cell of 1-4 people, or within 1-4 of its group
total, is published. Suppressed values show a dash and the reason.

References. Agresti A, Coull BA (1998) Am Stat 52:119-126. Brown LD, Cai TT, DasGupta A
(2001) Stat Sci 16:101-133. Korn EL, Graubard BI (1998) Surv Methodol 24:193-201. Lumley T
(2004) J Stat Softw 9(1); (2010) Complex Surveys: A Guide to Analysis Using R, Wiley.
Newcombe RG (1998a) Stat Med 17:857-872; (1998b) Stat Med 17:873-890. Parker JD, Talih M,
Malec DJ, et al. (2017) Vital Health Stat 2(175). Wilson EB (1927) J Am Stat Assoc
22:209-212.
"""
