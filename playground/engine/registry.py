"""Registries are the vocabulary: public name -> object. One lookup, one error message."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

T = TypeVar("T")


def lookup(registry: Mapping[str, T], kind: str, name: str) -> T:
    """``registry[name]``, or a ValueError naming the ``kind`` and listing the allowed names."""
    try:
        return registry[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown {kind} {name!r}; allowed: {', '.join(registry)}") from None
