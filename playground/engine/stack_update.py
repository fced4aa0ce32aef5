"""Optimizer updates for stacked runs: each rule of ``optimizers.py`` on (R, P) arrays.

Row r of every array is run r's flat vector; hyperparameters are per-run columns (R, 1)
(or plain floats when every run shares them). Each function performs the same ufunc calls
in the same order as the lone optimizer's ``_update``, so a run's row gets exactly the
bits the lone run gets (elementwise IEEE arithmetic does not depend on its neighbours).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Array = np.ndarray
Column = Array | float  # (R, 1) per-run values, or one value for all
Update = Callable[[Array, Array, Column, dict[str, Array], dict[str, Column], Array, Array], None]


def _sgd(p: Array, g: Array, lr: Column, s: dict[str, Array], h: dict[str, Column],
         t: Array, tmp: Array) -> None:  # fmt: skip
    np.multiply(g, lr, out=tmp)
    np.subtract(p, tmp, out=p)


def _momentum(p: Array, g: Array, lr: Column, s: dict[str, Array], h: dict[str, Column],
              t: Array, tmp: Array) -> None:  # fmt: skip
    v = s["velocity"]
    np.multiply(v, h["momentum"], out=v)
    np.add(v, g, out=v)
    np.multiply(v, lr, out=tmp)
    np.subtract(p, tmp, out=p)


def _nesterov(p: Array, g: Array, lr: Column, s: dict[str, Array], h: dict[str, Column],
              t: Array, tmp: Array) -> None:  # fmt: skip
    v, mu = s["velocity"], h["momentum"]
    np.multiply(v, mu, out=v)
    np.add(v, g, out=v)
    np.multiply(v, mu, out=tmp)
    np.add(tmp, g, out=tmp)
    np.multiply(tmp, lr, out=tmp)
    np.subtract(p, tmp, out=p)


def _adagrad(p: Array, g: Array, lr: Column, s: dict[str, Array], h: dict[str, Column],
             t: Array, tmp: Array) -> None:  # fmt: skip
    acc = s["sum_sq"]
    np.multiply(g, g, out=tmp)
    np.add(acc, tmp, out=acc)
    np.sqrt(acc, out=tmp)
    np.add(tmp, h["epsilon"], out=tmp)
    np.divide(g, tmp, out=tmp)
    np.multiply(tmp, lr, out=tmp)
    np.subtract(p, tmp, out=p)


def _rmsprop(p: Array, g: Array, lr: Column, s: dict[str, Array], h: dict[str, Column],
             t: Array, tmp: Array) -> None:  # fmt: skip
    acc = s["mean_sq"]
    np.multiply(acc, h["rho"], out=acc)
    np.multiply(g, g, out=tmp)
    np.multiply(tmp, h["1-rho"], out=tmp)
    np.add(acc, tmp, out=acc)
    np.sqrt(acc, out=tmp)
    np.add(tmp, h["epsilon"], out=tmp)
    np.divide(g, tmp, out=tmp)
    np.multiply(tmp, lr, out=tmp)
    np.subtract(p, tmp, out=p)


def _bias_fix(beta: Column, t: Array) -> Column:
    """``1 - beta**t`` per run, in Python floats exactly as ``Adam._direction`` computes it."""
    if isinstance(beta, float) and (t == t[0]).all():
        return 1.0 - beta ** int(t[0])
    betas = np.broadcast_to(np.asarray(beta, dtype=float).reshape(-1), t.shape)
    return np.array([[1.0 - float(b) ** int(k)] for b, k in zip(betas, t, strict=True)])


def _adam_direction(g: Array, s: dict[str, Array], h: dict[str, Column], t: Array,
                    tmp: Array, out: Array) -> Array:  # fmt: skip
    m, v = s["m"], s["v"]
    b1, b2 = h["beta1"], h["beta2"]
    np.multiply(m, b1, out=m)
    np.multiply(g, h["1-beta1"], out=tmp)
    np.add(m, tmp, out=m)
    np.multiply(v, b2, out=v)
    np.multiply(g, g, out=tmp)
    np.multiply(tmp, h["1-beta2"], out=tmp)
    np.add(v, tmp, out=v)
    np.divide(v, _bias_fix(b2, t), out=tmp)
    np.sqrt(tmp, out=tmp)
    np.add(tmp, h["epsilon"], out=tmp)
    np.divide(m, _bias_fix(b1, t), out=out)
    np.divide(out, tmp, out=out)
    return out


def _adam(p: Array, g: Array, lr: Column, s: dict[str, Array], h: dict[str, Column],
          t: Array, tmp: Array) -> None:  # fmt: skip
    direction = _adam_direction(g, s, h, t, tmp, s["_out"])
    np.multiply(direction, lr, out=direction)
    np.subtract(p, direction, out=p)


def _adamw(p: Array, g: Array, lr: Column, s: dict[str, Array], h: dict[str, Column],
           t: Array, tmp: Array) -> None:  # fmt: skip
    direction = _adam_direction(g, s, h, t, tmp, s["_out"])
    np.multiply(p, h["weight_decay"], out=tmp)
    np.multiply(tmp, s["_decay_mask"], out=tmp)  # weights only, as the lone AdamW
    np.add(direction, tmp, out=direction)
    np.multiply(direction, lr, out=direction)
    np.subtract(p, direction, out=p)


#: optimizer name -> (update, extra scratch buffers it needs besides ``tmp``)
STACKED_UPDATES: dict[str, tuple[Update, tuple[str, ...]]] = {
    "sgd": (_sgd, ()),
    "momentum": (_momentum, ()),
    "nesterov": (_nesterov, ()),
    "adagrad": (_adagrad, ()),
    "rmsprop": (_rmsprop, ()),
    "adam": (_adam, ("_out",)),
    "adamw": (_adamw, ("_out",)),
}


def columns(values: list[dict[str, float]]) -> dict[str, Column]:
    """Per-run hyperparameters as columns (a float where all runs agree), with the derived
    ``1-name`` terms the rules use, each computed per run in Python as the lone rule does."""
    out: dict[str, Column] = {}
    if not values or not values[0]:
        return out
    for key in values[0]:
        for name, fn in ((key, lambda x: x), (f"1-{key}", lambda x: 1.0 - x)):
            col = [fn(v[key]) for v in values]
            out[name] = col[0] if len(set(col)) == 1 else np.array(col).reshape(-1, 1)
    return out
