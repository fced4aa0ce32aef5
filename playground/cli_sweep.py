"""``nn-playground sweep``: train a config many times with one or two settings varied.

``nn-playground sweep --config run.json --vary learning_rate=0.001:1:log:8 --vary seed=1:4
--epochs 200 [--json]`` prints one line per run (or the JSON of ``POST /api/sweep``).
The base config comes from ``--config`` (a RunConfig as JSON) and/or the same per-field
flags ``train`` has (flags override the file).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from playground.config import ConfigError, field_specs, parse_config
from playground.sweeps import MAX_SWEEP_RUNS, SWEEPABLE, sweep


def add_sweep_command(commands: Any, add_config_flags: Any, epochs_type: Any) -> None:
    """Register the ``sweep`` subcommand on ``commands`` (argparse subparsers)."""
    parser = commands.add_parser(
        "sweep",
        help="train one config many times with one or two settings varied",
        description="Train one config many times, one or two settings varied, as one stack. "
        f"At most {MAX_SWEEP_RUNS} runs. Sweepable: {', '.join(SWEEPABLE)}.",
    )
    parser.add_argument(
        "--vary", action="append", default=[], metavar="FIELD=VALUES", required=True,
        help="e.g. learning_rate=0.001:1:log:8, seed=1:4, initializer=he_uniform,uniform, "
        "dropout=0:0.5:lin:4; give it once or twice",
    )  # fmt: skip
    parser.add_argument("--config", metavar="RUN.json", help="the base config as JSON")
    parser.add_argument("--epochs", type=epochs_type, default=100, help="epochs; default 100")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(command_parser=parser)
    add_config_flags(parser)


def run_sweep_command(args: argparse.Namespace, flags_config: Any, fail: Any,
                      read_json: Any) -> int:  # fmt: skip
    """Run the sweep the parsed ``args`` describe and print it."""
    parser = args.command_parser
    try:
        base: dict[str, Any] = {}
        if args.config:
            loaded = read_json(args.config)
            if not isinstance(loaded, dict):
                parser.error("--config: expected a JSON object of RunConfig fields")
            base = parse_config(loaded).model_dump()
        flags = flags_config(args).model_dump(exclude_unset=True)
        given = {s["name"] for s in field_specs() if getattr(args, s["name"], None) is not None}
        config = parse_config({**base, **{k: v for k, v in flags.items() if k in given}})
        result = sweep(config, args.vary, epochs=args.epochs)
    except ConfigError as e:
        varied = {v.split("=", 1)[0].strip() for v in args.vary}
        if e.field == "vary":
            parser.error(f"--vary: {e.message}")
        if e.field in varied:
            parser.error(f"--vary {e.field}: {e.message}")
        fail(parser, e)
    except ValueError as e:
        parser.error(str(e))
    if args.json:
        from playground.web.frames import json_safe

        print(json.dumps(json_safe(result.to_dict()), allow_nan=False))
    else:
        print(result.table())
    return 0
