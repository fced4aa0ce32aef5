"""The one validated run configuration, used by the URL, the WebSocket, REST and the CLI.

Every limit of a run lives here, as a field's range, so that the page, the server and the
command line agree and every rejection names the field. A run is a pure function of its
``RunConfig`` (seed included): a shared link reproduces it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from playground.engine import snapshot as _snapshot
from playground.engine.activations import ACTIVATIONS
from playground.engine.datasets import DATASETS, validate_custom_points
from playground.engine.features import FEATURES
from playground.engine.initializers import INITIALIZERS
from playground.engine.losses import DEFAULT_LOSS, LOSSES
from playground.engine.optimizers import OPTIMIZERS
from playground.engine.schedules import SCHEDULES
from playground.engine.spec import RunSpec
from playground.engine.transfer import ARCHITECTURE_FIELDS, DATA_FIELDS, OPTIMIZER_FIELDS

MAX_HIDDEN_LAYERS = 8
MAX_NEURONS = 32
MIN_POINTS, MAX_POINTS = 20, 5000
MAX_SEED = 2**31 - 1
#: fields whose change re-draws the first weights (they set the spec's INIT_FIELDS)
REINITIALIZING_FIELDS = ("initializer", "bias_init", "preset")

LIMITS: dict[str, Any] = {
    "max_hidden_layers": MAX_HIDDEN_LAYERS,
    "max_neurons": MAX_NEURONS,
    "min_points": MIN_POINTS,
    "max_points": MAX_POINTS,
    "max_custom_points": MAX_POINTS,
    "input_square": [-6.0, 6.0],
}

Problem = Literal["binary", "multiclass", "regression"]


def _field(default: Any, group: str, description: str, **kw: Any) -> Any:
    return Field(default, description=description, json_schema_extra={"group": group}, **kw)


class ConfigError(ValueError):
    """A rejected configuration: ``field`` names the offending field (or None)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.message = message


def _choice(name: str, value: str, registry: dict[str, Any]) -> str:
    if value not in registry:
        raise ConfigError(f"unknown value {value!r}; allowed: {', '.join(registry)}", name)
    return value


def _holds(value: Any, kinds: type | tuple[type, ...]) -> bool:
    """Whether ``value`` is, or a list (of lists) holds, an instance of ``kinds``."""
    if isinstance(value, kinds):
        return True
    return isinstance(value, list | tuple) and any(_holds(v, kinds) for v in value)


