"""A fair scheduler for one worker's CPU: who runs next, and how much each session may use.

Every piece of session work (a training slice, a frame, a restore, a snapshot) takes a
*turn* from this scheduler before it runs in the work pool (``offload.py``). Three rules:

- **Fair order.** At most ``slots`` turns run at once; when a slot frees, it goes to the
  waiting session that has used the least CPU so far (start-time fair queueing: a new
  session starts level with the least-served one, so it neither starves nor is starved).
- **An express lane for light sessions.** A session whose recent use is below
  ``light_share`` CPU-seconds per second (a default page needs about 0.1) *and* at most
  half the busiest session's (on a crowded machine every session gets less CPU than it
  wants, so only the comparison tells light from heavy) may also use one of ``express``
  extra slots: it never waits behind pieces of heavy work (a 170 ms frame of the largest
  network) even when heavy sessions fill every regular slot.
- **A budget per session.** Each session earns ``share`` CPU-seconds per second, banked up
  to ``burst`` seconds; a turn is granted only while its balance is not negative, and the
  CPU it used is charged afterwards. So a session may at most use ``share`` of a core on
  average, whatever its network size, grid resolution or speed: a 170 ms frame simply
  makes that session wait ~340 ms (at share 0.5) before its next turn.

The clock is injectable so the rules can be tested without sleeping. No threads here:
the scheduler lives on the event loop; only the work it admits runs elsewhere.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

RATE_WINDOW = 1.0  # seconds over which a session's recent CPU rate is averaged
LIGHT_FRACTION = 0.5  # light: at most this fraction of the busiest session's rate


@dataclass
class Account:
    """What one session has used (``used``, for the order), may still use (``balance``)
    and uses lately (``rate``, CPU-seconds per second, decaying over ``RATE_WINDOW``)."""

    used: float
    balance: float
    updated: float
    rate: float = 0.0
    waiters: int = field(default=0)


class Turn:
    """One granted turn; ``charge`` records the CPU seconds it used."""

    def __init__(self) -> None:
        self.cpu = 0.0

    def charge(self, seconds: float) -> None:
        self.cpu += max(0.0, seconds)


class FairScheduler:
    """Grant ``slots`` (+ ``express`` for light sessions) concurrent turns, least-served
    session first, within CPU budgets."""

    def __init__(self, slots: int, share: float, burst: float, *, express: int = 0,
                 light_share: float = 0.2,
                 clock: Callable[[], float] = time.monotonic) -> None:  # fmt: skip
        if slots < 1 or express < 0 or share <= 0 or burst <= 0:
            raise ValueError(
                f"need slots >= 1, express >= 0, share > 0, burst > 0; "
                f"got {slots}, {express}, {share}, {burst}"
            )
        self.slots = slots
        self.express = express
        self.share = share
        self.burst = burst
        self.light_share = light_share
        self.clock = clock
        self.running = 0
        self._accounts: dict[str, Account] = {}
        self._queue: list[tuple[str, asyncio.Future[None]]] = []

    def __repr__(self) -> str:
        return (f"FairScheduler(slots={self.slots}+{self.express}, running={self.running}, "
                f"waiting={len(self._queue)}, sessions={len(self._accounts)})")  # fmt: skip

    def _account(self, key: str) -> Account:
        account = self._accounts.get(key)
        if account is None:
            floor = min((a.used for a in self._accounts.values()), default=0.0)
            account = Account(used=floor, balance=self.burst, updated=self.clock())
            self._accounts[key] = account
        return account

    def _update(self, account: Account) -> None:
        """Bring balance (earned) and rate (decayed) up to now."""
        now = self.clock()
        elapsed = now - account.updated
        account.balance = min(self.burst, account.balance + elapsed * self.share)
        account.rate *= math.exp(-elapsed / RATE_WINDOW)
        account.updated = now

    def balance(self, key: str) -> float:
        """The session's CPU balance now, in seconds (negative: it must wait)."""
        account = self._account(key)
        self._update(account)
        return account.balance

    def rate(self, key: str) -> float:
        """The session's recent CPU use, in CPU-seconds per second."""
        account = self._account(key)
        self._update(account)
        return account.rate

    def light(self, key: str) -> bool:
        """True if the session uses little lately, absolutely or next to the busiest one."""
        rate = self.rate(key)
        busiest = max((self.rate(k) for k in self._accounts), default=0.0)
        return rate < self.light_share and rate <= LIGHT_FRACTION * busiest

    def _capacity(self, key: str) -> int:
        return self.slots + (self.express if self.light(key) else 0)

    def forget(self, key: str) -> None:
        """Drop a finished session's account (its waiters, if any, are cancelled by then)."""
        account = self._accounts.get(key)
        if account is not None and account.waiters == 0:
            del self._accounts[key]

    async def ready(self, key: str) -> None:
        """Wait until ``key``'s balance is not negative (work done for it elsewhere, e.g.
        in a co-scheduled batch, is charged with ``charge``)."""
        while (balance := self.balance(key)) < 0:
            await asyncio.sleep(-balance / self.share)

    def charge(self, key: str, seconds: float) -> None:
        """Book ``seconds`` of CPU used for ``key`` (its order, balance and recent rate);
        a session already forgotten (it left meanwhile) is not brought back."""
        account = self._accounts.get(key)
        if account is None:
            return
        self._update(account)
        cpu = max(0.0, seconds)
        account.used += cpu
        account.balance -= cpu
        account.rate += cpu / RATE_WINDOW

    async def _admit(self, key: str) -> None:
        """Wait out a negative balance, then for a slot in least-used order."""
        await self.ready(key)
        # a light session may pass waiting heavy ones: they wait for a regular slot only
        if self.running < self._capacity(key) and (not self._queue or self.running >= self.slots):
            self.running += 1
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.append((key, future))
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self._release()  # granted, then cancelled before running: pass the slot on
            else:
                self._queue = [(k, f) for k, f in self._queue if f is not future]
            raise

    def _release(self) -> None:
        self.running -= 1
        self._grant()

    def _grant(self) -> None:
        """Start waiters, least used first, while one fits its capacity."""
        self._queue = [(k, f) for k, f in self._queue if not f.done()]
        self._queue.sort(key=lambda item: self._account(item[0]).used)
        for item in list(self._queue):
            if self.running >= self.slots + self.express:
                break
            key, future = item
            if self.running < self._capacity(key):
                self._queue.remove(item)
                self.running += 1
                future.set_result(None)

    @asynccontextmanager
    async def turn(self, key: str) -> AsyncIterator[Turn]:
        """Hold one slot for ``key``; charge what the body reports with ``turn.charge``."""
        account = self._account(key)
        account.waiters += 1
        try:
            await self._admit(key)
        finally:
            account.waiters -= 1
        turn = Turn()
        try:
            yield turn
        finally:
            self.charge(key, turn.cpu)
            self._release()
