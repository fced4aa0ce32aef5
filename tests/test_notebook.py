"""examples/quickstart.ipynb runs top to bottom in a Python kernel (so it never rots)."""

from __future__ import annotations

from pathlib import Path

import nbclient
import nbformat

NOTEBOOK = Path(__file__).parents[1] / "examples" / "quickstart.ipynb"


def test_quickstart_notebook_executes() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3").execute(
        cwd=str(NOTEBOOK.parent)
    )
    outputs = [c.outputs for c in nb.cells if c.cell_type == "code"]
    assert all(outputs), "every cell shows something"
    html = outputs[0][0]["data"]["text/html"]
    assert "<svg" in html and "xor" in html
    assert "application/vnd.plotly.v1+json" in outputs[1][0]["data"]