class RunConfig(BaseModel):
    """Everything that determines a run. Every field has a range and a default."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)

    # data
    dataset: str = _field("circle", "data", "which toy data set")
    problem: Problem | None = _field(
        None,
        "data",
        "binary, multiclass or regression; derived from the data set (custom: give it)",
    )
    n_points: int = _field(500, "data", "number of points", ge=MIN_POINTS, le=MAX_POINTS)
    noise: float = _field(0.0, "data", "noise, in percent", ge=0.0, le=50.0)
    train_fraction: float = _field(0.5, "data", "share of points used for training", ge=0.1, le=0.9)
    n_classes: int = _field(3, "data", "classes of a multi-class data set", ge=3, le=5)
    custom_points: list[tuple[float, float, float]] | None = _field(
        None, "data", "rows (x1, x2, label or target) of the custom data set",
        max_length=MAX_POINTS,
    )  # fmt: skip
    seed: int = _field(1, "data", "seed of every random choice of the run", ge=0, le=MAX_SEED)
    # network
    features: list[str] = _field(
        ["x1", "x2"], "network", "input features", min_length=1, max_length=len(FEATURES)
    )
    hidden: list[int] = _field(
        [4, 2], "network", "neurons per hidden layer", max_length=MAX_HIDDEN_LAYERS
    )
    activation: str | list[str] = _field(
        "tanh", "network", "hidden activation: one for all layers, or one per layer"
    )
    loss: str | None = _field(None, "network", "loss (and output unit); default per problem")
    initializer: str | None = _field(None, "network", "weight initializer; default per activation")
    bias_init: float = _field(0.0, "network", "initial value of every bias", ge=-1.0, le=1.0)
    # training
    optimizer: str = _field("sgd", "training", "optimizer")
    learning_rate: float = _field(0.03, "training", "learning rate", gt=0.0, le=10.0)
    momentum: float = _field(0.9, "training", "momentum (momentum, nesterov)", ge=0.0, le=0.999)
    beta1: float = _field(0.9, "training", "Adam β1", ge=0.0, le=0.999)
    beta2: float = _field(0.999, "training", "Adam β2", ge=0.0, le=0.9999)
    epsilon: float = _field(1e-8, "training", "ε of adaptive optimizers", ge=1e-12, le=1e-2)
    rho: float = _field(0.9, "training", "RMSprop decay ρ", ge=0.0, le=0.999)
    weight_decay: float = _field(0.01, "training", "AdamW decoupled weight decay", ge=0.0, le=1.0)
    schedule: str = _field("constant", "training", "learning-rate schedule")
    decay_rate: float = _field(0.5, "training", "schedule decay factor", gt=0.0, le=1.0)
    decay_steps: int = _field(1000, "training", "schedule period in steps", ge=1, le=1_000_000)
    grad_clip: float = _field(0.0, "training", "clip gradient global norm (0 = off)", ge=0, le=1000)
    regularization: Literal["none", "l1", "l2"] = _field("none", "training", "weight penalty")
    regularization_rate: float = _field(0.0, "training", "penalty rate", ge=0.0, le=10.0)
    dropout: float | list[float] = _field(
        0.0, "training", "dropout rate: one for all hidden layers, or one per layer"
    )
    batch_size: int = _field(10, "training", "examples per step", ge=1, le=1000)
    preset: Literal["none", "tfp"] = _field(
        "none",
        "training",
        "tfp: TF Playground's training (squared error, U(-0.5, 0.5) weights, 0.1 biases, "
        "plain SGD, one fixed shuffle, its batch and L1 rules); overrides those fields",
    )

    @field_validator("*", mode="before")
    @classmethod
    def _strict_types(cls, value: Any, info: ValidationInfo) -> Any:
        """No boolean anywhere, no string where a number goes: pydantic would quietly read
        true as 1 and "300" as 300, against the protocol's strictness rule."""
        if _holds(value, bool):
            raise ValueError("expected a number, a string or a list, got a boolean")
        text = isinstance(value, str | bytes)  # a list-only field lets pydantic say "list"
        nested = not text and _holds(value, (str, bytes))
        scalar = info.field_name not in LIST_FIELDS
        if info.field_name in NUMERIC_FIELDS and (nested or (text and scalar)):
            raise ValueError("expected a valid number, not a string")
        return value

    @model_validator(mode="after")
    def _check(self) -> RunConfig:
        spec = DATASETS[_choice("dataset", self.dataset, DATASETS)]
        if self.dataset == "custom":
            problem = self.problem or "binary"
            if not self.custom_points:
                raise ConfigError("the custom data set needs at least 2 rows", "custom_points")
            try:
                validate_custom_points(self.custom_points, problem, self.n_classes)
            except ValueError as e:
                raise ConfigError(str(e), "custom_points") from None
        else:
            problem = spec.problem
            if self.problem is not None and self.problem != problem:
                raise ConfigError(
                    f"data set {self.dataset!r} is a {problem} problem, not {self.problem}",
                    "problem",
                )
        object.__setattr__(self, "problem", problem)
        seen: set[str] = set()
        for f in self.features:
            _choice("features", f, FEATURES)
            if f in seen:
                raise ConfigError(f"feature {f!r} is listed twice", "features")
            seen.add(f)
        for n in self.hidden:
            if not 1 <= n <= MAX_NEURONS:
                raise ConfigError(f"each layer needs 1 to {MAX_NEURONS} neurons, got {n}", "hidden")
        for a in self.activations:
            _choice("activation", a, ACTIVATIONS)
        if isinstance(self.activation, list) and len(self.activation) != len(self.hidden):
            raise ConfigError(
                f"give one activation, or one per hidden layer ({len(self.hidden)})", "activation"
            )
        for p in self.dropouts:
            if not 0.0 <= p <= 0.9:
                raise ConfigError(f"dropout must be between 0 and 0.9, got {p}", "dropout")
        if isinstance(self.dropout, list) and len(self.dropout) != len(self.hidden):
            raise ConfigError(
                f"give one dropout rate, or one per hidden layer ({len(self.hidden)})", "dropout"
            )
        loss = self.loss or DEFAULT_LOSS[problem]
        _choice("loss", loss, LOSSES)
        if problem not in LOSSES[loss].problems:
            allowed = [n for n, s in LOSSES.items() if problem in s.problems]
            raise ConfigError(
                f"{loss!r} does not fit a {problem} problem; allowed: {', '.join(allowed)}", "loss"
            )
        object.__setattr__(self, "loss", loss)
        if self.initializer is not None:
            _choice("initializer", self.initializer, INITIALIZERS)
        _choice("optimizer", self.optimizer, OPTIMIZERS)
        _choice("schedule", self.schedule, SCHEDULES)
        return self

    # Derived views -------------------------------------------------------------------
    @property
    def activations(self) -> list[str]:
        """The activation of every hidden layer."""
        if isinstance(self.activation, list):
            return list(self.activation)
        return [self.activation] * len(self.hidden)

    @property
    def dropouts(self) -> list[float]:
        """The dropout rate of every hidden layer."""
        if isinstance(self.dropout, list):
            return list(self.dropout)
        return [float(self.dropout)] * len(self.hidden)

    def initializer_for(self, activation: str) -> str:
        """The initializer a layer with ``activation`` uses (explicit, or its default)."""
        return self.initializer or ACTIVATIONS[activation].default_initializer

    def spec(self) -> RunSpec:
        """The engine's record of this config, with every "auto" choice resolved."""
        acts = tuple(self.activations)
        if self.preset == "tfp":
            return replace(
                self.updated(preset="none").spec(),
                loss="squared_error" if self.problem != "multiclass" else str(self.loss),
                initializers=("uniform",) * (len(acts) + 1),
                bias_init=0.1,
                optimizer="sgd",
                schedule="constant",
                grad_clip=0.0,
                dropouts=(0.0,) * len(acts),
                tf_mode=True,
                initializer_choice="uniform",
            )
        return RunSpec(
            dataset=self.dataset,
            problem=str(self.problem),  # set by the validator
            n_points=self.n_points,
            noise=self.noise,
            train_fraction=self.train_fraction,
            n_classes=self.n_classes,
            custom_points=None
            if self.custom_points is None
            else tuple(tuple(row) for row in self.custom_points),  # type: ignore[misc]
            seed=self.seed,
            features=tuple(self.features),
            hidden=tuple(self.hidden),
            activations=acts,
            loss=str(self.loss),
            initializers=tuple(self.initializer_for(a) for a in (*acts, "tanh")),
            bias_init=self.bias_init,
            optimizer=self.optimizer,
            learning_rate=self.learning_rate,
            optimizer_hyper=tuple((k, float(getattr(self, k))) for k in OPTIMIZER_FIELDS),
            schedule=self.schedule,
            decay_rate=self.decay_rate,
            decay_steps=self.decay_steps,
            grad_clip=self.grad_clip,
            regularization=self.regularization,
            regularization_rate=self.regularization_rate,
            dropouts=tuple(self.dropouts),
            batch_size=self.batch_size,
            initializer_choice=self.initializer or "auto",
        )

    def updated(self, **changes: Any) -> RunConfig:
        """A new config with ``changes`` applied and everything re-validated.

        Derived fields follow: a new data set re-derives the problem, and the loss falls
        back to the new problem's default when the problem changes; a per-layer
        activation or dropout list follows a change in the number of layers.
        """
        for name in changes:
            if name not in type(self).model_fields:
                raise ConfigError(f"unknown field {name!r}", name)
        data = self.model_dump()
        if "dataset" in changes and "problem" not in changes:
            data["problem"] = None
        data.update(changes)
        if "hidden" in changes and isinstance(changes["hidden"], list):
            n = len(changes["hidden"])
            for key in ("activation", "dropout"):
                value = data[key]
                if isinstance(value, list) and value and key not in changes:
                    # the last layer's choice carries over to added layers
                    data[key] = [value[min(i, len(value) - 1)] for i in range(n)]
        if "loss" in changes:
            return parse_config(data)
        try:
            new = parse_config(data)
        except ConfigError as e:
            if e.field != "loss":
                raise
        else:
            if new.problem == self.problem:
                return new  # same kind of problem: the chosen loss stays
        return parse_config({**data, "loss": None})


