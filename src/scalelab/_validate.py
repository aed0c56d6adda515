"""Checking parameters at the door.

Every public model calls one of these once, on its raw arguments; the code behind
trusts its inputs. Errors name the parameter, the allowed range and the bad value
(shown with ``repr``), e.g. ``ValueError("serial_fraction must be in [0, 1], got 1.5")``.

What is refused everywhere, unless the caller of a helper says otherwise:

- NaN, and ±inf (``allow_inf=True`` for a parameter whose docstring says it accepts inf);
- bools, strings, bytes, None and complex numbers: they are not numbers here;
- empty arrays (``allow_empty``), and arrays where a single number is expected
  (``max_ndim=0``; :func:`number` and :func:`count` are scalar only);
- ints too large for a float (a ``ValueError``, not numpy's ``OverflowError``).

Sizes (servers, requests, steps, trials...) go through :func:`count`, which also
checks a documented maximum, so that no call can loop for minutes or fill memory.
Seeds go through :func:`seed`.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np


def _fmt(x: float | None) -> str:
    """A bound as written in a message (``:g``; the bad value itself is shown with repr)."""
    return "" if x is None else f"{x:g}"


def _describe(low: float | None, high: float | None, low_open: bool, high_open: bool) -> str:
    if high is None:
        return f"{'>' if low_open else '>='} {_fmt(low)}"
    if low is None:
        return f"{'<' if high_open else '<='} {_fmt(high)}"
    return f"in {'(' if low_open else '['}{_fmt(low)}, {_fmt(high)}{')' if high_open else ']'}"


def _show(value: Any) -> str:
    """The bad value exactly as the caller gave it (numpy scalars as plain Python numbers)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**30:
        return f"an int of {len(str(abs(value)))} digits"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _rule(low, high, low_open, high_open, integer, say_finite) -> str:
    parts = []
    if integer:
        parts.append("a whole number")
    elif say_finite:
        parts.append("finite")
    if (low, high) != (None, None):
        parts.append(_describe(low, high, low_open, high_open))
    return " and ".join(parts) if parts else "a finite number"


def _not_a_number(name: str, value: Any) -> bool:
    """True for values that are never numbers here: None, bools, strings, bytes."""
    return value is None or isinstance(value, (bool, np.bool_, str, bytes))


def as_array(name: str, value: Any, *, max_ndim: int | None = None, allow_empty: bool = False) -> np.ndarray:
    """``value`` as a float array of at most ``max_ndim`` dimensions (None: any), or ``ValueError``.

    No range check, NaN and inf pass: use :func:`in_range` for a checked number.
    """
    if _not_a_number(name, value):
        raise ValueError(f"{name} must be a number, got {_show(value)}")
    try:
        raw = np.asarray(value)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"{name} must be a number or a 1-D array of numbers, got {_show(value)}") from None
    if raw.dtype.kind in "bUSVcMm":
        raise ValueError(f"{name} must be a number or an array of numbers, got {_show(value)}")
    if max_ndim is not None and raw.ndim > max_ndim:
        shape = "a single number" if max_ndim == 0 else f"at most {max_ndim}-D"
        raise ValueError(f"{name} must be {shape}, got an array of shape {raw.shape}")
    if raw.ndim and raw.size == 0 and not allow_empty:
        raise ValueError(f"{name} must not be empty, got {_show(value)}")
    if raw.dtype.kind == "O":
        for item in raw.flat:
            if _not_a_number(name, item) or not isinstance(item, numbers.Real):
                raise ValueError(f"{name} must contain only numbers, got {_show(item)} in {_show(value)}")
    try:
        return raw.astype(float)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"{name} must be a number small enough for a float, got {_show(value)}") from None


def in_range(
    name: str,
    value: Any,
    low: float | None = None,
    high: float | None = None,
    *,
    low_open: bool = False,
    high_open: bool = False,
    integer: bool = False,
    allow_inf: bool = False,
    max_ndim: int | None = None,
    allow_empty: bool = False,
) -> np.ndarray:
    """Return ``value`` as a float array, or raise ``ValueError`` if any element is out of range.

    NaN is always out of range; so is ±inf unless ``allow_inf=True`` (and the bounds let
    it in). ``integer=True`` also requires whole numbers (never inf). Arrays of more than
    ``max_ndim`` dimensions (default: any, for models that broadcast; 0 for a parameter
    that must be a single number) and empty arrays are refused.

    >>> in_range("p", 0.5, 0, 1)
    array(0.5)
    >>> in_range("p", 1.5, 0, 1)
    Traceback (most recent call last):
    ...
    ValueError: p must be in [0, 1], got 1.5
    """
    arr = as_array(name, value, max_ndim=max_ndim, allow_empty=allow_empty)
    ok = ~np.isnan(arr)
    if not allow_inf or integer:
        ok &= np.isfinite(arr)
    if low is not None:
        ok &= (arr > low) if low_open else (arr >= low)
    if high is not None:
        ok &= (arr < high) if high_open else (arr <= high)
    if integer:
        ok &= np.isfinite(arr) & (arr == np.round(arr))
    if not np.all(ok):
        if arr.ndim == 0:
            bad, bad_value = _show(value), float(arr)
        else:
            i = int(np.flatnonzero(~ok.ravel())[0])
            bad_value = float(arr.flat[i])
            bad = f"{_show(np.asarray(value).flat[i])} (element {i} of {arr.size})"
        inside = (low is None or bad_value > low or (bad_value == low and not low_open)) and (
            high is None or bad_value < high or (bad_value == high and not high_open))
        what = _rule(low, high, low_open, high_open, integer, math.isinf(bad_value) and inside)
        raise ValueError(f"{name} must be {what}, got {bad}")
    return arr


