"""nn-playground: a NumPy MLP trained live on a server and drawn in the browser.

The public Python API is ``RunConfig`` (the validated configuration of a run) and
``Trainer`` (trains it step by step)::

    from playground import RunConfig, Trainer
    t = Trainer(RunConfig(dataset="spiral", hidden=[8, 8], optimizer="adam",
                          learning_rate=0.01, seed=1))
    t.step(1000)
    print(t.metrics())
"""

from playground.config import ConfigError, RunConfig, parse_config
from playground.engine.trainer import Trainer

__version__ = "0.1.0"
__all__ = ["ConfigError", "RunConfig", "Trainer", "__version__", "parse_config"]