def parse_config(data: Any) -> RunConfig:
    """Validate untrusted input into a RunConfig, or raise ConfigError naming the field."""
    if isinstance(data, RunConfig):
        return data
    if not isinstance(data, dict):
        raise ConfigError("a configuration must be a JSON object")
    try:
        return RunConfig.model_validate(data)
    except ConfigError:
        raise
    except ValidationError as e:
        raise _config_error(e) from None


def _config_error(e: ValidationError) -> ConfigError:
    err = e.errors(include_url=False)[0]
    loc = err.get("loc", ())
    field = str(loc[0]) if loc else None
    ctx_error = (err.get("ctx") or {}).get("error")
    if isinstance(ctx_error, ConfigError):
        return ctx_error
    msg = str(ctx_error) if ctx_error is not None else err.get("msg", "invalid value")
    if err.get("type") == "extra_forbidden":
        msg = "unknown field"
    detail = "".join(f"[{p}]" for p in loc[1:] if not isinstance(p, str) or p.isdigit())
    value = err.get("input")
    shown = "" if isinstance(value, dict | list) else f" (got {value!r})"
    return ConfigError(f"{msg}{detail}{shown}".replace("Value error, ", ""), field)


def field_specs() -> list[dict[str, Any]]:
    """Every RunConfig field with type, default, range, choices, group and liveness."""
    choices: dict[str, list[str]] = {
        "dataset": list(DATASETS),
        "problem": ["binary", "multiclass", "regression"],
        "features": list(FEATURES),
        "activation": list(ACTIVATIONS),
        "loss": list(LOSSES),
        "initializer": list(INITIALIZERS),
        "optimizer": list(OPTIMIZERS),
        "schedule": list(SCHEDULES),
        "regularization": ["none", "l1", "l2"],
        "preset": ["none", "tfp"],
    }
    specs = []
    for name, info in RunConfig.model_fields.items():
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        lo = hi = None
        for m in info.metadata:
            lo = getattr(m, "ge", None) if getattr(m, "ge", None) is not None else lo
            lo = getattr(m, "gt", None) if getattr(m, "gt", None) is not None else lo
            hi = getattr(m, "le", None) if getattr(m, "le", None) is not None else hi
        if name == "hidden":
            lo, hi = 1, MAX_NEURONS
        if name == "dropout":
            lo, hi = 0.0, 0.9
        ann = info.annotation
        type_name = getattr(ann, "__name__", None) or str(ann).replace("typing.", "")
        specs.append(
            {
                "name": name,
                "type": type_name,
                "default": info.default,
                "min": lo,
                "max": hi,
                "exclusive_min": any(getattr(m, "gt", None) is not None for m in info.metadata),
                "max_items": next(
                    (m.max_length for m in info.metadata if hasattr(m, "max_length")), None
                ),
                "choices": choices.get(name),
                "group": extra.get("group"),
                "live": name not in DATA_FIELDS and name not in ARCHITECTURE_FIELDS,
                # changing it draws the weights again (the engine's "init" change)
                "reinitializes": name in REINITIALIZING_FIELDS,
                "description": info.description,
            }
        )
    return specs


