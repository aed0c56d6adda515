"""Amdahl, Gustafson and the USL against analytic values and the source's data points."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scalelab import amdahl

fractions = st.floats(0, 1, allow_nan=False)
cores = st.floats(1, 1e6, allow_nan=False)


def test_amdahl_matches_the_formula_on_hand_computed_values():
    assert amdahl.speedup(0.1, 16) == pytest.approx(6.4)
    assert amdahl.speedup(0.0, 64) == pytest.approx(64)
    assert amdahl.speedup(1.0, 64) == pytest.approx(1)


def test_source_data_points_five_percent_serial():
    # Gorton 2022 ch. 4: 5% serial, nothing gained past 2,048 cores.
    assert amdahl.speedup(0.05, 2048) == pytest.approx(19.82, abs=0.005)
    assert amdahl.speedup(0.05, 256) == pytest.approx(18.62, abs=0.005)
    assert amdahl.speedup_limit(0.05) == 20


def test_source_data_points_fifty_percent_serial():
    assert amdahl.speedup(0.5, 8) == pytest.approx(1.78, abs=0.005)
    assert amdahl.speedup_limit(0.5) == 2


def test_ninety_percent_of_the_limit_is_reached_at_nine_times_one_minus_s_over_s():
    for s in (0.01, 0.05, 0.2, 0.5):
        n = amdahl.cores_for_share_of_limit(s, 0.9)
        assert n == pytest.approx(9 * (1 - s) / s)
        assert amdahl.speedup(s, n) == pytest.approx(0.9 / s)


def test_efficiency_halves_at_one_plus_one_over_s_cores():
    assert amdahl.efficiency(0.05, 21) == pytest.approx(0.5)


def test_gustafson_is_linear_with_slope_one_minus_s():
    assert amdahl.gustafson_speedup(0.05, 64) == pytest.approx(60.85)
    assert amdahl.gustafson_speedup(0.3, 1) == 1


def test_usl_with_zero_coherency_is_amdahl():
    n = np.array([1, 2, 8, 100, 4096])
    np.testing.assert_allclose(amdahl.usl_speedup(n, 0.07, 0.0), amdahl.speedup(0.07, n))


def test_usl_peaks_at_sqrt_one_minus_sigma_over_kappa():
    peak = amdahl.usl_peak_cores(0.05, 0.001)
    assert peak == pytest.approx(math.sqrt(950))
    n = np.arange(1, 200)
    assert n[np.argmax(amdahl.usl_speedup(n, 0.05, 0.001))] in (math.floor(peak), math.ceil(peak))


def test_fit_usl_recovers_known_parameters_from_exact_data():
    n = np.array([1, 2, 4, 8, 16, 32])
    sigma, kappa = amdahl.fit_usl(n, amdahl.usl_speedup(n, 0.08, 0.002))
    assert sigma == pytest.approx(0.08, abs=1e-9) and kappa == pytest.approx(0.002, abs=1e-9)


def test_fit_usl_keeps_coefficients_non_negative():
    n = np.array([1, 2, 3, 4])
    sigma, kappa = amdahl.fit_usl(n, np.array([1.0, 2.0, 3.1, 4.2]))  # superlinear noise
    assert sigma >= 0 and kappa >= 0


def test_models_broadcast_over_arrays():
    s = np.array([[0.0], [0.1]])
    n = np.array([1, 2, 4])
    assert amdahl.speedup(s, n).shape == (2, 3)
    assert amdahl.efficiency(s, n).shape == (2, 3)
    assert amdahl.gustafson_speedup(s, n).shape == (2, 3)


@given(fractions, cores, cores)
def test_speedup_grows_with_cores_and_stays_below_the_limit(s, a, b):
    lo, hi = sorted((a, b))
    assert amdahl.speedup(s, lo) <= amdahl.speedup(s, hi) * (1 + 1e-12)
    assert amdahl.speedup(s, hi) <= min(hi, amdahl.speedup_limit(s)) * (1 + 1e-12)


@given(fractions, cores)
def test_efficiency_is_in_zero_one(s, n):
    e = amdahl.efficiency(s, n)
    assert 0 < e <= 1 + 1e-12


@given(fractions, cores)
def test_gustafson_is_never_below_amdahl(s, n):
    assert amdahl.gustafson_speedup(s, n) >= amdahl.speedup(s, n) - 1e-9


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: amdahl.speedup(1.5, 4), r"serial_fraction must be in \[0, 1\], got 1.5"),
        (lambda: amdahl.speedup(-0.1, 4), r"serial_fraction must be in \[0, 1\], got -0.1"),
        (lambda: amdahl.speedup(float("nan"), 4), r"serial_fraction must be in \[0, 1\], got nan"),
        (lambda: amdahl.speedup(0.1, 0), r"cores must be >= 1, got 0"),
        (lambda: amdahl.efficiency(0.1, [4, 0.5]), r"cores must be >= 1, got 0.5"),
        (lambda: amdahl.gustafson_speedup(2, 4), r"serial_fraction must be in \[0, 1\]"),
        (lambda: amdahl.usl_speedup(4, 0.1, -1), r"coherency must be >= 0, got -1"),
        (lambda: amdahl.usl_speedup(4, 1.1, 0), r"contention must be in \[0, 1\]"),
        (lambda: amdahl.cores_for_share_of_limit(0, 0.9), r"serial_fraction must be in \(0, 1\]"),
        (lambda: amdahl.cores_for_share_of_limit(0.1, 1), r"share must be in \(0, 1\)"),
        (lambda: amdahl.fit_usl([1, 2], [1, 2]), r"at least two distinct values above 1"),
    ],
)
def test_bad_input_raises_value_error_naming_the_parameter_and_range(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@given(st.floats(0, 1), st.floats(1, 1e4))
def test_for_one_workload_amdahl_and_gustafson_agree_shi_1996(s_g, n):
    s_a = amdahl.amdahl_fraction_from_gustafson(s_g, n)
    assert amdahl.speedup(s_a, n) == pytest.approx(amdahl.gustafson_speedup(s_g, n), rel=1e-9)
    assert amdahl.gustafson_fraction_from_amdahl(s_a, n) == pytest.approx(s_g, abs=1e-9)


def test_five_percent_on_64_cores_is_0_08_percent_on_one_core():
    # 0.05 / (0.05 + 0.95 x 64) = 0.05 / 60.85
    assert amdahl.amdahl_fraction_from_gustafson(0.05, 64) == pytest.approx(0.05 / 60.85)
    assert amdahl.speedup(0.05 / 60.85, 64) == pytest.approx(60.85)


def test_the_explorer_shows_amdahl_for_the_growing_problem_on_gustafsons_curve():
    curves = amdahl.amdahl_vs_gustafson(0.2)
    g = curves["Gustafson (problem grows), s on n cores"]
    same = curves["Amdahl for the growing problem (s converted)"]
    np.testing.assert_allclose(same["y"], g[1][::8])
