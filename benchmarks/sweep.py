"""Stacked training speed: µs per lockstep step of R runs, beside the single-run engine.

Reference config (issue 14): spiral, 500 points, 50 % train (250 per epoch), inputs x1
x2, 6 hidden layers x 8 tanh, batch 10, SGD lr 0.03. For R = 1, 4, 16, 64 runs (seeds 1..R)
it prints µs per lockstep step, µs per run-step, and training examples per second per core
(R x batch / step time), beside the lone ``Trainer``. TensorFlow Playground's own engine
(``nn.ts`` under node), measured on the issue author's machine, needs 1.6–2.1 ms per
250-example epoch of this config: about 120–160k examples per second.

Goals: 16 stacked runs cost <= 3 x one run per step (>= 5 x the examples per second of
single runs). Best of several repeats; on a shared machine the figures are relative.
Run: ``python benchmarks/sweep.py [--steps N]``.
"""

from __future__ import annotations

import argparse
import time

from playground import RunConfig, Trainer
from playground.engine.stack import Stack

REFERENCE = RunConfig(
    dataset="spiral", n_points=500, train_fraction=0.5, features=["x1", "x2"],
    hidden=[8] * 6, activation="tanh", batch_size=10, optimizer="sgd", learning_rate=0.03,
    seed=1,
)  # fmt: skip
SIZES = (1, 4, 16, 64)
TFP_EXAMPLES_PER_S = (120_000, 160_000)


def best_of(fn, repeats: int) -> float:
    """Best wall time of ``repeats`` calls (the least disturbed by the rest of the machine)."""
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    steps, batch = args.steps, REFERENCE.batch_size

    lone = Trainer(REFERENCE)
    stacks = {R: Stack([REFERENCE.updated(seed=s) for s in range(1, R + 1)]) for R in SIZES}
    # Interleaved repeats (lone, R=1, 4, ...; again): a busy machine slows all alike.
    best = {name: float("inf") for name in ("lone", *SIZES)}
    for _ in range(args.repeats):
        for name, engine in (("lone", lone), *stacks.items()):
            t0 = time.perf_counter()
            engine.step(steps)
            best[name] = min(best[name], (time.perf_counter() - t0) / steps)
    lone_s = best["lone"]
    print(f"reference: spiral 250 train points, 6 x 8 tanh, batch {batch}, SGD; {steps} steps, "
          f"best of {args.repeats} interleaved repeats")  # fmt: skip
    print(f"{'engine':<16}{'µs/step':>10}{'µs/run-step':>13}{'x one run':>11}"
          f"{'examples/s':>13}{'x lone':>8}")  # fmt: skip
    lone_eps = batch / lone_s
    print(f"{'Trainer (lone)':<16}{lone_s * 1e6:>10.1f}{lone_s * 1e6:>13.1f}{1.0:>11.2f}"
          f"{lone_eps:>13,.0f}{1.0:>8.2f}")  # fmt: skip
    for R in SIZES:
        per = best[R]
        eps = R * batch / per
        print(f"{f'Stack R={R}':<16}{per * 1e6:>10.1f}{per * 1e6 / R:>13.1f}"
              f"{per / lone_s:>11.2f}{eps:>13,.0f}{eps / lone_eps:>8.2f}")  # fmt: skip
    low, high = TFP_EXAMPLES_PER_S
    print(f"TF Playground's engine (nn.ts, measured by the issue): {low:,}–{high:,} examples/s")
    sweep_frames(args.repeats)


def sweep_frames(repeats: int) -> None:
    """Size and build time of a live sweep frame of 16 runs (4 learning rates x 4 seeds)."""
    from playground.web.live_sweep import LiveSweep

    sweep = LiveSweep(REFERENCE, {"learning_rate": "0.001:1:log:4", "seed": "1:4"})
    sweep.stack.step(500)
    for curves in (False, True):
        sweep.curves = curves
        size = len(sweep.frame(1))
        per = best_of(lambda: sweep.frame(1), repeats)
        print(
            f"sweep frame, 16 runs at step 500{' with curves' if curves else ''}: "
            f"{size / 1000:.1f} kB, {per * 1e3:.1f} ms to build"
        )


if __name__ == "__main__":
    main()
