"""Exercises a reader can check in a live kernel: ``check("3.1", answer)``.

Each chapter registers its exercises in a module of this package (``ch03.py`` for
chapter 3). The expected answer is computed from the chapter's models, so the bank and
the models cannot drift apart. Three kinds of answer:

* a number, accepted within a relative tolerance, or an absolute one (give probabilities
  ``rel_tol=0, abs_tol=...``: 1% of 0.003 would accept almost nothing, 1% of 0.97
  accepts 0.96); ``whole=True`` for counts (3.6 is not 4 servers);
* a text, compared case-insensitively;
* a choice among ``choices`` (``{"a": "...", "b": "..."}``), answered by its letter.

``mistakes`` lists the tempting wrong answers a chapter warns about, each with the reason
the checker gives when a reader offers it.

>>> print(check("3.1", None))
Exercise 3.1: no answer yet. Replace None with your answer and run the cell again.
"""

from __future__ import annotations

import importlib
import math
import pkgutil
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Callable, Mapping

import numpy as np

__all__ = ["Exercise", "Mistake", "Feedback", "check", "register", "exercises", "solution"]

Answer = float | str | Callable[[], float | str]


@dataclass(frozen=True)
class Mistake:
    """A tempting wrong answer (a number, a text or a choice letter, or a function giving
    one) and why it is wrong, which :func:`check` says when a reader gives it."""

    answer: Answer
    why: str

    def value(self) -> float | str:
        return self.answer() if callable(self.answer) else self.answer


@dataclass(frozen=True)
class Exercise:
    """One checkable exercise.

    ``answer`` is a number, a string (a choice letter when ``choices`` is given), or a
    function returning one (computed on demand from the chapter's models). ``rel_tol``
    and ``abs_tol`` are as in :func:`math.isclose`; ``whole`` requires a whole number.
    """

    key: str
    prompt: str
    answer: Answer
    rel_tol: float = 0.01
    abs_tol: float = 0.0
    unit: str = ""
    hint: str = ""
    choices: Mapping[str, str] | None = None
    mistakes: tuple[Mistake, ...] = ()
    whole: bool = False

    def __post_init__(self) -> None:
        if self.choices is not None:
            object.__setattr__(self, "choices", MappingProxyType(
                {str(k).lower(): v for k, v in self.choices.items()}))
            if not callable(self.answer) and str(self.answer).lower() not in self.choices:
                raise ValueError(f"exercise {self.key}: answer {self.answer!r} is not one of its choices")
        if not isinstance(self.mistakes, tuple):
            object.__setattr__(self, "mistakes", tuple(self.mistakes))

    def __hash__(self) -> int:
        return hash(self.key)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Exercise):
            return NotImplemented
        return (self.key, self.prompt, self.answer, self.rel_tol, self.abs_tol, self.unit, self.hint,
                dict(self.choices or {}), self.mistakes, self.whole) == (
            other.key, other.prompt, other.answer, other.rel_tol, other.abs_tol, other.unit, other.hint,
            dict(other.choices or {}), other.mistakes, other.whole)

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
    if not isinstance(key, str) or key not in bank:
        raise ValueError(f"exercise must be one of {', '.join(bank)}, got {key!r}")
    return bank[key]


def solution(key: str) -> float | str:
    """The expected answer (the worked solutions in the book call this)."""
    return _lookup(key).expected()


def _fmt(value: float) -> str:
    return f"{value:.4g}"


def _number(answer: Any) -> float | None:
    """``answer`` as a finite float, or None: bools (numpy's too) and texts are not numbers."""
    if isinstance(answer, (bool, np.bool_, str, bytes)) or np.ndim(answer) != 0:
        return None
    try:
        value = float(answer)
    except (TypeError, ValueError, OverflowError):
        return None
    return value if math.isfinite(value) else None


def _tolerance(ex: Exercise) -> str:
    if ex.rel_tol and ex.abs_tol:
        return f" (within {ex.rel_tol:.0%} or {ex.abs_tol:g})"
    if ex.rel_tol:
        return f" (within {ex.rel_tol:.0%})"
    if ex.abs_tol:
        return f" (within {ex.abs_tol:g})"
    return ""


def _same(ex: Exercise, given: float | str, expected: float | str) -> bool:
    if isinstance(expected, str):
        return isinstance(given, str) and given == expected.strip().lower()
    return not isinstance(given, str) and math.isclose(given, float(expected), rel_tol=ex.rel_tol, abs_tol=ex.abs_tol)


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
    given: float | str
    if ex.choices is not None:
        letters = ", ".join(ex.choices)
        given = str(answer).strip().strip("()").lower() if isinstance(answer, str) else ""
        if given not in ex.choices:
            return Feedback(key, False, f"Exercise {key}: answer with one of the letters {letters}, got {answer!r}.")
        shown = f"({given})"
    elif isinstance(expected, str):
        if not isinstance(answer, str):
            return Feedback(key, False, f"Exercise {key}: expected a text answer, got {answer!r}.")
        given = answer.strip().lower()
        shown = repr(answer)
    else:
        value = _number(answer)
        if value is None:
            return Feedback(key, False, f"Exercise {key}: expected a finite number{unit}, got {answer!r}.")
        if ex.whole and value != round(value):
            return Feedback(key, False, f"Exercise {key}: expected a whole number{unit}, got {answer!r}.")
        given = value + 0.0  # -0.0 is 0
        shown = _fmt(given) + unit
        if not isinstance(expected, str) and _fmt(given) == _fmt(float(expected)) and given != float(expected):
            shown = f"{given:.10g}{unit}"  # a near miss shows the digits that differ
    if _same(ex, given, expected):
        return Feedback(key, True, f"Exercise {key}: correct! {shown} is right"
                        f"{_tolerance(ex) if not isinstance(expected, str) else ''}.")
    for mistake in ex.mistakes:
        if _same(ex, given, mistake.value()):
            return Feedback(key, False, f"Exercise {key}: not yet. {shown} is a tempting answer, but {mistake.why}")
    hint = f" Hint: {ex.hint}" if ex.hint else ""
    if (not isinstance(expected, str) and not isinstance(given, str) and 0 < abs(float(expected)) <= 1
            and abs(given) > 1 and _same(ex, given / 100, expected)):
        return Feedback(key, False, f"Exercise {key}: not yet. {shown} looks like a percentage: "
                        f"give it as a fraction ({_fmt(given / 100)}, not {_fmt(given)}).")
    if not isinstance(expected, str) and not isinstance(given, str) and float(expected) != 0:
        off = (given - float(expected)) / abs(float(expected))
        direction = "too high" if off > 0 else "too low"
        if ex.abs_tol and not ex.rel_tol:  # judged on an absolute scale: say how far, in its units
            size = f"{_fmt(abs(given - float(expected)))}{unit} (the margin is {ex.abs_tol:g})"
        elif abs(off) >= 100:
            size = f"a factor of {abs(given / float(expected)):.3g}"
        else:  # enough digits that a near miss never reads as "by 0%"
            size = f"{abs(off):.0%}" if abs(off) >= 0.01 else f"{abs(off):.2%}"
        return Feedback(key, False, f"Exercise {key}: not yet. {shown} is {direction} by {size}.{hint}")
    return Feedback(key, False, f"Exercise {key}: not yet. {shown} is not the expected answer.{hint}")
