"""Exports of a trained run: the model as JSON and as a standalone NumPy script (issue 13).

Both start from a run file (what *Download run* and ``train --save`` write), so the page
and the command line share one path: run file -> ``Trainer.restore`` -> export.
"""

from playground.export.model_json import MODEL_FORMAT, model_json, trainer_from_run
from playground.export.numpy_script import numpy_script

__all__ = ["MODEL_FORMAT", "model_json", "numpy_script", "trainer_from_run"]
