"""Rate limits: the few views that name a limit count each POST sent to them against it.

A view says which setting holds its limit and what it counts by (the keyed hash of the
address, ``surveyapp.sources``, unless it names another key)::

    @rate_limited("RATE_LIMIT_START")

Counting is the ``limits`` library's: a sliding-window counter in the store named by
``RATE_LIMIT_STORAGE_URI`` (``memory://`` counts in each worker process; ``redis://…`` and
``memcached://…`` are shared by all of them). Over a limit the request gets a 429 with
``Retry-After``, shown by the app's error page in the respondent's language (JSON on the
kiosk's API). ``RATE_LIMIT_ENABLED`` switches every limit off.

A shared store that cannot be reached must never cost an answer: the limits are then counted
in this process's memory, and the store is tried again after :data:`STORE_RETRY_SECONDS`.

Nothing else pays for the limits: a request to a view without one runs no code of this module,
and the library is imported when the first limited request arrives (commands never do).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from functools import lru_cache, wraps
from typing import TYPE_CHECKING, Any, TypeVar

from flask import current_app, request
from werkzeug.exceptions import TooManyRequests

from .sources import source_hash

if TYPE_CHECKING:
    from limits import RateLimitItem
    from limits.storage import Storage
    from limits.strategies import RateLimiter

STORE_RETRY_SECONDS = 30.0
"""How long the limits are counted in memory after the shared store failed, before it is tried again."""

MEMORY_CLEANUP_SECONDS = 60.0
"""How often the counters of this process's memory drop the windows that have ended."""

_EXTENSION = "surveyapp.ratelimits"
_log = logging.getLogger(__name__)

View = TypeVar("View", bound=Callable[..., Any])


def _process_memory() -> Storage:
    """The library's in-process store, with its expired counters dropped in the counting
    request's own thread at most once every :data:`MEMORY_CLEANUP_SECONDS`.

    The library itself starts a thread 10 ms after each count, which then walks every counter
    of the process: 0.75 ms of CPU per answer page sent with 200 addresses seen, 1.4 ms with
    2,000 (docs/performance.md) — it grows with the addresses seen in the longest window.
    Counting does not depend on that walk (reading a counter already ignores an expired one);
    it only frees their memory.
    """
    from limits.storage import MemoryStorage

    class ProcessMemory(MemoryStorage):
        next_cleanup = 0.0

        def _MemoryStorage__schedule_expiry(self) -> None:  # what every count calls
            now = time.monotonic()
            if now >= self.next_cleanup:
                self.next_cleanup = now + MEMORY_CLEANUP_SECONDS
                self._MemoryStorage__expire_events()  # type: ignore[attr-defined]

    return ProcessMemory()


class _Counters:
    """One app's counters: the configured store, and this process's memory when that store fails."""

    def __init__(self, storage_uri: str) -> None:
        from limits.storage import storage_from_string
        from limits.strategies import SlidingWindowCounterRateLimiter

        self.memory: RateLimiter = SlidingWindowCounterRateLimiter(_process_memory())
        self.store: RateLimiter = (self.memory if storage_uri.startswith("memory://")
                                   else SlidingWindowCounterRateLimiter(storage_from_string(storage_uri)))
        self.store_failed_until = 0.0

    def _counter(self) -> RateLimiter:
        return self.memory if time.monotonic() < self.store_failed_until else self.store

    def hit(self, item: RateLimitItem, key: str, scope: str) -> tuple[bool, RateLimiter]:
        """Count one request; whether it is within the limit, and the counter that said so."""
        counter = self._counter()
        try:
            return counter.hit(item, key, scope), counter
        except Exception:  # the store is unreachable or broken: whatever it raises
            _log.warning("rate-limit store unreachable: counting in this process for %.0f s",
                         STORE_RETRY_SECONDS, exc_info=True)
            self.store_failed_until = time.monotonic() + STORE_RETRY_SECONDS
            return self.memory.hit(item, key, scope), self.memory


@lru_cache(maxsize=32)
def parsed_limits(text: str) -> tuple[RateLimitItem, ...]:
    """``"20 per minute; 300 per hour"`` as the library's items, shortest window first."""
    from limits import parse_many

    return tuple(sorted(parse_many(text)))


def _counters() -> _Counters:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    counters = app.extensions.get(_EXTENSION)
    if counters is None:  # made in the worker process, at its first limited request
        counters = app.extensions[_EXTENSION] = _Counters(str(app.config["RATE_LIMIT_STORAGE_URI"]))
    return counters


def _count(setting: str, key: str, scope: str) -> None:
    """Count this request under ``key`` against the limits in the setting; 429 when one is over."""
    if not current_app.config["RATE_LIMIT_ENABLED"]:
        return
    counters = _counters()
    for item in parsed_limits(str(current_app.config[setting])):
        within, counter = counters.hit(item, key, scope)
        if not within:
            try:
                reset = counter.get_window_stats(item, key, scope).reset_time
            except Exception:  # the store failed in between: the window's length is an upper bound
                reset = time.time() + item.get_expiry()
            raise TooManyRequests(retry_after=max(1, math.ceil(reset - time.time())))


def rate_limited(setting: str, *, key: Callable[[], str] = source_hash) -> Callable[[View], View]:
    """Count the view's POSTs (what is sent; reading a page is never limited) against the
    limits in ``setting``, per key; each view counts on its own (its endpoint is the scope)."""

    def decorate(view: View) -> View:
        @wraps(view)
        def limited(*args: Any, **kwargs: Any) -> Any:
            if request.method == "POST":
                _count(setting, key(), request.endpoint or view.__name__)
            return view(*args, **kwargs)

        return limited  # type: ignore[return-value]

    return decorate