def options() -> dict[str, Any]:
    """Every registry and field spec: the page builds its controls from this."""
    from playground.engine.optimizers import OPTIMIZER_HYPERPARAMETERS

    return {
        "datasets": [
            {
                "name": s.name,
                "problem": s.problem,
                "description": s.description,
                "uses_classes": s.uses_classes,
                # n_points and noise shape generated data only (custom points are given)
                "generated": s.generate is not None,
            }
            for s in DATASETS.values()
        ],
        "features": [{"name": f.name, "label": f.label} for f in FEATURES.values()],
        "activations": [{"name": a.name, "label": a.label} for a in ACTIVATIONS.values()],
        "losses": [
            {
                "name": s.name,
                "label": s.label,
                "problems": list(s.problems),
                "description": s.description,
            }
            for s in LOSSES.values()
        ],  # fmt: skip
        "initializers": [
            {"name": i.name, "description": i.description} for i in INITIALIZERS.values()
        ],
        "optimizers": [
            {
                "name": name,
                "description": getattr(cls, "description", ""),
                "hyperparameters": list(OPTIMIZER_HYPERPARAMETERS.get(name, ())),
            }
            for name, cls in OPTIMIZERS.items()
        ],
        "schedules": [
            {"name": s.name, "description": s.description, "hyperparameters": list(s.uses)}
            for s in SCHEDULES.values()
        ],
        "fields": field_specs(),
        "limits": LIMITS,
    }


#: fields whose values are numbers (or lists of numbers): strings are refused there
NUMERIC_FIELDS = frozenset(
    name
    for name, info in RunConfig.model_fields.items()
    if "str" not in str(info.annotation) and "Literal" not in str(info.annotation)
)

LIST_FIELDS = frozenset(
    name for name, info in RunConfig.model_fields.items()
    if str(info.annotation).startswith("list[")
)  # fmt: skip

# A snapshot's config is untrusted: the engine re-validates it with this parser.
_snapshot.set_config_loader(parse_config)
