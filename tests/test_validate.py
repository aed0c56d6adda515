"""The shared door (scalelab._validate): what it refuses and how it says so (issue 12)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from scalelab import _validate as v


@pytest.mark.parametrize(
    "value, message",
    [
        (math.nan, r"^p must be in \[0, 1\], got nan$"),
        (math.inf, r"^p must be in \[0, 1\], got inf$"),
        (True, r"^p must be a number, got True$"),
        (np.bool_(False), r"^p must be a number, got False$"),
        ("0.5", r"^p must be a number, got '0.5'$"),
        (b"1", r"^p must be a number, got b'1'$"),
        (None, r"^p must be a number, got None$"),
        ([], r"^p must not be empty, got \[\]$"),
        (10**400, r"^p must be a number small enough for a float, got an int of 401 digits$"),
        (1 + 2j, r"^p must be a number or an array of numbers, got \(1\+2j\)$"),
        ([0.5, None], r"^p must contain only numbers, got None in \[0.5, None\]$"),
        ([0.5, 1.5], r"^p must be in \[0, 1\], got 1.5 \(element 1 of 2\)$"),
    ],
)
def test_in_range_refuses_what_is_not_a_number_in_range(value, message):
    with pytest.raises(ValueError, match=message):
        v.in_range("p", value, 0, 1)


def test_the_bad_value_is_shown_exactly_not_rounded():
    with pytest.raises(ValueError, match=r"servers must be a whole number and >= 1, got 4.0000001$"):
        v.at_least("servers", 4.0000001, 1, integer=True)


def test_inf_is_refused_unless_the_parameter_accepts_it():
    with pytest.raises(ValueError, match=r"x must be finite and >= 0, got inf"):
        v.at_least("x", math.inf, 0)
    with pytest.raises(ValueError, match=r"x must be >= 0, got -inf"):
        v.at_least("x", -math.inf, 0)
    assert v.at_least("x", math.inf, 0, allow_inf=True) == math.inf
    with pytest.raises(ValueError, match="whole number"):  # a count is never inf
        v.at_least("n", math.inf, 1, integer=True, allow_inf=True)


def test_arrays_of_any_shape_broadcast_unless_a_single_number_is_expected():
    assert v.in_range("x", np.ones((2, 3)), 0).shape == (2, 3)
    with pytest.raises(ValueError, match=r"x must be a single number, got an array of shape \(2,\)"):
        v.in_range("x", [1, 2], 0, max_ndim=0)
    with pytest.raises(ValueError, match=r"at most 1-D, got an array of shape \(2, 2\)"):
        v.in_range("x", [[1, 2], [3, 4]], 0, max_ndim=1)
    assert v.in_range("x", [], 0, allow_empty=True).size == 0


def test_number_gives_a_float_and_refuses_arrays():
    assert v.number("x", 3, 0) == 3.0 and isinstance(v.number("x", 3, 0), float)
    with pytest.raises(ValueError, match="single number"):
        v.number("x", [1.0], 0)


def test_count_checks_a_documented_maximum_before_any_work():
    assert v.count("n", 5, 10) == 5 and isinstance(v.count("n", np.int64(5), 10), int)
    assert v.count("n", 5.0, 10) == 5
    for bad, shown in [(11, "11"), (0, "0"), (10**30, "1" + "0" * 30), (2.5, "2.5"), (True, "True"),
                       (math.nan, "nan"), ("3", "'3'"), (None, "None")]:
        with pytest.raises(ValueError, match=r"^n must be "):
            v.count("n", bad, 10)
    with pytest.raises(ValueError, match=r"n must be a whole number and in \[1, 10\], got 11"):
        v.count("n", 11, 10)
    assert v.count("n", 0, 10, low=0) == 0


def test_seed_is_a_whole_number_or_a_generator():
    rng = np.random.default_rng(1)
    assert v.seed("seed", rng) is rng
    assert v.seed("seed", np.uint32(7)) == 7
    assert v.seed("seed", None, allow_none=True) is None
    for bad in (-1, 2.0, 2.5, True, None, "1", 2**128, [1]):
        with pytest.raises(ValueError, match=r"^seed must be a whole number and >= 0, got "):
            v.seed("seed", bad)


def test_option_and_flag():
    assert v.option("mode", "a", ("a", "b")) == "a"
    with pytest.raises(ValueError, match=r"^mode must be 'a' or 'b', got 'c'$"):
        v.option("mode", "c", ("a", "b"))
    with pytest.raises(ValueError, match=r"one of|'a', 'b' or 'c'"):
        v.option("mode", 1, ("a", "b", "c"))
    assert v.flag("f", np.bool_(True)) is True
    with pytest.raises(ValueError, match=r"^f must be True or False, got 1$"):
        v.flag("f", 1)