def positive(name: str, value: Any, *, integer: bool = False, allow_inf: bool = False,
             max_ndim: int | None = None) -> np.ndarray:
    """Shorthand for ``in_range(name, value, 0, low_open=True)``: strictly above zero."""
    return in_range(name, value, 0, low_open=True, integer=integer, allow_inf=allow_inf, max_ndim=max_ndim)


def at_least(name: str, value: Any, low: float, *, integer: bool = False, allow_inf: bool = False,
             max_ndim: int | None = None) -> np.ndarray:
    """Shorthand for ``in_range(name, value, low)``."""
    return in_range(name, value, low, integer=integer, allow_inf=allow_inf, max_ndim=max_ndim)


def probability(name: str, value: Any, *, open_low: bool = False, open_high: bool = False,
                max_ndim: int | None = None) -> np.ndarray:
    """A probability in [0, 1] (either end may be excluded)."""
    return in_range(name, value, 0, 1, low_open=open_low, high_open=open_high, max_ndim=max_ndim)


def number(name: str, value: Any, low: float | None = None, high: float | None = None, *,
           low_open: bool = False, high_open: bool = False, allow_inf: bool = False) -> float:
    """A single checked number, returned as a Python float (arrays refused)."""
    return float(in_range(name, value, low, high, low_open=low_open, high_open=high_open,
                          allow_inf=allow_inf, max_ndim=0))


def count(name: str, value: Any, maximum: int, low: int = 1) -> int:
    """A whole number in ``[low, maximum]``, returned as a Python ``int``.

    Use it for every argument that a loop or an allocation grows with; ``maximum`` is a
    documented module constant chosen so that the largest accepted call finishes in a few
    seconds and well under 1 GiB.

    >>> count("servers", 4, 10_000)
    4
    >>> count("servers", 10**9, 10_000)
    Traceback (most recent call last):
    ...
    ValueError: servers must be a whole number and in [1, 10000], got 1000000000
    """
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        if low <= value <= maximum:
            return int(value)
        raise ValueError(f"{name} must be a whole number and in [{_fmt(low)}, {_fmt(maximum)}], got {_show(value)}")
    arr = in_range(name, value, low, maximum, integer=True, max_ndim=0)
    return int(arr)


def counts(name: str, value: Any, maximum: int, low: int = 1) -> np.ndarray:
    """Like :func:`count` for a scalar or 1-D array of counts; returns a float array."""
    return in_range(name, value, low, maximum, integer=True)


#: Seeds are below 2**128 (numpy would take any size; 128 bits is all its SeedSequence keeps).
MAX_SEED = 2**128


def seed(name: str, value: Any, *, allow_none: bool = False) -> int | np.random.Generator | None:
    """A seed: a whole number in [0, 2**128) or a ``numpy.random.Generator`` (None only if ``allow_none``).

    >>> seed("seed", 7)
    7
    >>> seed("seed", -1)
    Traceback (most recent call last):
    ...
    ValueError: seed must be a whole number and >= 0, got -1 (below 2**128; a numpy Generator is also accepted)
    """
    if isinstance(value, np.random.Generator):
        return value
    if value is None and allow_none:
        return None
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)) and 0 <= value < MAX_SEED:
        return int(value)
    extra = " or None" if allow_none else ""
    raise ValueError(f"{name} must be a whole number and >= 0, got {_show(value)} "
                     f"(below 2**128; a numpy Generator{extra} is also accepted)")


def option(name: str, value: Any, allowed: tuple[str, ...] | list[str]) -> str:
    """One of a few strings; ``ValueError`` listing them otherwise."""
    if isinstance(value, str) and value in allowed:
        return value
    names = [repr(a) for a in allowed]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    raise ValueError(f"{name} must be {listed}, got {_show(value)}")


def flag(name: str, value: Any) -> bool:
    """A real bool (``True``/``False`` or a numpy bool)."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise ValueError(f"{name} must be True or False, got {_show(value)}")


def scalar(arr: np.ndarray) -> float | np.ndarray:
    """Give back a Python float for 0-d results, the array otherwise."""
    return float(arr) if np.ndim(arr) == 0 else arr


def is_finite_number(value: Any) -> bool:
    """True for a real, finite number (used by the exercise checker)."""
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError, OverflowError):  # OverflowError: an int too large for a float
        return False
