"""Looking inside and poking at the run: weights, neurons, rejected values, custom points,
training health and divergence.
"""

from __future__ import annotations

from typing import Any

from tests.browser.helpers import (
    Server,
    load,
    number,
    set_control,
    shot,
    tid,
    wait_drawn,
    wait_url_has,
)


def test_hover_shows_and_click_edits_a_weight(page: Any) -> None:
    link = page.locator(tid("link-0-1-3"))
    link.hover()
    tooltip = page.locator(tid("tooltip"))
    tooltip.wait_for(state="visible")
    assert "Weight" in tooltip.text_content()
    before = number(page, "test-loss")
    link.click()
    editor = page.locator(tid("weight-input"))
    editor.wait_for(state="visible")
    editor.fill("2.5")
    editor.press("Enter")
    page.wait_for_function(
        "v => document.querySelector('[data-testid=test-loss]').dataset.value !== v",
        arg=str(before),
    )
    link.hover()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=tooltip]').dataset.value === '2.5'"
    )
    assert "2.500" in tooltip.text_content()
    page.locator(tid("bias-0-0")).hover()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=tooltip]').textContent.startsWith('Bias')"
    )


def test_rejected_value_shows_the_error_and_reverts(page: Any) -> None:
    set_control(page, "learning_rate", "50")
    error = page.locator(tid("error-learning_rate"))
    error.wait_for(state="visible")
    assert "10" in error.text_content()  # the server's message: the limit it enforces
    page.wait_for_function(
        "() => document.querySelector('[data-testid=control-learning_rate]').value === '0.03'"
    )
    set_control(page, "batch_size", "0")
    page.locator(tid("error-batch_size")).wait_for(state="visible")
    assert page.locator(tid("control-batch_size")).input_value() == "10"
    assert "learning_rate=0.03" in page.url and "batch_size=10" in page.url
    shot(page, "rejected-value")


def test_hovering_a_neuron_shows_it_large_and_previews_are_drawn(page: Any) -> None:
    note = page.locator("#hover-note")
    assert not note.is_visible()
    page.locator(tid("neuron-0-1")).hover()
    note.wait_for(state="visible")
    assert "neuron 2" in note.text_content()
    page.mouse.move(5, 5)
    note.wait_for(state="hidden")
    page.wait_for_function(
        """() => {
          const c = document.querySelector('[data-testid=dataset-spiral] canvas');
          const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          for (let k = 0; k < d.length; k += 4) if (d[k] !== 255 || d[k + 2] !== 255) return true;
          return false;
        }"""
    )


def test_custom_points_by_clicking_the_output(page: Any) -> None:
    page.click(tid("dataset-custom"))
    wait_url_has(page, "dataset=custom")
    area = page.locator(tid("control-custom_points"))
    assert area.is_visible()
    assert len(area.input_value().splitlines()) == 4
    box = page.locator(tid("boundary")).bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_function(
        "() => document.querySelector('[data-testid=control-custom_points]')"
        ".value.split('\\n').length === 5"
    )
    page.click(tid("dataset-circle"))
    wait_url_has(page, "dataset=circle")
    assert not area.is_visible()


def test_training_health_table_follows_the_network(page: Any) -> None:
    table = page.locator(tid("diagnostics"))
    assert not table.is_visible()
    page.click(tid("show-diagnostics"))
    wait_url_has(page, "diagnostics=1")
    page.click(tid("step"))
    table.locator("tbody tr").nth(2).wait_for()
    assert table.locator("tbody tr").count() == 3  # two hidden layers + output
    assert table.locator("tbody td").first.text_content() not in ("", "–")
    page.click(tid("add-layer"))
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=diagnostics] tbody tr').length === 4"
    )


def test_diverged_run_shows_a_plain_words_banner(new_page: Any, server: Server) -> None:
    page = new_page()
    load(page, server.url + "/?dataset=spiral&learning_rate=10&optimizer=momentum&hidden=8,8")
    page.click(tid("play"))
    banner = page.locator("#banner")
    banner.wait_for(state="visible", timeout=20_000)
    assert "learning rate" in banner.text_content().lower()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=play]').getAttribute('aria-pressed')"
        " === 'false'"
    )
    wait_drawn(page)


def test_custom_points_from_a_csv_file(page: Any) -> None:
    csv = "x1,x2,label\n1,1,1\n-1,-1,0\n2,-2,1\n-2,2,0\n3,3,1\n"
    page.click(tid("dataset-custom"))
    wait_url_has(page, "dataset=custom")
    upload = {"name": "p.csv", "mimeType": "text/csv", "buffer": csv.encode()}
    page.set_input_files(tid("custom-file"), files=[upload])
    wait_url_has(page, "custom_points=1,1,1;-1,-1,0;2,-2,1;-2,2,0;3,3,1")
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=boundary] .scatterlayer path.point')"
        ".length > 0"
    )


def test_biases_and_neurons_work_from_the_keyboard(page: Any) -> None:
    page.locator(tid("bias-1-0")).focus()
    tooltip = page.locator(tid("tooltip"))
    tooltip.wait_for(state="visible")
    assert tooltip.text_content().startswith("Bias")
    page.keyboard.press("Enter")
    editor = page.locator(tid("weight-input"))
    editor.wait_for(state="visible")
    editor.fill("-1.25")
    editor.press("Enter")
    page.locator(tid("bias-1-0")).focus()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=tooltip]').dataset.value === '-1.25'"
    )
    page.locator(tid("neuron-1-1")).focus()
    page.locator("#hover-note").wait_for(state="visible")
