"""Checking parameters at the door.

Every public model calls one of these once, on its raw arguments; the code behind
trusts its inputs. Errors name the parameter and the allowed range, e.g.
``ValueError("serial_fraction must be in [0, 1], got 1.5")``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def _describe(low: float | None, high: float | None, low_open: bool, high_open: bool) -> str:
    if high is None:
        return f"{'>' if low_open else '>='} {low:g}"
    if low is None:
        return f"{'<' if high_open else '<='} {high:g}"
    return f"in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"


def in_range(
    name: str,
    value: Any,
    low: float | None = None,
    high: float | None = None,
    *,
    low_open: bool = False,
    high_open: bool = False,
    integer: bool = False,
) -> np.ndarray:
    """Return ``value`` as a float array, or raise ``ValueError`` if any element is out of range.

    NaN is always out of range. ``integer=True`` also requires whole numbers.

    >>> in_range("p", 0.5, 0, 1)
    array(0.5)
    >>> in_range("p", 1.5, 0, 1)
    Traceback (most recent call last):
    ...
    ValueError: p must be in [0, 1], got 1.5
    """
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    ok = ~np.isnan(arr)
    if low is not None:
        ok &= (arr > low) if low_open else (arr >= low)
    if high is not None:
        ok &= (arr < high) if high_open else (arr <= high)
    if integer:
        ok &= np.isfinite(arr) & (arr == np.round(arr))
    if not np.all(ok):
        bad = arr[~ok].flat[0] if arr.ndim else arr.item()
        rule = _describe(low, high, low_open, high_open) if (low, high) != (None, None) else ""
        kind = "a whole number" if integer else ""
        what = " and ".join(p for p in (kind, rule) if p)
        raise ValueError(f"{name} must be {what}, got {bad:g}")
    return arr


def positive(name: str, value: Any, *, integer: bool = False) -> np.ndarray:
    """Shorthand for ``in_range(name, value, 0, low_open=True)``: strictly above zero."""
    return in_range(name, value, 0, low_open=True, integer=integer)


def at_least(name: str, value: Any, low: float, *, integer: bool = False) -> np.ndarray:
    """Shorthand for ``in_range(name, value, low)``."""
    return in_range(name, value, low, integer=integer)


def probability(name: str, value: Any, *, open_low: bool = False, open_high: bool = False) -> np.ndarray:
    """A probability in [0, 1] (either end may be excluded)."""
    return in_range(name, value, 0, 1, low_open=open_low, high_open=open_high)


def scalar(arr: np.ndarray) -> float | np.ndarray:
    """Give back a Python float for 0-d results, the array otherwise."""
    return float(arr) if np.ndim(arr) == 0 else arr


def is_finite_number(value: Any) -> bool:
    """True for a real, finite number (used by the exercise checker)."""
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False
