"""Client -> server messages of ``/ws``: parsing and validation, and the view settings.

Everything a client sends is untrusted. ``parse_message`` turns one text message into a
``Command`` or raises ``ProtocolError`` naming the offending field; it never touches the
session, so a rejected message leaves the session exactly as it was.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from playground.config import MAX_HIDDEN_LAYERS
from playground.engine import landscape, lr_range
from playground.engine.surgery import NEURON_STATES

MAX_STEP = 10_000  # `step` n
MAX_WEIGHT = 100.0  # |value| of `set_weight`

#: Message types and the fields each one may carry (others are ignored).
COMMANDS = (
    "configure", "set", "play", "pause", "step", "reset", "regenerate", "set_weight",
    "snapshot", "restore", "ack", "fork", "new_run", "select", "close_run", "seek", "rewind",
    "timeline", "sweep", "set_neuron", "landscape", "lr_range",
)  # fmt: skip
SWEEP_ACTIONS = ("start", "play", "pause", "step", "view", "open", "close")
#: requests answered by a binary message computed in a worker thread (insight views)
VIEW_REQUESTS = ("landscape", "lr_range")
#: commands that may target every run at once with ``"run": "all"``
ALL_RUNS = ("play", "pause", "step")
MAX_RUN_ID = 8  # characters of a run id
#: JSON objects and arrays in one message: a 1 MiB message of ``[{},{},...]`` would parse
#: into 25 MB of empty dicts; real messages (a 16-run snapshot with 5,000 custom points
#: each) stay far below, at about one container per 16 bytes
MAX_CONTAINERS = 65_536
MAX_ECHO = 80  # characters of a rejected value quoted back in an error
#: the field an error names when a command fails for a reason its handler did not foresee
MAIN_FIELD = {
    "configure": "config", "new_run": "config", "set": "changes", "restore": "snapshot",
    "set_weight": "value", "step": "n", "fork": "step", "seek": "step", "rewind": "step",
    "ack": "seq", "select": "run", "close_run": "run",
}  # fmt: skip


def shown(value: Any) -> str:
    """``repr(value)`` cut to ``MAX_ECHO`` characters: errors never echo unbounded input."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 200:
        return f"an integer of about {int(value.bit_length() * 0.30103)} digits"
    text = repr(value)
    return text if len(text) <= MAX_ECHO else f"{text[: MAX_ECHO - 1]}…"


class ProtocolError(ValueError):
    """A rejected client message; ``field`` names the offending field (or None)."""

    def __init__(self, message: str, field: str | None = None, request: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.request = request

    def to_message(self) -> dict[str, Any]:
        """The ``error`` message sent back to the client."""
        return {
            "type": "error",
            "message": self.message if len(self.message) <= 400 else f"{self.message[:399]}…",
            "field": self.field
            if self.field is None or len(self.field) <= 64
            else f"{self.field[:63]}…",
            "request": self.request,
        }


class View(BaseModel):
    """How a session is drawn and paced; never changes the run's results."""

    # strict: no "5" or true for a number, no 1 for a boolean (the protocol's rule)
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True, strict=True)

    speed: int = Field(
        default=25, ge=1, le=1000, description="training steps per frame while playing"
    )
    resolution: int = Field(default=100, ge=10, le=200, description="output grid side")
    neuron_resolution: int = Field(
        default=16, ge=8, le=64, description="neuron and feature grid side"
    )
    diagnostics: bool = Field(
        default=False, description="send training-health diagnostics in frames"
    )
    hidden_layer: int = Field(
        default=-1,
        ge=-1,
        le=MAX_HIDDEN_LAYERS - 1,
        description="hidden-space view: the hidden layer drawn in frames (-1 = closed)",
    )
    health: bool = Field(
        default=False, description="send the training-health history and warnings in frames"
    )
    stop_epoch: int = Field(
        default=0,
        ge=0,
        le=1_000_000,
        description="pause with event 'done' at this epoch (0 = never)",
    )

    def updated(self, changes: dict[str, Any]) -> View:
        """A new View with ``changes`` applied, or ProtocolError naming the field."""
        try:
            return View.model_validate({**self.model_dump(), **changes})
        except ValidationError as e:
            err = e.errors(include_url=False)[0]
            name = str(err["loc"][0]) if err.get("loc") else None
            raise ProtocolError(f"{err['msg']} (got {shown(err.get('input'))})", name) from None


VIEW_FIELDS = frozenset(View.model_fields)


