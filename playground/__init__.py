"""nn-playground: a NumPy MLP trained live on a server and drawn in the browser.

The public Python API is ``RunConfig`` (the validated configuration of a run) and
``Trainer`` (trains it step by step)::

    from playground import RunConfig, Trainer
    t = Trainer(RunConfig(dataset="spiral", hidden=[8, 8], optimizer="adam",
                          learning_rate=0.01, seed=1))
    t.step(1000)
    print(t.metrics())

``sweep`` trains one config many times with one or two settings varied (as one stack)::

    from playground import sweep
    result = sweep(RunConfig(dataset="spiral"), {"learning_rate": "0.001:1:log:4",
                                                 "seed": "1:4"}, epochs=50)
    print(result.table())
"""

from playground.config import ConfigError, RunConfig, parse_config
from playground.engine.trainer import Trainer
from playground.sweeps import SweepResult, sweep

__version__ = "0.1.0"
__all__ = [
    "ConfigError",
    "RunConfig",
    "SweepResult",
    "Trainer",
    "__version__",
    "parse_config",
    "sweep",
]
