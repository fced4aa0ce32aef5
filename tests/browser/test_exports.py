"""Exports from the page (issue 13): PNGs of the output and of the whole playground, a
WebM recording, and the selected run as model.py / model JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from playground import Trainer
from tests.browser.helpers import tid, wait_epoch_at_least

# Decode a PNG Blob in the page: its size and how many distinct colours it holds.
PNG_FACTS = """async (which) => {
  const exporter = window.playground.exporter;
  const blob = which === 'output' ? await exporter.outputPng() : await exporter.pagePng();
  const image = await createImageBitmap(blob);
  const canvas = new OffscreenCanvas(image.width, image.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(image, 0, 0);
  const data = ctx.getImageData(0, 0, image.width, image.height).data;
  const colours = new Set();
  for (let k = 0; k < data.length; k += 4 * 97) {
    colours.add(data[k] << 16 | data[k + 1] << 8 | data[k + 2]);
  }
  return {type: blob.type, width: image.width, height: image.height, colours: colours.size};
}"""


def test_png_exports_have_their_size_and_a_picture(page: Any) -> None:
    page.click(tid("step"))
    wait_epoch_at_least(page, 1)
    output = page.evaluate(PNG_FACTS, "output")
    assert (output["type"], output["width"], output["height"]) == ("image/png", 1200, 1000)
    assert output["colours"] > 20  # boundary shades, points, legend: not blank
    whole = page.evaluate(PNG_FACTS, "page")
    assert (whole["width"], whole["height"]) == (1366, 768)  # the window, devicePixelRatio 1
    assert whole["colours"] > 20


def test_webm_recording(page: Any) -> None:
    video = page.evaluate(
        """async () => {
          const blob = await window.playground.exporter.recordVideo({seconds: 2, fps: 15});
          const head = [...new Uint8Array(await blob.slice(0, 4).arrayBuffer())];
          return {type: blob.type, size: blob.size, head};
        }"""
    )
    assert video["type"] == "video/webm"
    assert video["size"] > 1000
    assert video["head"] == [0x1A, 0x45, 0xDF, 0xA3]  # the EBML magic number of WebM
    assert int(page.text_content(tid("epoch"))) > 0  # it trained while recording


def test_numpy_and_model_buttons(page: Any, tmp_path: Path) -> None:
    page.click(tid("step"))
    wait_epoch_at_least(page, 1)
    page.click(tid("export-menu"))
    with page.expect_download() as info:
        page.click(tid("export-numpy"))
    assert info.value.suggested_filename == "model.py"
    script = tmp_path / "model.py"
    info.value.save_as(script)
    with page.expect_download() as info:
        page.click(tid("download-run"))
    run = tmp_path / "run.json"
    info.value.save_as(run)
    namespace: dict[str, Any] = {}
    exec(compile(script.read_text(), "model.py", "exec"), namespace)
    trainer = Trainer.restore(json.loads(run.read_text()))
    points = np.array([[1.0, 2.0], [-3.0, 0.5]])
    np.testing.assert_allclose(namespace["predict"](points), trainer.predict(points), atol=1e-9)
    page.click(tid("export-menu"))
    with page.expect_download() as info:
        page.click(tid("export-model"))
    model = json.loads(Path(info.value.path()).read_text())
    assert model["format"] == "nn-playground/model"
    assert model["layers"][0]["weights"] == trainer.network.params[0][0].tolist()
