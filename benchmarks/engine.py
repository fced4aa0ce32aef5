"""Engine speed: µs per training step and grid rendering time, against a NumPy floor.

Reference config (issue 3): spiral, 500 points, 50 % train, inputs x1 x2, 6 hidden layers
x 8 tanh, batch 10, SGD lr 0.03, float64 training. The "floor" is a minimal hand-written
NumPy step of the same network (forward, backprop, SGD update; no checks, no bookkeeping):
NumPy's per-call overhead bounds what any NumPy engine can do. PyTorch CPU is measured too
when it is installed. Run: ``python benchmarks/engine.py``.
"""

from __future__ import annotations

import time

import numpy as np

from playground import RunConfig, Trainer

REFERENCE = RunConfig(
    dataset="spiral",
    n_points=500,
    train_fraction=0.5,
    features=["x1", "x2"],
    hidden=[8] * 6,
    activation="tanh",
    batch_size=10,
    optimizer="sgd",
    learning_rate=0.03,
    seed=1,
)
STEPS = 20_000
REPEATS = 5


def best_of(fn, repeats: int = REPEATS) -> float:
    """Best wall time of ``repeats`` calls (the least disturbed by the rest of the machine)."""
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def floor_step_fn(trainer: Trainer):
    """A minimal hand-written NumPy training loop of the same network and batches."""
    rng = np.random.default_rng(0)
    X = trainer.train_features.copy()
    t = trainer.network.loss_fn.targets(trainer.data.y_train).copy()
    params = [(W.copy(), b.copy()) for W, b in trainer.network.params]
    n = len(X)
    batch = REFERENCE.batch_size
    lr = REFERENCE.learning_rate

    def run() -> None:
        order = rng.permutation(n)
        pos = 0
        for _ in range(STEPS):
            if pos >= n:
                order = rng.permutation(n)
                pos = 0
            idx = order[pos : pos + batch]
            pos += batch
            a = X[idx]
            acts = [a]
            for W, b in params[:-1]:
                a = np.tanh(a @ W + b)
                acts.append(a)
            W, b = params[-1]
            z = a @ W + b
            delta = (0.5 * (1.0 + np.tanh(0.5 * z)) - t[idx]) / len(idx)
            for k in range(len(params) - 1, -1, -1):
                W, b = params[k]
                gW = acts[k].T @ delta
                gb = delta.sum(axis=0)
                if k:
                    delta = (delta @ W.T) * (1.0 - acts[k] * acts[k])
                W -= lr * gW
                b -= lr * gb

    return run


def torch_step_fn(trainer: Trainer):
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    X = torch.tensor(trainer.train_features)
    t = torch.tensor(trainer.network.loss_fn.targets(trainer.data.y_train))
    layers = []
    sizes = trainer.network.layer_sizes
    for i, o in zip(sizes[:-1], sizes[1:], strict=True):
        layers += [torch.nn.Linear(i, o).double(), torch.nn.Tanh()]
    model = torch.nn.Sequential(*layers[:-1])
    opt = torch.optim.SGD(model.parameters(), lr=REFERENCE.learning_rate)
    lossf = torch.nn.BCEWithLogitsLoss()
    n = len(X)

    def run() -> None:
        order = torch.randperm(n)
        pos = 0
        for _ in range(STEPS):
            if pos >= n:
                order = torch.randperm(n)
                pos = 0
            idx = order[pos : pos + 10]
            pos += 10
            opt.zero_grad()
            loss = lossf(model(X[idx]), t[idx])
            loss.backward()
            opt.step()

    return run


def main() -> None:
    print(
        f"numpy {np.__version__}; reference: {REFERENCE.dataset}, hidden {REFERENCE.hidden} "
        f"{REFERENCE.activation}, batch {REFERENCE.batch_size}, SGD lr {REFERENCE.learning_rate}"
    )
    trainer = Trainer(REFERENCE)
    trainer.step(100)  # warm up
    engine = best_of(lambda: trainer.step(STEPS)) / STEPS
    floor = best_of(floor_step_fn(trainer)) / STEPS
    batch = REFERENCE.batch_size
    print(f"training step  engine : {engine * 1e6:7.1f} µs/step  {batch / engine:9,.0f} examples/s")
    print(f"               floor  : {floor * 1e6:7.1f} µs/step  {batch / floor:9,.0f} examples/s")
    print(
        f"               ratio  : {engine / floor:7.2f} x the hand-written NumPy floor "
        "(goal <= 1.3)"
    )
    torch_run = torch_step_fn(trainer)
    if torch_run is not None:
        t = best_of(torch_run, 2) / STEPS
        print(f"               torch  : {t * 1e6:7.1f} µs/step  {batch / t:9,.0f} examples/s")
    else:
        print("               torch  : not installed")
    print("               TF Playground (JS, same machine, from the issue): ~125,000 examples/s")
    for r, nr in ((100, None), (100, 24), (200, 64)):
        ms = best_of(lambda r=r, nr=nr: [trainer.render(r, nr) for _ in range(20)]) / 20 * 1e3
        label = f"{r}x{r} output + 48 neuron grids at {nr or r}x{nr or r}"
        print(f"render  {label:48s}: {ms:6.2f} ms (goal <= 2 ms at 100x100)")


if __name__ == "__main__":
    main()