def view_field_specs() -> list[dict[str, Any]]:
    """The view fields in the shape of ``options()['fields']`` (group ``"view"``)."""
    specs = []
    for name, info in View.model_fields.items():
        lo = next((m.ge for m in info.metadata if getattr(m, "ge", None) is not None), None)
        hi = next((m.le for m in info.metadata if getattr(m, "le", None) is not None), None)
        specs.append(
            {
                "name": name,
                "type": getattr(info.annotation, "__name__", str(info.annotation)),
                "default": info.default,
                "min": lo,
                "max": hi,
                "exclusive_min": False,
                "choices": None,
                "group": "view",
                "live": True,
                "description": info.description,
            }
        )
    return specs


@dataclass(frozen=True)
class Command:
    """One validated client message: its ``type`` and the fields that type uses."""

    type: str
    args: dict[str, Any] = field(default_factory=dict)


def _int(msg: dict[str, Any], name: str, lo: int, hi: int, default: int | None = None) -> int:
    value = msg.get(name, default)
    if value is None:
        raise ProtocolError(f"{name} is required", name)
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise ProtocolError(f"{name} must be an integer in {lo}..{hi}, got {shown(value)}", name)
    return value


def _object(msg: dict[str, Any], name: str) -> dict[str, Any]:
    value = msg.get(name)
    if not isinstance(value, dict):
        raise ProtocolError(f"{name} must be a JSON object", name)
    return value


def _parse_set_weight(msg: dict[str, Any]) -> dict[str, Any]:
    kind = msg.get("kind", "weight")
    if kind not in ("weight", "bias"):
        raise ProtocolError(f"kind must be 'weight' or 'bias', got {shown(kind)}", "kind")
    value: Any = msg.get("value")
    # an int is compared as an int: math.isfinite(10**400) raises OverflowError
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if not number or (isinstance(value, float) and not math.isfinite(value)):
        raise ProtocolError(f"value must be a finite number, got {shown(value)}", "value")
    if abs(value) > MAX_WEIGHT:
        raise ProtocolError(f"value must be within ±{MAX_WEIGHT:g}, got {shown(value)}", "value")
    big = 1 << 30
    return {
        "layer": _int(msg, "layer", 0, big),
        "kind": kind,
        "i": _int(msg, "i", 0, big) if kind == "weight" else None,
        "j": _int(msg, "j", 0, big),
        "value": float(value),
    }


def _number(msg: dict[str, Any], name: str, default: float, limit: float = 1e30) -> float:
    """A finite number with |value| <= ``limit`` (an int is compared as an int: a 400-digit
    one would overflow ``float``)."""
    value = msg.get(name, default)
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if not number or (isinstance(value, float) and not math.isfinite(value)):
        raise ProtocolError(f"{name} must be a finite number, got {shown(value)}", name)
    if abs(value) > limit:
        raise ProtocolError(f"{name} must be within ±{limit:g}, got {shown(value)}", name)
    return float(value)


def _checked(check: Any, *values: Any) -> None:
    """Run an engine option check; its ValueError starts with the field it names."""
    try:
        check(*values)
    except ValueError as e:
        raise ProtocolError(str(e), str(e).split(" ", 1)[0]) from None


def _parse_landscape(msg: dict[str, Any]) -> dict[str, Any]:
    args = {
        "directions": msg.get("directions", "random"),
        "resolution": _int(msg, "resolution", landscape.MIN_RESOLUTION,
                           landscape.MAX_RESOLUTION, default=31),
        "span": _number(msg, "span", 1.0),
        "seed": _int(msg, "seed", 0, 2**31 - 1, default=0),
    }  # fmt: skip
    _checked(landscape.check_options, args["resolution"], args["span"], args["directions"])
    return args


def _parse_lr_range(msg: dict[str, Any]) -> dict[str, Any]:
    args = {
        "start": _number(msg, "start", 1e-5),
        "stop": _number(msg, "stop", 10.0),
        "steps": _int(msg, "steps", lr_range.MIN_STEPS, lr_range.MAX_STEPS, default=200),
    }
    _checked(lr_range.check_options, args["start"], args["stop"], args["steps"])
    return args


def _parse_set_neuron(msg: dict[str, Any]) -> dict[str, Any]:
    state = msg.get("state")
    if state not in NEURON_STATES:
        raise ProtocolError(f"state must be one of {', '.join(NEURON_STATES)}, got {state!r}",
                            "state")  # fmt: skip
    return {"layer": _int(msg, "layer", 0, MAX_HIDDEN_LAYERS - 1),
            "index": _int(msg, "index", 0, 1 << 30), "state": state}  # fmt: skip


