"""Insight views (issue 12): what each view costs when it is asked for.

Reference config: spiral, 500 points (250 training), 6 x 8 tanh, batch 10, SGD 0.03,
trained 20 epochs first. Goals: landscape 31 x 31 (961 weight settings, one batched
computation) <= 150 ms; range test of 200 steps <= 100 ms; hidden space per frame <= 1 ms.
A closed view costs nothing: the only per-training cost is the health record at each
epoch's end, measured here per epoch and compared with an epoch's training (frame cost
with every view closed: compare ``benchmarks/frames.py`` before and after).
Run: ``python benchmarks/insight.py``.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import numpy as np

from playground.config import RunConfig
from playground.engine.health import layer_norms
from playground.engine.trainer import Trainer

REFERENCE = RunConfig(
    dataset="spiral", n_points=500, hidden=[8] * 6, activation="tanh", batch_size=10,
    optimizer="sgd", learning_rate=0.03, seed=1,
)  # fmt: skip


def timed(fn: Callable[[], object], n: int) -> list[float]:
    """Wall time of ``n`` calls of ``fn``, in ms (after one warm-up call)."""
    fn()
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return times


def line(name: str, times: list[float], goal: float | None = None) -> None:
    med = statistics.median(times)
    p95 = float(np.percentile(times, 95))
    verdict = "" if goal is None else f"   goal <= {goal:g} ms: {'ok' if med <= goal else 'MISSED'}"
    print(f"{name:<38} median {med:8.3f} ms   p95 {p95:8.3f} ms{verdict}")


def main() -> None:
    t = Trainer(REFERENCE, checkpoint_every=100)
    t.run(epochs=20)
    print(f"reference: {t!r}, {t.network.flat.size} parameters, {t.data.n_train} training points")
    line("landscape 31x31 random", timed(lambda: t.landscape(resolution=31), 15), 150)
    line("landscape 31x31 trajectory",
         timed(lambda: t.landscape("trajectory", resolution=31), 15), 150)  # fmt: skip
    line("landscape 51x51 random", timed(lambda: t.landscape(resolution=51), 5))
    line("loss slice (51 points)", timed(lambda: t.loss_slice(), 30))
    line("LR range test 200 steps", timed(lambda: t.lr_range_test(steps=200), 10), 100)
    line("hidden space, last layer (8 units, PCA)", timed(lambda: t.hidden_space(5), 200), 1)
    line("hidden space, 2-unit layer",
         timed(lambda: Trainer(REFERENCE.updated(hidden=[8, 2])).hidden_space(1), 1))  # fmt: skip
    small = Trainer(REFERENCE.updated(hidden=[8, 2]))
    line("hidden space, 2-unit layer (per frame)", timed(lambda: small.hidden_space(1), 200), 1)
    line("health view (on request)", timed(t.health, 200))
    net = t.network
    record = timed(lambda: layer_norms(net.params, net.grads, t.last_update), 2000)
    epoch = timed(lambda: t.step(t.steps_to_epoch_end()), 100)
    line("health record per epoch (always on)", record)
    line("one epoch of training (25 steps)", epoch)
    share = statistics.median(record) / statistics.median(epoch)
    print(f"health record / epoch of training: {share:.2%}")


if __name__ == "__main__":
    main()
