"""The diagram's link-threshold rule (issue 10) lives in Python and reaches the page
through GET /api/options; the page's own behaviour is tested in tests/browser/test_diagram.py."""

from starlette.testclient import TestClient

from playground.web.diagram import AUTO_DENSE, DENSE_NEURONS, auto_link_threshold


def test_auto_threshold_hides_faint_links_only_in_dense_networks() -> None:
    assert auto_link_threshold([2, 4, 2, 1]) == 0.0
    assert auto_link_threshold([2, 15, 15, 1]) == 0.0
    assert auto_link_threshold([2, 4, DENSE_NEURONS, 1]) == AUTO_DENSE > 0
    assert auto_link_threshold([2, 1]) == 0.0  # no hidden layer
    # The output layer does not count: 20 classes do not make a dense diagram.
    assert auto_link_threshold([2, 4, 20]) == 0.0


def test_options_publish_the_rule_the_page_applies(client: TestClient) -> None:
    rule = client.get("/api/options").json()["diagram"]["link_threshold"]
    assert rule["default"] == "auto"
    auto = rule["auto"]
    for sizes in ([2, 4, 2, 1], [2, 20, 20, 1], [9, 32, 1], [2, 16, 3]):
        hidden = sizes[1:-1]
        page = auto["dense"] if max(hidden) >= auto["dense_neurons"] else auto["sparse"]
        assert page == auto_link_threshold(sizes), sizes
    assert rule["choices"][0] == 0 and rule["choices"] == sorted(rule["choices"])
    assert AUTO_DENSE in rule["choices"]
    assert AUTO_DENSE == 0.2 and DENSE_NEURONS == 16  # as the README says
