"""The fair scheduler: least-served first, a CPU budget per session, cancellation safety."""

from __future__ import annotations

import asyncio
import time

import pytest

from playground.web.scheduler import FairScheduler


def test_the_least_served_waiting_session_goes_first() -> None:
    async def main() -> list[str]:
        s = FairScheduler(slots=1, share=100.0, burst=100.0)
        for key in ("heavy", "light", "middle"):  # all start level at 0
            async with s.turn(key):
                pass
        for key, cpu in (("heavy", 5.0), ("light", 0.1), ("middle", 1.0)):
            async with s.turn(key) as turn:
                turn.charge(cpu)
        order: list[str] = []
        release = asyncio.Event()

        async def hold() -> None:
            async with s.turn("light"):
                await release.wait()

        async def want(key: str) -> None:
            async with s.turn(key):
                order.append(key)

        holder = asyncio.create_task(hold())
        await asyncio.sleep(0)
        waiters = [asyncio.create_task(want(k)) for k in ("heavy", "middle", "light")]
        await asyncio.sleep(0.01)
        assert order == []  # the one slot is held
        release.set()
        await asyncio.gather(holder, *waiters)
        return order

    assert asyncio.run(main()) == ["light", "middle", "heavy"]


def test_a_session_over_its_budget_waits_until_it_has_earned_it_back() -> None:
    async def main() -> float:
        s = FairScheduler(slots=4, share=10.0, burst=0.01)  # 10 CPU-s per s, 10 ms banked
        async with s.turn("a") as turn:
            turn.charge(0.31)  # 300 ms over: 30 ms of earning at share 10
        assert s.balance("a") < -0.29
        start = time.monotonic()
        async with s.turn("b"):  # another session is not held back
            assert time.monotonic() - start < 0.02
        async with s.turn("a"):
            return time.monotonic() - start

    assert asyncio.run(main()) >= 0.029


def test_a_new_session_starts_level_with_the_least_served() -> None:
    async def main() -> list[str]:
        s = FairScheduler(slots=1, share=100.0, burst=100.0)
        for key, cpu in (("old", 3.0), ("older", 4.0)):
            async with s.turn(key) as turn:
                turn.charge(cpu)
        order: list[str] = []
        gate = asyncio.Event()

        async def hold() -> None:
            async with s.turn("older"):
                await gate.wait()

        async def want(key: str) -> None:
            async with s.turn(key) as turn:
                order.append(key)
                turn.charge(0.5)

        holder = asyncio.create_task(hold())
        await asyncio.sleep(0)
        # "new" starts at 3.0 (the least served), not at 0, so it does not take every turn
        jobs = [asyncio.create_task(want(k)) for k in ("new", "old", "new", "old")]
        await asyncio.sleep(0.01)
        gate.set()
        await asyncio.gather(holder, *jobs)
        return order

    order = asyncio.run(main())
    assert sorted(order) == ["new", "new", "old", "old"] and order[:2] != ["new", "new"]


def test_a_cancelled_waiter_never_keeps_a_slot() -> None:
    async def main() -> int:
        s = FairScheduler(slots=1, share=1.0, burst=1.0)
        gate = asyncio.Event()

        async def hold() -> None:
            async with s.turn("a"):
                await gate.wait()

        holder = asyncio.create_task(hold())
        await asyncio.sleep(0)
        waiter = asyncio.create_task(s.turn("b").__aenter__())
        await asyncio.sleep(0)
        waiter.cancel()
        gate.set()
        await holder
        with pytest.raises(asyncio.CancelledError):
            await waiter
        async with s.turn("c"):  # the slot came back
            return s.running

    assert asyncio.run(main()) == 1


def test_a_light_session_takes_the_express_slot_past_waiting_heavy_ones() -> None:
    async def main() -> tuple[bool, bool]:
        s = FairScheduler(slots=1, share=100.0, burst=100.0, express=1, light_share=0.2)
        for key in ("h1", "h2", "light"):
            async with s.turn(key) as turn:
                turn.charge(0.0 if key == "light" else 2.0)  # h1, h2: ~2 CPU-s per s lately
        gate = asyncio.Event()

        async def hold() -> None:
            async with s.turn("h1"):
                await gate.wait()

        holder = asyncio.create_task(hold())
        await asyncio.sleep(0)
        heavy = asyncio.create_task(s.turn("h2").__aenter__())
        await asyncio.sleep(0.01)
        heavy_waits = not heavy.done()  # the express slot is free, but not for h2
        async with s.turn("light"):  # would hang here without the express slot
            light_ran = True
        gate.set()
        await holder
        await heavy
        return heavy_waits, light_ran

    assert asyncio.run(asyncio.wait_for(main(), 2)) == (True, True)


def test_bad_parameters_are_refused() -> None:
    with pytest.raises(ValueError, match="slots"):
        FairScheduler(slots=0, share=1.0, burst=1.0)


def test_work_done_for_a_session_elsewhere_is_charged_and_waited_out() -> None:
    """A co-scheduled batch runs in its own turn and charges its sessions afterwards."""

    async def main() -> float:
        s = FairScheduler(slots=1, share=10.0, burst=0.01)
        assert s.balance("a") == 0.01  # the account exists from the first question on
        s.charge("a", 0.31)  # 300 ms over: 30 ms of earning at share 10
        assert s.balance("a") < -0.29 and s.rate("a") > 0
        s.charge("gone", 5.0)  # a session forgotten meanwhile is not brought back
        assert s.balance("gone") == 0.01
        start = time.monotonic()
        await s.ready("gone")
        assert time.monotonic() - start < 0.02
        await s.ready("a")
        return time.monotonic() - start

    assert asyncio.run(main()) >= 0.029
