"""Response models of the REST API, so ``/openapi.json`` (and ``/docs``) show every answer.

FastAPI validates each answer against its model, so a model that drifts from what a
handler returns fails that handler's tests instead of lying in the docs. Entries of the
registries allow extra keys: a new registry attribute reaches the page without a model
change, and the documented keys are the ones the page relies on.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from playground.config import Problem, RunConfig
from playground.engine.loop import STOP_REASONS

Number = int | float  # ints stay ints (smart union), so answers keep their JSON form
StopReason = Literal[STOP_REASONS]  # type: ignore[valid-type]


class Health(BaseModel):
    """``GET /api/health``."""

    status: Literal["ok"] = Field(description="always `ok` while the worker answers")
    version: str = Field(description="the installed package version")
    sessions: int = Field(ge=0, description="live WebSocket sessions on this worker")
    loop_stall_ms: float | None = Field(
        default=None,
        description="with PLAYGROUND_LOOP_PROBE: longest event-loop stall since the last request",
    )
    loop_stall_p99_ms: float | None = Field(default=None, description="its 99th percentile")
    loop_busy_ms: float | None = Field(
        default=None, description="most loop-thread CPU within one probe interval"
    )
    coschedule: dict[str, int] | None = Field(
        default=None,
        description="with co-scheduling on (PLAYGROUND_COSCHEDULE): this worker's batches, "
        "requests, frames, run-steps trained in stacks (`stacked_steps`) and alone "
        "(`alone_steps`), the largest stack, the batches' CPU and wall time (`cpu_ms`, "
        "`wall_ms`), and what pages on one shared path saved (`memo_steps`: run-steps "
        "taken from kept states, `memo_states`: states kept now, `shared_frames`: frames "
        "whose pictures another page had built)",
    )


class _Entry(BaseModel):
    model_config = ConfigDict(extra="allow")

    name: str = Field(description="the public name (URL, API, CLI and page use it)")


class LabelledEntry(_Entry):
    """A feature or an activation."""

    label: str


class DescribedEntry(_Entry):
    """An initializer or a learning-rate schedule."""

    description: str


class DatasetEntry(_Entry):
    """A data set of the ``dataset`` field."""

    problem: Problem
    description: str
    uses_classes: bool = Field(description="whether `n_classes` changes this data set")


class LossEntry(_Entry):
    """A loss and the problem types it fits."""

    label: str
    problems: list[str]
    description: str


class OptimizerEntry(_Entry):
    """An optimizer and the config fields that tune it."""

    description: str
    hyperparameters: list[str]


class FieldSpec(BaseModel):
    """One settable field: its type, range, default and choices (the page's controls)."""

    model_config = ConfigDict(extra="allow")

    name: str
    type: str = Field(description="`int`, `float`, `bool`, `str`, `ints`, ... (see state.js)")
    default: Any
    min: Number | None = None
    max: Number | None = None
    exclusive_min: bool = False
    max_items: int | None = None
    choices: list[Any] | None = None
    group: str
    live: bool = Field(description="changes apply to a running session without a reset")
    description: str


class Options(BaseModel):
    """``GET /api/options``: the vocabulary, every field and every limit."""

    model_config = ConfigDict(extra="allow")  # a new section is never dropped silently

    datasets: list[DatasetEntry]
    features: list[LabelledEntry]
    activations: list[LabelledEntry]
    losses: list[LossEntry]
    initializers: list[DescribedEntry]
    optimizers: list[OptimizerEntry]
    schedules: list[DescribedEntry]
    fields: list[FieldSpec] = Field(description="the run fields (`RunConfig`)")
    view_fields: list[FieldSpec] = Field(description="the live view settings")
    limits: dict[str, Number | list[Number]] = Field(
        description="run limits and this server's limits (sessions, rates, sizes)"
    )
    tf_link: dict[str, Any] = Field(description="how TensorFlow Playground link keys map here")
    sweep: dict[str, Any] = Field(description="what a sweep may vary, its defaults and limits")
    diagram: dict[str, Any] = Field(description="the network diagram's link-threshold rule")
    insight: dict[str, Any] = Field(
        description="the insight views' options, defaults and limits (landscape, LR range "
        "test, neuron states)"
    )


class Divergence(BaseModel):
    """Why and when a run stopped making sense (a non-finite loss or weight)."""

    model_config = ConfigDict(extra="allow")

    step: int
    reason: str


class TrainResult(BaseModel):
    """``POST /api/train``: the same keys as ``nn-playground train --json``."""

    stopped: StopReason = Field(description="why training stopped")
    epochs: int
    steps: int
    seconds: float = Field(description="wall time spent training")
    metrics: dict[str, Number | None] = Field(
        description="final epoch, step, train/test loss and accuracy, learning rate"
    )
    diverged: Divergence | None
    history: dict[str, list[Number | None]] = Field(description="one value per epoch, per metric")
    config: RunConfig


class Split(BaseModel):
    """One part of a data set."""

    points: list[list[float]] = Field(description="`[x1, x2]` rows")
    labels: list[Number] = Field(description="class index, or the regression target")


class DatasetPoints(BaseModel):
    """``POST /api/dataset``: the points a run of this config trains and tests on."""

    config: RunConfig
    problem: Problem
    train: Split
    test: Split


class _Open(BaseModel):
    """A JSON document whose full shape is documented elsewhere; the listed keys are the
    ones clients rely on, the rest pass through unchanged."""

    model_config = ConfigDict(extra="allow")


class LessonSummary(_Open):
    """One lesson in the picker (an invalid file has ``valid: false`` and ``problems``)."""

    name: str
    title: str
    source: str | None = Field(
        default=None, description="`builtin` or `local` (the `--lessons` folder)"
    )
    scenes: int | None = Field(default=None, ge=0, description="null for an invalid file")
    valid: bool


class LessonList(BaseModel):
    """``GET /api/lessons``."""

    lessons: list[LessonSummary]


class LessonOut(_Open):
    """``GET /api/lessons/{name}``: scenes with rendered (escaped) text, config, goal."""

    name: str
    title: str
    intro_html: str
    source: str
    scenes: list[dict[str, Any]]


class RunFile(_Open):
    """A run file (`nn-playground.run`, as *Download run* and `train --save` write it)."""

    format: str
    version: int


class ModelJson(_Open):
    """Model JSON (`docs/model-format.md`): features, layers, output, config."""

    format: str
    version: int
    problem: Problem
    features: list[str]
    layers: list[dict[str, Any]]


class SweepResult(BaseModel):
    """``POST /api/sweep``: the same keys as ``nn-playground sweep --json``."""

    axes: list[dict[str, Any]] = Field(description="each swept field and its values")
    runs: list[dict[str, Any]] = Field(description="per run: values, metrics, history")
    stopped: str
    seconds: float
    config: dict[str, Any]
    spread: Any = Field(description="min/median/max across seeds when the seed is swept")


class RunSummary(BaseModel):
    """The run an insight view looked at, after its ``epochs`` of training."""

    metrics: dict[str, Number | None] = Field(
        description="epoch, step, train/test loss and accuracy, learning rate"
    )
    diverged: Divergence | None


class LossSlice(BaseModel):
    """The objective along the last update's direction."""

    t: list[float]
    losses: list[float | None]


class LandscapeResult(BaseModel):
    """``POST /api/landscape``: the loss surface around the run's weights."""

    run: RunSummary
    directions: str = Field(description="`random` or `trajectory`")
    alphas: list[float]
    betas: list[float]
    losses: list[list[float | None]] = Field(
        description="`losses[j][i]` at `weights + alphas[i] * d1 + betas[j] * d2`"
    )
    center_loss: float | None = Field(description="the run's own objective, exactly")
    path: list[list[float]] = Field(description="checkpoints projected on the plane")
    path_steps: list[int]
    span: float
    slice: LossSlice


class LrRangeResult(BaseModel):
    """``POST /api/lr-range``: Smith's learning-rate range test on a fork of the run."""

    run: RunSummary
    learning_rates: list[float]
    losses: list[float | None]
    smoothed: list[float | None]
    suggested: float | None = Field(description="where the smoothed loss falls fastest")
    stopped: Literal["done", "exploded", "diverged", "seconds"]
