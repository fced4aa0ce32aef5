"""Rate-limited logging: a flood of one error (e.g. ``Too many open files`` on every
accept) becomes a few lines and a count, never tens of thousands of tracebacks.

``RateLimitFilter`` lets through at most ``burst`` records of one kind (logger, level and
message template) per ``window`` seconds; the first record let through after a quiet
spell says how many were suppressed. ``install_log_limits`` attaches one filter to the
loggers a busy server writes to; it is idempotent, so every app a process builds may
call it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

#: loggers a server writes to under load: asyncio's accept loop, uvicorn, ours
LIMITED_LOGGERS = ("asyncio", "uvicorn", "uvicorn.error", "uvicorn.access", "playground.web")
#: a client's fault, not the server's: logged as one warning line, without the traceback
CLIENT_FAULTS = ("Invalid UTF-8 sequence received from client.",)


class RateLimitFilter(logging.Filter):
    """At most ``burst`` records of one kind per ``window`` seconds; see the module doc."""

    def __init__(
        self, burst: int, window: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__()
        self.burst = burst
        self.window = window
        self._clock = clock
        self._kinds: dict[tuple[str, int, str], tuple[float, int, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg in CLIENT_FAULTS and record.exc_info:
            record.exc_info, record.exc_text = None, None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        first_line = str(record.msg).split("\n", 1)[0][:200]  # asyncio appends varying detail
        key = (record.name, record.levelno, first_line)
        now = self._clock()
        start, passed, dropped = self._kinds.get(key, (now, 0, 0))
        if now - start >= self.window:
            start, passed = now, 0
        if passed >= self.burst:
            self._kinds[key] = (start, passed, dropped + 1)
            return False
        if dropped:
            record.msg = f"{record.msg} [{dropped} similar lines suppressed]"
        self._kinds[key] = (start, passed + 1, 0)
        if len(self._kinds) > 10_000:  # many distinct messages: forget the oldest kinds
            for old in list(self._kinds)[:5_000]:
                del self._kinds[old]
        return True


def install_log_limits(burst: int, window: float) -> None:
    """Attach (or re-tune) a filter on every logger in ``LIMITED_LOGGERS``."""
    for name in LIMITED_LOGGERS:
        logger = logging.getLogger(name)
        for f in logger.filters:
            if isinstance(f, RateLimitFilter):
                f.burst, f.window = burst, window
                break
        else:
            logger.addFilter(RateLimitFilter(burst, window))
