"""Command line: ``nn-playground serve`` (the default), ``train`` and ``sweep``.

``train`` exposes every ``RunConfig`` field as a flag built from the config's own field
specs, so the command line can never drift from what the page and the API accept.
A bad value exits with status 2 and one line naming the flag and its allowed range.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from typing import Any, NoReturn

from playground import __version__
from playground.cli_teach import add_teach_commands, run_teach
from playground.config import NUMERIC_FIELDS, ConfigError, RunConfig, field_specs, parse_config

MAX_EPOCHS = 100_000
#: short flags people type, beside the long ``--field-name`` ones
ALIASES = {"learning_rate": ["--lr"]}
LIST_FIELDS = {"hidden": int, "features": str}
MAYBE_LIST_FIELDS = {"activation": str, "dropout": float}
BAR_WIDTH = 30


class _Parser(argparse.ArgumentParser):
    """argparse that reports a bad value in one line (exit status 2), not usage + error."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _range_text(spec: dict[str, Any]) -> str:
    lo, hi = spec["min"], spec["max"]
    if spec["name"] == "hidden":
        return f"0..{spec['max_items']} layers of {lo}..{hi} neurons"
    if lo is None and hi is None:
        return ""
    if spec["exclusive_min"]:
        return f"{lo} < value <= {hi}"
    return f"{lo}..{hi}"


def _help(spec: dict[str, Any]) -> str:
    parts = [spec["description"] or spec["name"]]
    if spec["choices"]:
        parts.append("one of: " + ", ".join(spec["choices"]))
    if spec["name"] in LIST_FIELDS or spec["name"] in MAYBE_LIST_FIELDS:
        parts.append("comma-separated")
    rng = _range_text(spec)
    if rng:
        parts.append(f"range {rng}")
    default = spec["default"]
    if isinstance(default, list):
        default = ",".join(str(v) for v in default)
    parts.append(f"default: {'auto' if default is None else default}")
    return "; ".join(parts)


def _add_config_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("run configuration (every RunConfig field)")
    for spec in field_specs():
        name = spec["name"]
        flags = [*ALIASES.get(name, []), _flag(name)]
        metavar = "ROWS.csv" if name == "custom_points" else name.upper()
        group.add_argument(*flags, dest=name, default=None, metavar=metavar, help=_help(spec))


def _parse_value(name: str, raw: str) -> Any:
    """Command-line text -> the JSON value RunConfig validates (it does the range checks)."""
    if name in LIST_FIELDS:
        items = [s.strip() for s in raw.split(",") if s.strip()]
        convert = LIST_FIELDS[name]
        try:
            return [convert(s) for s in items]
        except ValueError:
            msg = f"expected a comma-separated list of {convert.__name__}s"
            raise ConfigError(msg, name) from None
    if name in MAYBE_LIST_FIELDS and "," in raw:
        convert = MAYBE_LIST_FIELDS[name]
        try:
            return [convert(s.strip()) for s in raw.split(",")]
        except ValueError:
            msg = f"expected a value or a comma-separated list, got {raw!r}"
            raise ConfigError(msg, name) from None
    if name in ("problem", "loss", "initializer") and raw == "auto":
        return None
    if name == "custom_points":
        return _read_rows(raw)
    if name in NUMERIC_FIELDS:  # RunConfig takes no text for a number: convert it here
        for number in (int, float):
            try:
                return number(raw)
            except ValueError:
                pass
    return raw


def _read_rows(path: str) -> list[list[float]]:
    """Rows ``x1,x2,label`` of a point file (``playground.points_csv``, shared with the server)."""
    from playground.points_csv import PointsError, read_points

    try:
        return read_points(path)
    except PointsError as e:
        raise ConfigError(str(e), "custom_points") from None


def _read_json(path: str) -> Any:
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except OSError as e:
        raise ValueError(f"cannot read {path}: {e.strerror}") from None
    except json.JSONDecodeError as e:
        raise ValueError(f"{path} is not JSON: {e}") from None


def config_from_args(args: argparse.Namespace) -> RunConfig:
    """The RunConfig the flags describe (unset flags keep their defaults)."""
    data = {}
    for spec in field_specs():
        raw = getattr(args, spec["name"], None)
        if raw is not None:
            data[spec["name"]] = _parse_value(spec["name"], raw)
    return parse_config(data)


def _fail(parser: argparse.ArgumentParser, error: ConfigError) -> NoReturn:
    specs = {s["name"]: s for s in field_specs()}
    spec = specs.get(error.field or "")
    where = (ALIASES.get(error.field or "") or [_flag(error.field)])[0] if error.field else None
    text = error.message
    if spec is not None:
        rng = _range_text(spec)
        if rng and "range" not in text:
            text += f"; allowed range {rng}"
        if spec["choices"] and "allowed" not in text:
            text += "; allowed: " + ", ".join(spec["choices"])
    parser.error(f"{where}: {text}" if where else text)


def _progress(epoch: int, total: int, metrics: dict[str, Any]) -> None:
    done = int(BAR_WIDTH * epoch / total)
    loss = metrics["test_loss"]
    shown = "—" if loss is None else f"{loss:.4f}"
    bar = "#" * done + "-" * (BAR_WIDTH - done)
    sys.stderr.write(f"\r[{bar}] epoch {epoch}/{total}  test loss {shown}")
    sys.stderr.flush()


