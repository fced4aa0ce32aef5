"""GET /api/options carries the TF Playground link table the page reads."""

from starlette.testclient import TestClient

from playground.tflink import TF_LINK


def test_options_carry_the_tf_playground_link_table(client: TestClient) -> None:
    body = client.get("/api/options").json()
    assert body["tf_link"] == TF_LINK
    assert body["tf_link"]["dataset"]["gauss"] == "gaussian"
