"""TF Playground links: a full TF fragment opens the equivalent configuration here."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlparse

from tests.browser.helpers import Server, load, tid

# The fragment TF Playground writes for its default page (every key), plus hide flags and
# two settings without an equivalent here (cosX, a tutorial).
TF_FRAGMENT = (
    "#activation=relu&batchSize=7&dataset=spiral&regDataset=reg-plane&learningRate=0.01"
    "&regularizationRate=0.003&noise=15&networkShape=6,3,2&seed=0.72&showTestData=true"
    "&discretize=false&percTrainData=70&x=true&y=true&xTimesY=true&xSquared=false"
    "&ySquared=false&cosX=true&sinX=true&cosY=false&sinY=false&collectStats=false"
    "&problem=classification&initZero=false&hideText=false&tutorial=dp-spiral"
    "&regularization=L2&learningRate_hide=true&playButton_hide=true&noise_hide=false"
)


def test_a_full_tf_playground_link_opens_the_same_configuration(
    new_page: Any, server: Server
) -> None:
    page = new_page()
    load(page, server.url + "/" + TF_FRAGMENT)
    page.wait_for_function("() => location.search.includes('dataset=spiral')")
    query = {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}
    assert urlparse(page.url).fragment == ""  # rewritten as our own address
    expected = {
        "dataset": "spiral",
        "noise": "15",
        "train_fraction": "0.7",
        "features": "x1,x2,x1x2,sin_x1",
        "hidden": "6,3,2",
        "activation": "relu",
        "learning_rate": "0.01",
        "regularization": "l2",
        "regularization_rate": "0.003",
        "batch_size": "7",
        "seed": "72000",
        "test": "1",
        "preset": "tfp",  # TF-compatible training
    }
    assert {k: query.get(k) for k in expected} == expected
    assert set(query["hide"].split(",")) == {"learning_rate", "play"}
    assert page.locator("[data-testid^=neuron-]").count() == 11
    assert not page.locator(tid("control-learning_rate")).is_visible()
    assert not page.locator(tid("play")).is_visible()
    assert page.locator(tid("control-noise")).is_visible()
    note = page.locator("#banner-text").text_content()
    assert "TensorFlow Playground link" in note
    assert "cos(X1)" in note and "tutorials" in note
    assert "hideText" not in note and "collectStats" not in note  # false: nothing lost


def test_malformed_tf_keys_give_a_message_not_a_blank_page(new_page: Any, server: Server) -> None:
    page = new_page()
    fragment = "#dataset=donut&batchSize=ten&networkShape=3&bogus=1&x=maybe&stepButton_hide=true"
    load(page, server.url + "/" + fragment)
    note = page.locator("#banner-text").text_content()
    assert 'dataset: "donut" is not one of circle, xor, gauss, spiral' in note
    assert 'batchSize: "ten" is not a whole number' in note
    assert "bogus: not a TF Playground setting" in note
    assert 'x: "maybe" is not true or false' in note
    # the readable rest still applies and the page works
    page.wait_for_function("() => location.search.includes('hidden=3')")
    assert page.locator("[data-testid^=neuron-]").count() == 3
    assert not page.locator(tid("step")).is_visible()
