"""Client message validation: every rejection names the field (docs/protocol.md)."""

from __future__ import annotations

import json

import pytest

from playground.web.protocol import COMMANDS, ProtocolError, View, parse_message


def test_every_command_without_required_fields_parses() -> None:
    for kind in ("play", "pause", "reset", "regenerate", "snapshot"):
        command = parse_message(json.dumps({"type": kind, "extra": 1}))
        assert command.type == kind and command.args == {}
    assert parse_message('{"type": "step"}').args == {"n": 1}
    assert set(COMMANDS) >= {"configure", "set", "step", "set_weight", "restore", "ack"}


@pytest.mark.parametrize(
    ("message", "field"),
    [
        ("{not json", "message"),
        ("[1, 2]", "type"),
        ('{"type": "explode"}', "type"),
        ('{"no": "type"}', "type"),
        ('{"type": "configure"}', "config"),
        ('{"type": "configure", "config": [1]}', "config"),
        ('{"type": "set", "changes": 3}', "changes"),
        ('{"type": "step", "n": 0}', "n"),
        ('{"type": "step", "n": 10001}', "n"),
        ('{"type": "step", "n": 2.5}', "n"),
        ('{"type": "step", "n": true}', "n"),
        ('{"type": "set_weight", "layer": 0, "i": 0, "j": 0}', "value"),
        ('{"type": "set_weight", "layer": 0, "i": 0, "j": 0, "value": 101}', "value"),
        ('{"type": "set_weight", "layer": 0, "i": 0, "j": 0, "value": "1"}', "value"),
        ('{"type": "set_weight", "layer": -1, "i": 0, "j": 0, "value": 1}', "layer"),
        ('{"type": "set_weight", "layer": 0, "j": 0, "value": 1}', "i"),
        ('{"type": "set_weight", "layer": 0, "kind": "gain", "j": 0, "value": 1}', "kind"),
        ('{"type": "restore", "snapshot": "x"}', "snapshot"),
        ('{"type": "ack"}', "seq"),
    ],
)
def test_bad_messages_name_the_field(message: str, field: str | None) -> None:
    with pytest.raises(ProtocolError) as caught:
        parse_message(message)
    assert caught.value.field == field
    error = caught.value.to_message()
    assert error["type"] == "error" and error["message"]


def test_nan_literal_is_not_a_finite_value() -> None:
    with pytest.raises(ProtocolError) as caught:
        parse_message('{"type": "set_weight", "layer": 0, "i": 0, "j": 0, "value": NaN}')
    assert caught.value.field == "value"


def test_bias_needs_no_row() -> None:
    args = parse_message('{"type":"set_weight","layer":1,"kind":"bias","j":0,"value":-2}').args
    assert args == {"layer": 1, "kind": "bias", "i": None, "j": 0, "value": -2.0}


def test_view_updates_are_validated_as_a_whole() -> None:
    view = View().updated({"speed": 5, "resolution": 50})
    assert (view.speed, view.resolution) == (5, 50)
    for changes, field in [({"speed": 0}, "speed"), ({"resolution": 500}, "resolution"),
                           ({"diagnostics": "maybe"}, "diagnostics")]:  # fmt: skip
        with pytest.raises(ProtocolError) as caught:
            view.updated(changes)
        assert caught.value.field == field
