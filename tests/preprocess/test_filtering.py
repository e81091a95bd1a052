"""Tests of grfkit.preprocess.filtering (zero-lag Butterworth with the two-pass cutoff correction)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import brentq

from grfkit.errors import ConfigError, DropoutError
from grfkit.preprocess.filtering import (
    corrected_cutoff_hz,
    lowpass_zero_lag,
    lowpass_zero_lag_at,
    lowpass_zero_lag_runs,
    zero_lag_response,
)

FS = 1000.0


def minus_3db_hz(cutoff_hz: float, sampling_rate_hz: float, order: int, correct_cutoff: bool) -> float:
    """Frequency where the zero-lag magnitude response crosses 1/sqrt(2)."""

    def gap(f: float) -> float:
        return zero_lag_response(cutoff_hz, sampling_rate_hz, order, np.array([f]), correct_cutoff)[0] - 2**-0.5

    return brentq(gap, 1e-6, 0.5 * sampling_rate_hz - 1e-6, xtol=1e-9)


def test_corrected_cutoff_matches_winter_factor():
    # Winter / Robertson & Dowling: C = (2**(1/2) - 1)**0.25 = 0.802 for a 2nd-order filter run twice
    assert corrected_cutoff_hz(20.0, order=2) == pytest.approx(20.0 / 0.80225, rel=1e-4)
    assert corrected_cutoff_hz(6.0, order=2, n_passes=1) == pytest.approx(6.0)
    # a 4th-order design needs a smaller correction
    assert 20.0 < corrected_cutoff_hz(20.0, order=4) < corrected_cutoff_hz(20.0, order=2)
    # the exact digital (pre-warped) value is close to the analogue one far below Nyquist
    assert corrected_cutoff_hz(20.0, 2, sampling_rate_hz=FS) == pytest.approx(corrected_cutoff_hz(20.0, 2), rel=2e-3)


@pytest.mark.parametrize(
    "bad",
    [dict(cutoff_hz=0.0, order=2), dict(cutoff_hz=20.0, order=0), dict(cutoff_hz=600.0, order=2, sampling_rate_hz=FS)],
)
def test_corrected_cutoff_rejects_bad_parameters(bad):
    with pytest.raises(ConfigError):
        corrected_cutoff_hz(**bad)


def test_a_cutoff_beyond_nyquist_is_a_config_error():
    x = np.zeros(100)
    with pytest.raises(ConfigError):
        lowpass_zero_lag(x, 500.0, FS)
    with pytest.raises(ConfigError):
        lowpass_zero_lag(x, 520.0, FS, correct_cutoff=False)
    with pytest.raises(ConfigError):
        lowpass_zero_lag(x, 20.0, 0.0)


@pytest.mark.parametrize("order", [1, 2, 4])
@pytest.mark.parametrize("cutoff_hz", [6.0, 20.0, 150.0])
def test_effective_cutoff_equals_target_when_corrected(order, cutoff_hz):
    assert minus_3db_hz(cutoff_hz, FS, order, True) == pytest.approx(cutoff_hz, rel=0.01)
    uncorrected = minus_3db_hz(cutoff_hz, FS, order, False)
    assert uncorrected < 0.99 * cutoff_hz
    if order == 2 and cutoff_hz == 20.0:
        assert uncorrected == pytest.approx(16.04, abs=0.05)


def test_order_doubles_in_the_stopband():
    f = np.array([200.0, 400.0])
    g = zero_lag_response(20.0, 10000.0, 2, f)  # well below Nyquist: analogue-like roll-off
    slope_db_per_octave = 20 * np.log10(g[1] / g[0])
    assert slope_db_per_octave == pytest.approx(-24.0, abs=0.5)  # 4th order: -24 dB / octave


def test_default_frequencies_span_dc_to_nyquist():
    g = zero_lag_response(20.0, FS)
    assert g.shape == (501,)
    assert g[0] == pytest.approx(1.0)
    assert np.all(np.diff(g) <= 1e-12)


def test_symmetric_pulse_peak_does_not_move_and_dc_gain_is_one():
    t = np.arange(2000) / FS
    pulse = 1500.0 * np.exp(-0.5 * ((t - 1.0) / 0.03) ** 2) + 300.0
    y = lowpass_zero_lag(pulse, 20.0, FS)
    assert np.argmax(y) == np.argmax(pulse)
    assert y[0] == pytest.approx(300.0, abs=1e-6)
    assert np.allclose(lowpass_zero_lag(np.full(300, -4.2), 20.0, FS), -4.2)


def test_multichannel_filters_each_column_like_a_single_one():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(800, 3))
    y = lowpass_zero_lag(x, 20.0, FS)
    assert y.shape == x.shape
    assert np.allclose(y[:, 1], lowpass_zero_lag(x[:, 1], 20.0, FS))


def test_noise_above_cutoff_is_removed():
    rng = np.random.default_rng(7)
    t = np.arange(5000) / FS
    slow = np.sin(2 * np.pi * 2.0 * t)
    y = lowpass_zero_lag(slow + rng.normal(0, 1.0, t.size), 20.0, FS)
    assert np.std(y[200:-200] - slow[200:-200]) < 0.25


def test_nan_raises_dropout_with_channel_name():
    x = np.ones(100)
    x[10:20] = np.nan
    with pytest.raises(DropoutError, match="plate2_fz_n"):
        lowpass_zero_lag(x, 20.0, FS, channel="plate2_fz_n")


def test_short_signals_do_not_fail():
    assert lowpass_zero_lag(np.array([5.0]), 20.0, FS).tolist() == [5.0]
    assert np.allclose(lowpass_zero_lag(np.full(4, 5.0), 20.0, FS), 5.0)


@settings(max_examples=30, deadline=None)
@given(
    fraction_of_nyquist=st.floats(min_value=0.002, max_value=0.9),
    order=st.integers(min_value=1, max_value=6),
    fs=st.sampled_from([200.0, 1000.0, 1125.0]),
)
def test_property_effective_cutoff_and_dc_gain(fraction_of_nyquist, order, fs):
    cutoff_hz = fraction_of_nyquist * fs / 2
    assert zero_lag_response(cutoff_hz, fs, order, np.array([0.0]))[0] == pytest.approx(1.0)
    assert minus_3db_hz(cutoff_hz, fs, order, True) == pytest.approx(cutoff_hz, rel=1e-3)


@settings(max_examples=30, deadline=None)
@given(level=st.floats(min_value=-1e4, max_value=1e4), n=st.integers(min_value=2, max_value=400))
def test_property_constants_pass_unchanged(level, n):
    assert np.allclose(lowpass_zero_lag(np.full(n, level), 20.0, FS), level, atol=1e-9 * max(1.0, abs(level)))


def test_a_ramp_passes_unchanged_up_to_the_ends():
    t = np.arange(400) / 200.0
    ramp = 3.5 * t - 2.0
    assert np.allclose(lowpass_zero_lag(ramp, 6.0, 200.0), ramp, atol=1e-6)


# --------------------------------------------------------------------------- filtering only where needed


def _running_force(n: int, seed: int = 0) -> np.ndarray:
    """Vertical and AP force of a plate: 250 ms contacts (2 kN, impact peak) every ~0.7 s, 3 N noise, offset."""
    rng = np.random.default_rng(seed)
    t = np.arange(n) / FS
    fz = np.full(n, 4.0)
    fx = np.zeros(n)
    for start in np.arange(0.3, n / FS - 0.3, 0.7) + rng.uniform(-0.05, 0.05):
        phase = (t - start) / 0.25
        inside = (phase >= 0) & (phase <= 1)
        fz[inside] += 2000 * np.sin(np.pi * phase[inside]) + 600 * np.exp(-(((phase[inside] - 0.12) / 0.04) ** 2))
        fx[inside] += -300 * np.sin(2 * np.pi * phase[inside])
    return np.column_stack([fz, fx]) + rng.normal(0.0, 3.0, (n, 2))


def test_filtfilt_is_scipys_sosfiltfilt_bit_for_bit():
    from scipy import signal as sps

    from grfkit.preprocess.filtering import (
        _butterworth_sos,
        _filtfilt,
        _filtfilt_lanes,
        _pad_length,
    )

    x = _running_force(3000)
    for design in ((20.0, FS, 2, True), (6.0, 200.0, 2, True), (50.0, FS, 4, False)):
        sos = _butterworth_sos(*design)
        for signal in (x, x[:, 0], x[:700]):
            for padlen in (1, 100, len(signal) - 1):
                np.testing.assert_array_equal(
                    _filtfilt(signal, padlen, design), sps.sosfiltfilt(sos, signal, axis=0, padlen=padlen)
                )
        # several signals of different lengths at once, each as if alone
        lanes = [x[:n] for n in (50, 700, 3000, 1200)]
        pads = [_pad_length(len(sos), design[0], design[1], len(lane)) for lane in lanes]
        for got, lane, pad in zip(_filtfilt_lanes(lanes, pads, design), lanes, pads, strict=True):
            np.testing.assert_array_equal(got, sps.sosfiltfilt(sos, lane, axis=0, padlen=pad))


def test_lowpass_zero_lag_at_equals_filtering_the_whole_signal():
    x = _running_force(120_000)  # two minutes at 1000 Hz
    full = lowpass_zero_lag(x, 20.0, FS)
    rng = np.random.default_rng(3)
    stances = [np.arange(a, a + 260) for a in rng.integers(0, len(x) - 260, 8)]
    ends = [np.arange(0, 40), np.arange(len(x) - 40, len(x))]  # the signal's own ends are treated alike
    for rows in (np.concatenate(stances), np.concatenate([*stances, *ends]), stances[0][::-1], np.r_[5, 5, 5]):
        got = lowpass_zero_lag_at(x, rows, 20.0, FS)
        assert got.shape == (len(rows), 2)
        np.testing.assert_allclose(got, full[rows], rtol=0, atol=1e-9)  # newtons; the spec asks 1e-6 N
        np.testing.assert_allclose(lowpass_zero_lag_at(x[:, 0], rows, 20.0, FS), full[rows, 0], rtol=0, atol=1e-9)
    # float32 channels (as stored) give what filtering them whole gives
    x32 = x.astype(np.float32)
    rows = np.concatenate(stances)
    np.testing.assert_allclose(lowpass_zero_lag_at(x32, rows, 20.0, FS), lowpass_zero_lag(x32, 20.0, FS)[rows],
                               rtol=0, atol=1e-9)


@settings(max_examples=20, deadline=None)
@given(
    n=st.integers(min_value=50, max_value=6000),
    seed=st.integers(min_value=0, max_value=10_000),
    cutoff_hz=st.sampled_from([6.0, 20.0, 50.0]),
    order=st.sampled_from([2, 4]),
)
def test_lowpass_zero_lag_at_property(n, seed, cutoff_hz, order):
    x = _running_force(n, seed)[:, 0]
    rows = np.random.default_rng(seed).integers(0, n, size=min(n, 30))
    got = lowpass_zero_lag_at(x, rows, cutoff_hz, FS, order)
    np.testing.assert_allclose(got, lowpass_zero_lag(x, cutoff_hz, FS, order)[rows], rtol=0, atol=1e-9)


def test_lowpass_zero_lag_at_errors():
    x = _running_force(5000)
    with pytest.raises(IndexError):
        lowpass_zero_lag_at(x, [5000], 20.0, FS)
    bad = x.copy()
    bad[4000, 1] = np.nan  # far from the rows: still refused, as for the whole signal
    with pytest.raises(DropoutError, match="non-finite"):
        lowpass_zero_lag_at(bad, [10], 20.0, FS, channel="plate1_fx_n")
    with pytest.raises(ConfigError):
        lowpass_zero_lag_at(x, [10], 600.0, FS)
    assert lowpass_zero_lag_at(x, [], 20.0, FS).shape == (0, 2)


def test_runs_are_filtered_each_as_lowpass_zero_lag_filters_it_alone():
    x = _running_force(3000)
    runs = [x[:50], x[100:800, 0], x[900:3000]]
    for got, run in zip(lowpass_zero_lag_runs(runs, 20.0, FS), runs, strict=True):
        np.testing.assert_array_equal(got, lowpass_zero_lag(run, 20.0, FS).reshape(len(run), -1))
    with pytest.raises(ConfigError):
        lowpass_zero_lag_runs([x[:1]], 20.0, FS)
    with pytest.raises(DropoutError):
        lowpass_zero_lag_runs([np.full(10, np.nan)], 20.0, FS)
