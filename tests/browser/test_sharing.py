"""Sharing and presenting: the URL reproduces a run, hide= flags, keyboard and help,
and a page that survives a server restart by restoring its snapshot.
"""

from __future__ import annotations

from typing import Any

from tests.browser.helpers import (
    Server,
    drawn_points,
    load,
    number,
    set_control,
    settle,
    step_count,
    tid,
    wait_epoch_at_least,
    wait_step,
    wait_url_has,
)


def test_url_round_trip_reproduces_the_run(new_page: Any, server: Server) -> None:
    a = new_page(permissions=["clipboard-read", "clipboard-write"])
    load(a, server.url + "/?dataset=spiral&noise=10&seed=7")
    set_control(a, "learning_rate", "0.1")
    wait_url_has(a, "learning_rate=0.1")
    a.click(tid("add-layer"))
    wait_url_has(a, "hidden=4,2,2")
    a.click(tid("feature-x1_sq"))
    wait_url_has(a, "x1_sq")
    a.click(tid("reset"))
    settle(a)
    first_a = (number(a, "train-loss"), number(a, "test-loss"))
    a.click(tid("step"))
    wait_step(a, 25)
    stepped_a = (number(a, "train-loss"), number(a, "test-loss"))
    a.click(tid("share"))
    copied = a.evaluate("navigator.clipboard.readText()")
    assert copied == a.url and "seed=7" in copied

    b = new_page()
    load(b, copied)
    assert b.url == copied  # same config, written back identically
    assert b.locator(tid("control-learning_rate")).input_value() == "0.1"
    assert b.locator("[data-testid^=neuron-]").count() == 8
    settle(b)
    assert (number(b, "train-loss"), number(b, "test-loss")) == first_a
    b.click(tid("step"))
    wait_step(b, 25)
    assert (number(b, "train-loss"), number(b, "test-loss")) == stepped_a


def test_keyboard_help_and_hide_flags(new_page: Any, server: Server) -> None:
    page = new_page()
    load(page, server.url + "/?hide=optimizer,share,features,hidden")
    assert not page.locator(tid("control-optimizer")).is_visible()
    assert not page.locator(tid("share")).is_visible()
    assert page.locator(tid("feature-x1_sq")).count() == 0  # inactive features hidden
    assert page.locator(tid("control-learning_rate")).is_visible()
    assert not page.locator(tid("add-layer")).is_visible()
    assert not page.locator(tid("add-neuron-0")).is_visible()  # the architecture is fixed
    assert "hide=optimizer,share,features,hidden" in page.url
    page.keyboard.press("?")
    page.locator("#help").wait_for(state="visible")
    page.keyboard.press("Escape")
    page.locator("#help").wait_for(state="hidden")
    page.keyboard.press(" ")
    wait_epoch_at_least(page, 2)
    page.keyboard.press("f")
    assert "fullscreen" in (page.get_attribute("#output-panel", "class") or "")
    page.keyboard.press("Escape")


def test_reconnects_after_a_server_restart_and_restores_the_run(new_page: Any) -> None:
    own = Server().start()
    try:
        page = new_page()
        load(page, own.url + "/?dataset=moons&seed=4")
        page.click(tid("step"))
        wait_step(page, 25)
        page.click(tid("step"))
        wait_step(page, 50)
        settle(page)
        loss = number(page, "test-loss")
        page.wait_for_function(  # the snapshot cadence (hello.limits) catches up with step 50
            "() => window.playground.session.lastSnapshot?.runs[0].trainer.step === 50"
        )
        own.stop()
        page.wait_for_selector("[data-testid=conn][data-state=disconnected]")
        own.start()
        page.wait_for_selector("[data-testid=conn][data-state=connected]", timeout=20_000)
        settle(page)
        assert step_count(page) == 50
        assert number(page, "test-loss") == loss
        assert "dataset=moons" in page.url and "seed=4" in page.url
        page.click(tid("step"))
        wait_step(page, 75)  # and it keeps training from there
    finally:
        own.stop()


def test_a_refused_value_in_the_address_falls_back_and_says_why(
    new_page: Any, server: Server
) -> None:
    page = new_page()
    load(page, server.url + "/?dataset=xor&learning_rate=50")
    error = page.locator(tid("error-learning_rate"))
    error.wait_for(state="visible")
    assert "10" in error.text_content()
    wait_url_has(page, "learning_rate=0.03")
    assert "dataset=xor" in page.url  # the valid values are kept
    assert drawn_points(page) == 250
    assert page.locator(tid("control-learning_rate")).input_value() == "0.03"
    page.click(tid("step"))
    wait_step(page, 25)


def test_a_chosen_loss_survives_a_dataset_of_the_same_kind(page: Any) -> None:
    set_control(page, "loss", "squared_error")
    wait_url_has(page, "loss=squared_error")
    page.click(tid("dataset-xor"))
    wait_url_has(page, "dataset=xor")
    assert "loss=squared_error" in page.url  # still binary: the choice is kept
    page.click(tid("dataset-spiral_k"))
    wait_url_has(page, "dataset=spiral_k")
    assert "loss=" not in page.url  # multiclass: back to its automatic loss
    assert page.locator(tid("control-loss")).input_value() == ""