def parse_message(text: str) -> Command:
    """Validate one client text message; raises ProtocolError (never anything else)."""
    if text.count("{") + text.count("[") > MAX_CONTAINERS:
        raise ProtocolError(
            f"a message may hold at most {MAX_CONTAINERS} JSON objects and arrays", "message"
        )
    try:
        msg = json.loads(text)
    except (ValueError, RecursionError) as e:
        raise ProtocolError(f"not valid JSON: {str(e)[:200]}", "message") from None
    if not isinstance(msg, dict):
        raise ProtocolError("a message must be a JSON object with a 'type'", "type")
    kind = msg.get("type")
    if not isinstance(kind, str) or kind not in COMMANDS:
        raise ProtocolError(
            f"unknown message type {shown(kind)}; expected one of: {', '.join(COMMANDS)}", "type"
        )
    try:
        args = _arguments(kind, msg)
        run = _run_id(msg, kind)
        if run is not None:
            args["run"] = run
    except ProtocolError as e:
        e.request = kind
        raise
    return Command(kind, args)


def _run_id(msg: dict[str, Any], kind: str) -> str | None:
    run = msg.get("run")
    if run is None and kind in ("select", "close_run"):
        raise ProtocolError("run is required", "run")
    if run is None:
        return None
    if run == "all" and kind not in ALL_RUNS:
        raise ProtocolError(f"run 'all' is only allowed for {', '.join(ALL_RUNS)}", "run")
    if not isinstance(run, str) or not 0 < len(run) <= MAX_RUN_ID:
        raise ProtocolError(f"run must be a run id string (at most {MAX_RUN_ID} characters)", "run")
    return run


def _bool(msg: dict[str, Any], name: str, default: bool) -> bool:
    value = msg.get(name, default)
    if not isinstance(value, bool):
        raise ProtocolError(f"{name} must be true or false, got {shown(value)}", name)
    return value


def _optional_step(msg: dict[str, Any]) -> int | None:
    if msg.get("step") is None:
        return None
    return _int(msg, "step", 0, 1 << 53)


def _arguments(kind: str, msg: dict[str, Any]) -> dict[str, Any]:
    if kind == "fork":
        return {"step": _optional_step(msg), "select": _bool(msg, "select", True)}
    if kind == "new_run":
        return {"config": _object(msg, "config"), "select": _bool(msg, "select", True)}
    if kind == "seek":
        return {"step": _optional_step(msg)}
    if kind == "rewind":
        return {"step": _int(msg, "step", 0, 1 << 53)}
    if kind == "configure":
        return {"config": _object(msg, "config")}
    if kind == "set":
        return {"changes": _object(msg, "changes")}
    if kind == "step":
        until = msg.get("until")
        if until not in (None, "epoch"):
            raise ProtocolError(f"until must be 'epoch' or absent, got {until!r}", "until")
        args: dict[str, Any] = {"n": _int(msg, "n", 1, MAX_STEP, default=1)}
        if until is not None:
            args["until"] = until
        return args
    if kind == "set_weight":
        return _parse_set_weight(msg)
    if kind == "set_neuron":
        return _parse_set_neuron(msg)
    if kind == "landscape":
        return _parse_landscape(msg)
    if kind == "lr_range":
        return _parse_lr_range(msg)
    if kind == "restore":
        return {"snapshot": _object(msg, "snapshot"), "as_new": _bool(msg, "as_new", False)}
    if kind == "ack":
        return {"seq": _int(msg, "seq", 0, 1 << 62)}
    if kind == "sweep":
        return _parse_sweep(msg)
    return {}


def _parse_sweep(msg: dict[str, Any]) -> dict[str, Any]:
    action = msg.get("action")
    if action not in SWEEP_ACTIONS:
        raise ProtocolError(f"action must be one of {', '.join(SWEEP_ACTIONS)}, got {action!r}",
                            "action")  # fmt: skip
    args: dict[str, Any] = {"action": action}
    if action == "start":
        args["vary"] = _object(msg, "vary")
        args["config"] = None if msg.get("config") is None else _object(msg, "config")
        args["curves"] = _bool(msg, "curves", False)
    elif action == "view":
        args["curves"] = _bool(msg, "curves", False)
    elif action == "step":
        args["n"] = _int(msg, "n", 1, MAX_STEP, default=1)
    elif action == "open":
        args["cell"] = _int(msg, "cell", 0, 1 << 30)
        args["replace"] = _bool(msg, "replace", False)
    return args
