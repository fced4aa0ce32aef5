"""Print microseconds per optimizer step on a 450-parameter vector (a 6x8 network).

The whole training step should cost about 50 µs, so the optimizer's share matters.
Run: .venv/bin/python benchmarks/optimizers.py
"""

from __future__ import annotations

import timeit

import numpy as np

from playground.engine.optimizers import OPTIMIZERS, clip_by_global_norm, make_optimizer
from playground.engine.schedules import SCHEDULES, learning_rate_at

SIZE = 450
NUMBER = 20_000
REPEAT = 5


def best_us(fn: object) -> float:
    """Best-of-REPEAT mean time of one call, in microseconds."""
    times = timeit.repeat(fn, number=NUMBER, repeat=REPEAT)  # type: ignore[arg-type]
    return min(times) / NUMBER * 1e6


def main() -> None:
    rng = np.random.default_rng(0)
    grad = rng.normal(scale=1e-3, size=SIZE)
    print(f"numpy {np.__version__}, {SIZE} parameters, best of {REPEAT} x {NUMBER} calls")
    print(f"{'optimizer':<16}{'µs/step':>10}")
    for name in OPTIMIZERS:
        opt = make_optimizer(name, SIZE)
        param = rng.normal(size=SIZE)
        print(f"{name:<16}{best_us(lambda o=opt, p=param: o.step(p, grad, 1e-6)):>10.2f}")
    big = grad * 1e6
    work = big.copy()

    def clip() -> None:
        np.copyto(work, big)
        clip_by_global_norm(work, 1.0)

    print(f"{'clip':<16}{best_us(clip):>10.2f}  (includes a 450-element copy)")
    for name in SCHEDULES:
        us = best_us(lambda n=name: learning_rate_at(n, 0.03, 1234, 0.5, 100))
        print(f"{'lr ' + name:<16}{us:>10.2f}")


if __name__ == "__main__":
    main()
