"""Timeline figures: ms to rewind to a random step of a 10,000-step run, checkpoint bytes.

Reference config: spiral, 6 x 8 tanh, batch 10 (SGD). Goals: <= 50 ms per rewind and
<= 2 MB of checkpoints per run at the default settings.

    python benchmarks/timeline.py
"""

from __future__ import annotations

import random
import statistics
import time

from playground import RunConfig, Trainer

REFERENCE = RunConfig(dataset="spiral", hidden=[8] * 6, activation="tanh", batch_size=10,
                      n_points=500)  # fmt: skip
STEPS = 10_000


def main() -> None:
    trainer = Trainer(REFERENCE)
    started = time.perf_counter()
    trainer.step(STEPS)
    record = time.perf_counter() - started
    timeline = trainer.recorder
    print(f"{STEPS} steps recorded in {record * 1e3:.0f} ms "
          f"({len(timeline.checkpoints)} checkpoints every {timeline.every} steps)")  # fmt: skip
    print(f"checkpoint memory: {timeline.nbytes() / 1024:.0f} KiB "
          f"(bound {timeline.max_bytes / 1024:.0f} KiB)")  # fmt: skip
    rng = random.Random(1)
    seek_ms, rewind_ms = [], []
    for _ in range(50):
        k = rng.randrange(0, STEPS)
        t0 = time.perf_counter()
        trainer.at(k)  # what the page's scrubber asks for: the run itself is untouched
        seek_ms.append((time.perf_counter() - t0) * 1e3)
    for _ in range(20):
        copy = trainer.fork()
        k = rng.randrange(0, STEPS)
        t0 = time.perf_counter()
        copy.rewind(k)
        rewind_ms.append((time.perf_counter() - t0) * 1e3)
    for name, values in (("seek (at)", seek_ms), ("rewind", rewind_ms)):
        print(f"{name:10s} median {statistics.median(values):6.1f} ms   "
              f"max {max(values):6.1f} ms   (goal <= 50 ms)")  # fmt: skip
    long = Trainer(REFERENCE)
    long.step(50_000)
    print(f"after 50,000 steps: {long.recorder.nbytes() / 1024:.0f} KiB in "
          f"{len(long.recorder.checkpoints)} checkpoints")  # fmt: skip


if __name__ == "__main__":
    main()
