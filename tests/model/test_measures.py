"""Discrete measures of force curves: closed forms of a half sine, scaling properties, edge cases."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grfkit.errors import ConfigError, LengthMismatchError
from grfkit.model.measures import MEASURE_COLUMNS, discrete_measures

N = 101
GRID = np.linspace(0.0, 1.0, N)


def _half_sine(amplitude_bw: float) -> np.ndarray:
    return amplitude_bw * np.sin(np.pi * GRID)


@given(
    amplitude_bw=st.floats(0.5, 4.0),
    contact_time_s=st.floats(0.1, 0.5),
)
@settings(max_examples=40, deadline=None)
def test_half_sine_closed_forms(amplitude_bw: float, contact_time_s: float) -> None:
    row = discrete_measures(_half_sine(amplitude_bw), contact_time_s, "vgrf").iloc[0]
    assert row["peak_bw"] == pytest.approx(amplitude_bw)
    # A sin(pi t / T) reaches fraction f of its peak at t = T asin(f) / pi.
    rise_s = contact_time_s / np.pi * (np.arcsin(0.8) - np.arcsin(0.2))
    assert row["loading_rate_bw_per_s"] == pytest.approx(0.6 * amplitude_bw / rise_s, rel=1e-3)


@given(amplitude_bw=st.floats(0.1, 1.0), contact_time_s=st.floats(0.1, 0.5))
@settings(max_examples=40, deadline=None)
def test_full_sine_braking_then_propulsion(amplitude_bw: float, contact_time_s: float) -> None:
    curve = -amplitude_bw * np.sin(2 * np.pi * GRID)  # braking first half, propulsion second
    row = discrete_measures(curve, contact_time_s, "apgrf").iloc[0]
    impulse_bws = amplitude_bw * contact_time_s / np.pi  # each half sine: A * (T/2) * 2 / pi
    assert row["braking_peak_bw"] == pytest.approx(amplitude_bw, rel=1e-3)
    assert row["propulsive_peak_bw"] == pytest.approx(amplitude_bw, rel=1e-3)
    assert row["braking_impulse_bws"] == pytest.approx(impulse_bws, rel=1e-3)
    assert row["propulsive_impulse_bws"] == pytest.approx(impulse_bws, rel=1e-3)


@given(seed=st.integers(0, 2**31), factor=st.floats(0.1, 10.0), stretch=st.floats(0.5, 2.0))
@settings(max_examples=30, deadline=None)
def test_scaling(seed: int, factor: float, stretch: float) -> None:
    """Peaks and impulses scale with the force; impulses and rates also with time, each its own way."""
    rng = np.random.default_rng(seed)
    curves = np.cumsum(rng.normal(size=(5, N)), axis=1) * 0.1 + _half_sine(2.0)
    contact_s = rng.uniform(0.15, 0.35, 5)
    for target in ("vgrf", "apgrf"):
        base = discrete_measures(curves, contact_s, target)
        scaled = discrete_measures(factor * curves, contact_s, target)
        longer = discrete_measures(curves, stretch * contact_s, target)
        for column in MEASURE_COLUMNS[target]:
            np.testing.assert_allclose(scaled[column], factor * base[column], rtol=1e-9)
            time_power = 1 if column.endswith("_bws") else -1 if column.endswith("_per_s") else 0
            np.testing.assert_allclose(longer[column], stretch**time_power * base[column], rtol=1e-9)


def test_braking_and_propulsive_impulses_give_the_net_impulse() -> None:
    rng = np.random.default_rng(0)
    curves = rng.normal(size=(20, N))
    contact_s = rng.uniform(0.2, 0.3, 20)
    table = discrete_measures(curves, contact_s, "apgrf")
    net = np.trapezoid(curves, axis=1) * contact_s / (N - 1)
    np.testing.assert_allclose(
        table["propulsive_impulse_bws"] - table["braking_impulse_bws"], net, atol=1e-12
    )
    assert (table["braking_impulse_bws"] >= 0).all() and (table["propulsive_impulse_bws"] >= 0).all()


def test_curves_without_a_rise_have_no_loading_rate() -> None:
    cut = _half_sine(2.0)[40:]  # starts above 20 % of its peak
    curves = np.vstack([np.interp(np.linspace(0, 1, N), np.linspace(0, 1, len(cut)), cut),
                        np.ones(N), -_half_sine(1.0), _half_sine(1.0)])
    rates = discrete_measures(curves, np.full(4, 0.25), "vgrf")["loading_rate_bw_per_s"]
    assert np.isnan(rates[:3]).all() and np.isfinite(rates[3])


def test_one_curve_scalar_time_and_bad_input() -> None:
    assert list(discrete_measures(_half_sine(1.0), 0.25, "apgrf").columns) == list(
        MEASURE_COLUMNS["apgrf"]
    )
    with pytest.raises(ConfigError):
        discrete_measures(_half_sine(1.0), 0.25, "mlgrf")
    with pytest.raises(LengthMismatchError):
        discrete_measures(np.ones((3, N)), np.ones(2), "vgrf")
    with pytest.raises(LengthMismatchError):
        discrete_measures(np.ones((3, 1)), np.ones(3), "vgrf")
