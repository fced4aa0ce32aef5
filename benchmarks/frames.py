"""Frame cost: ms to produce one live frame and its size in bytes.

One frame = what the server does per frame while playing: the training work of one
epoch of the reference config (issue 3: spiral, 500 points, 6 x 8 tanh, batch 10, SGD
lr 0.03 -> 25 steps), the losses, every grid (output, neurons, features), and the binary
encoding. Measured at the default view (R = 100, r = 24) and at the maximum view
(R = 200, r = 64, diagnostics on), and for the largest network the config allows.
Goals (issue 4): <= 4 ms and <= 32 KB at defaults. Run: ``python benchmarks/frames.py``.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import numpy as np

from playground.config import RunConfig
from playground.engine.trainer import Trainer
from playground.web.frame_builder import FrameState, build_frame, frame_arrays, frame_header
from playground.web.frames import encode_frame
from playground.web.memory import keep_freed_memory
from playground.web.protocol import View
from playground.web.settings import Settings

REFERENCE = RunConfig(
    dataset="spiral", n_points=500, hidden=[8] * 6, activation="tanh", batch_size=10,
    optimizer="sgd", learning_rate=0.03, seed=1,
)  # fmt: skip
LARGEST = RunConfig(
    dataset="spiral_k", n_classes=5, n_points=5000, hidden=[32] * 8, activation="tanh",
    features=["x1", "x2", "x1_sq", "x2_sq", "x1x2", "sin_x1", "sin_x2", "r", "theta"],
    batch_size=10, optimizer="adam", learning_rate=0.003, seed=1,
)  # fmt: skip
DEFAULT_VIEW = View()
MAX_VIEW = View(resolution=200, neuron_resolution=64, diagnostics=True)
FRAMES = 300


def timed(fn: Callable[[], object], n: int) -> list[float]:
    """Wall time of ``n`` calls of ``fn``, in ms."""
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return times


def summary(times: list[float]) -> str:
    p95 = float(np.percentile(times, 95))
    return f"median {statistics.median(times):6.2f} ms   p95 {p95:6.2f} ms"


def measure(name: str, config: RunConfig, view: View, frames: int) -> None:
    """Print the per-frame cost (full and by part) and the frame sizes."""
    trainer = Trainer(config)
    steps = -(-trainer.data.n_train // config.batch_size)  # one epoch
    speed = max(1, steps)
    state = FrameState(seq=1, data_version=1, send_points=False, playing=True)

    def frame() -> None:
        trainer.step(speed)
        build_frame(trainer, view, state)

    timed(frame, 10)  # warm caches (grid features) and the allocator
    full = timed(frame, frames)
    train = timed(lambda: trainer.step(speed), frames)

    def metrics() -> None:
        trainer.step(1)  # a new step forces the recomputation (its cost is in `train`)
        trainer.metrics()

    losses = timed(metrics, frames)
    render = timed(lambda: trainer.render(view.resolution, view.neuron_resolution), frames)
    arrays, _ = frame_arrays(trainer, view, False)
    header = frame_header(trainer, view, state)
    encode = timed(lambda: encode_frame(header, arrays), frames)
    plain, _ = build_frame(trainer, view, state)
    with_points, _ = build_frame(
        trainer, view, FrameState(seq=1, data_version=1, send_points=True, playing=True)
    )
    print(f"\n{name}: {config.n_points} points, hidden {config.hidden}, "
          f"R={view.resolution} r={view.neuron_resolution}, {speed} steps per frame")  # fmt: skip
    print(f"  whole frame (train + losses + grids + encode)  {summary(full)}")
    print(f"    training, {speed} steps                         {summary(train)}")
    print(f"    losses (train + test)                       {summary(losses)}")
    print(f"    render (all grids, float32)                 {summary(render)}")
    print(f"    quantize + encode (given the grids)          {summary(encode)}")
    print(f"  frame size {len(plain):9,d} bytes   with points {len(with_points):9,d} bytes")


def main() -> None:
    print(__doc__.split("\n\n")[0])
    keep = Settings().malloc_keep_mib  # as every server worker does (app.py)
    print(f"the C heap keeps {keep} MiB of freed memory, as in a worker: "
          f"{keep_freed_memory(keep)}")  # fmt: skip
    measure("reference config, default view", REFERENCE, DEFAULT_VIEW, FRAMES)
    measure("reference config, maximum view", REFERENCE, MAX_VIEW, FRAMES // 3)
    measure("largest config, maximum view", LARGEST, MAX_VIEW, 20)
    print("\nTF Playground needs 66 ms for the reference epoch plus frame on this machine.")


if __name__ == "__main__":
    main()
