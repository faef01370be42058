"""The rate limit that protects code look-ups — declared here, and only here.

A failed look-up (a well-formed code with a correct check character that matches no
invitation) counts against the source (keyed hash of the address, ``surveyapp.sources``) and
against all sources together. Typos caught by the check character never reach the database
and do not count. While a limit is reached, look-ups are refused until the window ends.

With 31⁸ possible codes and, say, 3,000 codes in the field, one guess hits with probability
3.5 × 10⁻⁹: at the per-source limit (60 failures an hour) one source needs about 540 years on
average for a single hit; all sources together at the global ceiling (3,000 an hour) about 11
years — fieldwork lasts weeks.

The counter lives in the database (table ``code_attempts``) so that it holds across worker
processes, whatever ``RATE_LIMIT_STORAGE_URI`` says.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RateLimit:
    failures: int
    seconds: int

    @property
    def per_hour(self) -> float:
        return self.failures * 3600 / self.seconds


LOOKUP_LIMIT = RateLimit(failures=10, seconds=600)
"""Failed code look-ups allowed per source per 10 minutes."""

GLOBAL_LOOKUP_LIMIT = RateLimit(failures=500, seconds=600)
"""Failed code look-ups allowed from all sources together per 10 minutes."""

GLOBAL_SOURCE = "*"
"""The ``code_attempts.source`` value of the all-sources counter."""
