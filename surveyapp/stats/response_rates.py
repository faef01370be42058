"""Response rates of a mailed sample, after the AAPOR Standard Definitions.

Dispositions of the invitations of a wave (or of one stratum):

* I — complete: the response is stored (web or paper; a code is counted once);
* P — partial: started on the web with the code, not submitted (a break-off; counted as a
  partial interview, the generous reading);
* returned undelivered (宛先不明) and not answered: for a mail survey of specifically named
  persons AAPOR treats such a case as of *unknown eligibility* (the resident may have moved away
  or not), so it stays in the denominator of RR1 and RR2;
* every other invitation: no answer (non-contact or refusal; a letter cannot tell which).

``rr1`` = I / invited and ``rr2`` = (I + P) / invited are AAPOR RR1 and RR2 with every
invitation in the denominator. ``rr1_delivered`` and ``rr2_delivered`` leave out the letters
returned undelivered — AAPOR RR3/RR4 with the eligibility rate e = 0 for those cases, i.e.
assuming that a resident whose letter came back no longer belongs to the population (the
「有効回収率」 some city reports print). Every rate is None when its denominator is 0.
"""

from __future__ import annotations

from dataclasses import dataclass

from ._checks import check_count


@dataclass(frozen=True, slots=True, kw_only=True)
class ResponseRates:
    invited: int
    complete: int
    partial: int
    undelivered: int
    rr1: float | None
    rr2: float | None
    rr1_delivered: float | None
    rr2_delivered: float | None

    @property
    def no_answer(self) -> int:
        return self.invited - self.complete - self.partial - self.undelivered


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator > 0 else None


def response_rates(*, invited: int, complete: int, partial: int, undelivered: int) -> ResponseRates:
    """Rates from disposition counts (undelivered = returned and not answered)."""
    invited = check_count(invited, "invited")
    complete = check_count(complete, "complete")
    partial = check_count(partial, "partial")
    undelivered = check_count(undelivered, "undelivered")
    if complete + partial + undelivered > invited:
        raise ValueError("complete, partial and undelivered cannot exceed the invitations")
    delivered = invited - undelivered
    return ResponseRates(
        invited=invited, complete=complete, partial=partial, undelivered=undelivered,
        rr1=_ratio(complete, invited), rr2=_ratio(complete + partial, invited),
        rr1_delivered=_ratio(complete, delivered), rr2_delivered=_ratio(complete + partial, delivered),
    )
