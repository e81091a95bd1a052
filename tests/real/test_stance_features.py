"""Tests of the stance features and mean curves of force stance sets."""

from __future__ import annotations

import numpy as np
import pytest

from grfkit.real.stance_features import FEATURES, curve_summary, stance_features


def test_stance_features_of_known_curves(synthetic) -> None:
    f = stance_features(synthetic([2.5], braking_bw=0.3, contact_s=0.25)).iloc[0]
    assert f["peak_vgrf_bw"] == pytest.approx(2.5)
    assert f["peak_braking_bw"] == pytest.approx(0.3, rel=1e-3) and f["peak_propulsive_bw"] == pytest.approx(0.3, rel=1e-3)
    # a sine lobe over half the stance: 0.3 * 0.125 s * 2 / pi
    assert f["braking_impulse_bws"] == pytest.approx(0.3 * 0.125 * 2 / np.pi, rel=1e-3)
    assert f["braking_impulse_bws"] == pytest.approx(f["propulsive_impulse_bws"], rel=1e-6)
    assert set(FEATURES) <= set(stance_features(synthetic([2.5])).columns)


def test_curve_summary_has_mean_and_sd_per_point(synthetic) -> None:
    curves = curve_summary(synthetic([2.0, 3.0]), "x", "real")
    vertical = curves[curves["channel"] == "vgrf"]
    assert len(vertical) == 101 and vertical["mean_bw"].max() == pytest.approx(2.5)
    assert vertical["sd_bw"].iloc[50] == pytest.approx(np.std([2.0, 3.0], ddof=1))
