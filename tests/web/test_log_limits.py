"""Log lines are rate-limited: a flood of one error is a few lines and a count (issue 15, #7:
61k "Too many open files" tracebacks in 5 s)."""

from __future__ import annotations

import logging

import pytest

from playground.web.log_limits import LIMITED_LOGGERS, RateLimitFilter, install_log_limits


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_flood_of_one_error_becomes_a_few_lines(caplog: pytest.LogCaptureFixture) -> None:
    clock = _Clock()
    logger = logging.getLogger("test.flood")
    logger.addFilter(RateLimitFilter(burst=5, window=10.0, clock=clock))
    with caplog.at_level(logging.ERROR, logger="test.flood"):
        for i in range(10_000):  # asyncio's accept loop: same first line, varying detail
            logger.error("socket.accept() out of system resource\nsocket: <fd=%d>", i)
        assert len(caplog.records) == 5
        logger.error("another error")  # a different kind has its own budget
        assert len(caplog.records) == 6
        clock.now = 10.5
        logger.error("socket.accept() out of system resource\nsocket: <fd=%d>", 1)
    assert "[9995 similar lines suppressed]" in caplog.records[-1].getMessage()


def test_the_server_loggers_get_one_filter_each() -> None:
    install_log_limits(20, 10.0)
    install_log_limits(30, 5.0)  # every app a process builds may call it: re-tuned, not added
    for name in LIMITED_LOGGERS:
        filters = [f for f in logging.getLogger(name).filters if isinstance(f, RateLimitFilter)]
        assert len(filters) == 1 and (filters[0].burst, filters[0].window) == (30, 5.0)
