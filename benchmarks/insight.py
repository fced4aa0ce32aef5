"""Insight views (issue 12): what each view costs when it is asked for.

Reference config: spiral, 500 points (250 training), 6 x 8 tanh, batch 10, SGD 0.03,
trained 20 epochs first. Goals: landscape 31 x 31 (961 weight settings, one batched
computation) <= 150 ms; range test of 200 steps <= 100 ms; hidden space per frame <= 1 ms.
A closed view costs nothing: the only per-training cost is the health record at each
epoch's end, measured here per epoch and compared with an epoch's training (frame cost
with every view closed: compare ``benchmarks/frames.py`` before and after).
Each line prints the best, the median and the 95th percentile of its runs.
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
from playground.web.frame_builder import FrameState, build_frame
from playground.web.protocol import View

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
    """Best, median and p95; the goal is judged on the best of the runs, the closest figure
    to the unloaded cost when the machine is shared (the median says how loaded it was)."""
    best, med = min(times), statistics.median(times)
    p95 = float(np.percentile(times, 95))
    verdict = "" if goal is None else f"  goal <= {goal:g} ms: {'ok' if best <= goal else 'MISSED'}"
    print(f"{name:<44} best {best:8.3f}  median {med:8.3f}  p95 {p95:8.3f} ms{verdict}")


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
    small = Trainer(REFERENCE.updated(hidden=[8, 2]))
    line("hidden space, 2-unit layer (per frame)", timed(lambda: small.hidden_space(1), 200), 1)
    line("health view (on request)", timed(t.health, 200))
    net = t.network
    record = timed(lambda: layer_norms(net, t.last_update), 2000)
    epoch = timed(lambda: t.step(t.steps_to_epoch_end()), 100)
    line("health record per epoch (always on)", record)
    line("one epoch of training (25 steps)", epoch)
    share = min(record) / min(epoch)
    print(f"health record / epoch of training: {share:.2%}")
    state = FrameState(seq=1, data_version=1, send_points=False, playing=True)
    for name, view in (("frame build, every view closed", View()),
                       ("frame build, hidden space open", View(hidden_layer=5)),
                       ("frame build, health open", View(health=True))):  # fmt: skip
        size = len(build_frame(t, view, state)[0])
        line(f"{name} ({size:,} B)", timed(lambda v=view: build_frame(t, v, state), 200))


if __name__ == "__main__":
    main()
