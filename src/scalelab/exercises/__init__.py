"""Exercises a reader can check in a live kernel: ``check("3.1", answer)``.

Each chapter registers its exercises in a module of this package (``ch03.py`` for
chapter 3). The expected answer is computed from the chapter's models, so the bank and
the models cannot drift apart. Numeric answers are accepted within a relative (and
optional absolute) tolerance; text answers are compared case-insensitively.

>>> print(check("3.1", None))
Exercise 3.1: no answer yet. Replace None with your answer and run the cell again.
"""

from __future__ import annotations

import importlib
import math
import pkgutil
from dataclasses import dataclass
from typing import Any, Callable

from .._validate import is_finite_number

__all__ = ["Exercise", "Feedback", "check", "register", "exercises", "solution"]


@dataclass(frozen=True)
class Exercise:
    """One checkable exercise.

    ``answer`` is a number, a string, or a function returning one (computed on demand
    from the chapter's models). ``rel_tol`` and ``abs_tol`` are as in :func:`math.isclose`.
    """

    key: str
    prompt: str
    answer: float | str | Callable[[], float | str]
    rel_tol: float = 0.01
    abs_tol: float = 0.0
    unit: str = ""
    hint: str = ""

    def expected(self) -> float | str:
        return self.answer() if callable(self.answer) else self.answer


@dataclass(frozen=True)
class Feedback:
    """The result of :func:`check`: ``correct`` is None when no answer was given."""

    key: str
    correct: bool | None
    message: str

    def __str__(self) -> str:
        return self.message

    __repr__ = __str__

    def __bool__(self) -> bool:
        return bool(self.correct)


_BANK: dict[str, Exercise] = {}
_LOADED = False


def register(*items: Exercise) -> None:
    """Add exercises to the bank (each chapter module calls this once)."""
    for item in items:
        if item.key in _BANK and _BANK[item.key] != item:
            raise ValueError(f"exercise {item.key} is registered twice")
        _BANK[item.key] = item


def _load() -> None:
    global _LOADED
    if not _LOADED:
        for info in pkgutil.iter_modules(__path__):
            if info.name.startswith("ch"):
                importlib.import_module(f"{__name__}.{info.name}")
        _LOADED = True


def exercises() -> dict[str, Exercise]:
    """Every registered exercise, by key."""
    _load()
    return dict(sorted(_BANK.items()))


def _lookup(key: str) -> Exercise:
    bank = exercises()
    if key not in bank:
        raise ValueError(f"exercise must be one of {', '.join(bank)}, got {key!r}")
    return bank[key]


def solution(key: str) -> float | str:
    """The expected answer (the worked solutions in the book call this)."""
    return _lookup(key).expected()


def _fmt(value: float) -> str:
    return f"{value:.4g}"


def check(key: str, answer: Any) -> Feedback:
    """Check ``answer`` to exercise ``key`` and say clearly whether it is right.

    >>> check("3.1", solution("3.1")).correct
    True
    >>> check("3.1", 1.0).correct
    False
    """
    ex = _lookup(key)
    unit = f" {ex.unit}" if ex.unit else ""
    if answer is None or answer is Ellipsis:
        return Feedback(key, None, f"Exercise {key}: no answer yet. Replace None with your answer and run the cell again.")
    expected = ex.expected()
    if isinstance(expected, str):
        ok = str(answer).strip().lower() == expected.strip().lower()
        shown = repr(str(answer))
    else:
        if isinstance(answer, bool) or not is_finite_number(answer):
            return Feedback(key, False, f"Exercise {key}: expected a finite number{unit}, got {answer!r}.")
        value = float(answer)
        ok = math.isclose(value, float(expected), rel_tol=ex.rel_tol, abs_tol=ex.abs_tol)
        shown = _fmt(value) + unit
    tolerance = f" (within {ex.rel_tol:.0%})" if not isinstance(expected, str) and ex.rel_tol else ""
    if ok:
        return Feedback(key, True, f"Exercise {key}: correct! {shown} is right{tolerance}.")
    hint = f" Hint: {ex.hint}" if ex.hint else ""
    if not isinstance(expected, str) and float(expected) != 0:
        off = (float(answer) - float(expected)) / abs(float(expected))
        direction = "too high" if off > 0 else "too low"
        return Feedback(key, False, f"Exercise {key}: not yet. {shown} is {direction} by {abs(off):.0%}.{hint}")
    return Feedback(key, False, f"Exercise {key}: not yet. {shown} is not the expected answer.{hint}")