def run_training(
    config: RunConfig | None,
    epochs: int,
    show_progress: bool = False,
    resume: Any = None,
) -> tuple[dict[str, Any], Any]:
    """Train ``config`` (or continue the ``resume`` snapshot) for ``epochs`` more epochs.

    Returns the summary ``train --json`` prints (the keys of ``POST /api/train``) and the
    trainer, whose ``snapshot()`` ``--save`` writes.
    """
    from playground.engine.trainer import Trainer

    trainer = Trainer.restore(resume) if resume is not None else Trainer(config)
    target = trainer.epoch + epochs
    shown = [0.0]

    def progress(t: Any) -> None:
        now = time.perf_counter()
        if now - shown[0] > 0.1 or t.epoch >= target:
            _progress(t.epoch, target, t.metrics())
            shown[0] = now

    result = trainer.run(epochs=target, on_progress=progress if show_progress else None)
    if show_progress:
        sys.stderr.write("\n")
    return result.to_dict(), trainer


def _summary(result: dict[str, Any]) -> str:
    cfg = result["config"]
    lines = [
        f"{cfg['dataset']} ({cfg['problem']}), hidden {cfg['hidden']} {cfg['activation']}, "
        f"{cfg['optimizer']} lr {cfg['learning_rate']}, seed {cfg['seed']}",
        f"{result['epochs']} epochs, {result['steps']} steps in {result['seconds']:.2f} s",
    ]
    for part in ("train", "test"):
        loss, acc = result["metrics"][f"{part}_loss"], result["metrics"][f"{part}_accuracy"]
        text = f"{part:5s} loss {'—' if loss is None else f'{loss:.4f}'}"
        if acc is not None:
            text += f"   accuracy {acc:.1%}"
        lines.append(text)
    if result["diverged"]:
        lines.append(result["diverged"]["reason"])
    return "\n".join(lines)


def _epochs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer 1..{MAX_EPOCHS}") from None
    if not 1 <= value <= MAX_EPOCHS:
        raise argparse.ArgumentTypeError(f"must be in 1..{MAX_EPOCHS}, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The ``nn-playground`` parser with its ``serve`` and ``train`` commands."""
    parser = _Parser(prog="nn-playground", description="A neural-network playground.")
    parser.add_argument("--version", action="version", version=f"nn-playground {__version__}")
    commands = parser.add_subparsers(dest="command", parser_class=_Parser)
    serve = commands.add_parser("serve", help="start the playground server (the default)")
    try:
        from playground.web.serve import add_serve_arguments
    except ImportError:  # pragma: no cover - the web layer is part of the package
        pass
    else:
        add_serve_arguments(serve)
    train = commands.add_parser(
        "train",
        help="train one run headless and print its metrics",
        description="Train one run headless. Every RunConfig field has a flag.",
    )
    train.add_argument(
        "--epochs", type=_epochs, default=100, help=f"epochs to train; 1..{MAX_EPOCHS}; default 100"
    )
    train.add_argument("--json", action="store_true", help="print one JSON object, no progress")
    train.add_argument(
        "--save", metavar="RUN.json", help="write the run's snapshot here (the page opens it too)"
    )
    train.add_argument(
        "--resume",
        metavar="RUN.json",
        help="continue this snapshot bit-for-bit (--epochs more epochs; no config flags)",
    )
    train.set_defaults(command_parser=train)
    _add_config_flags(train)
    add_teach_commands(commands)
    for name in ("lesson", "export"):
        commands.choices[name].set_defaults(command_parser=commands.choices[name])
    from playground.cli_sweep import add_sweep_command

    add_sweep_command(commands, _add_config_flags, _epochs)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``nn-playground`` command."""
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version"):
        argv = ["serve", *argv]
    args = parser.parse_args(argv)
    if args.command in ("lesson", "export"):
        return run_teach(args)
    if args.command == "sweep":
        from playground.cli_sweep import run_sweep_command

        return run_sweep_command(args, config_from_args, _fail, _read_json)
    if args.command == "train":
        resume = None
        config = None
        try:
            if args.resume:
                if any(getattr(args, s["name"], None) is not None for s in field_specs()):
                    args.command_parser.error("--resume: config flags cannot be combined with it")
                resume = _read_json(args.resume)
            else:
                config = config_from_args(args)
            result, trainer = run_training(config, args.epochs, not args.json, resume)
        except ConfigError as e:
            if resume is not None:
                args.command_parser.error(f"--resume: the snapshot's config: {e}")
            _fail(args.command_parser, e)
        except ValueError as e:
            args.command_parser.error(f"--resume: {e}")
        if args.save:
            try:
                with open(args.save, "w", encoding="utf-8") as f:
                    json.dump(trainer.snapshot(), f, allow_nan=False)
            except OSError as e:
                args.command_parser.error(f"--save: cannot write {args.save}: {e.strerror}")
        if args.json:
            print(json.dumps(result, allow_nan=False))
        else:
            print(_summary(result))
        return 0
    from playground.web.serve import run_serve

    return run_serve(args)


if __name__ == "__main__":
    sys.exit(main())
