"""Tests of COP progression and of the footprint on force plates."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grfkit.io.insole import FSR_AP_FRAC, FSR_ML_FRAC, plantar_weights
from grfkit.io.schema import Plate
from grfkit.simulate.plantar import (
    COP_PATTERNS,
    PATCH_HALF_LENGTH_FRAC,
    PATCH_HALF_WIDTH_FRAC,
    Footprint,
    classify_footprint,
    cop_trajectories,
    cop_trajectory,
    plate_load_split,
)

PLATES = (Plate("plate1", 0.0, 0.6, -0.2, 0.2), Plate("plate2", 0.605, 1.205, -0.2, 0.2))
S = np.linspace(0.0, 1.0, 101)


@pytest.mark.parametrize(
    ("strike", "start_range"),
    [("rearfoot", (0.1, 0.2)), ("midfoot", (0.35, 0.45)), ("forefoot", (0.65, 0.75))],
)
def test_cop_starts_by_strike_and_ends_near_the_toes(strike: str, start_range: tuple[float, float]) -> None:
    ap, ml = cop_trajectory(S, COP_PATTERNS[strike])
    assert start_range[0] <= ap[0] <= start_range[1]
    assert 0.85 <= ap[-1] <= 0.95
    assert ml[0] > ml[-1]  # lateral at contact, medial (hallux) at toe-off


def test_rearfoot_cop_moves_forward_throughout() -> None:
    ap, _ = cop_trajectory(S, COP_PATTERNS["rearfoot"])
    assert np.all(np.diff(ap) >= 0)
    assert ap[30] > 0.5  # most of the travel early in stance


def test_forefoot_cop_dips_back_mid_stance() -> None:
    ap, _ = cop_trajectory(S, COP_PATTERNS["forefoot"])
    assert ap[40] < ap[0]


def test_cop_trajectories_match_single_patterns() -> None:
    patterns = list(COP_PATTERNS.values())
    which = np.repeat(np.arange(3), S.size)
    ap, ml = cop_trajectories(np.tile(S, 3), patterns, which)
    for k, pattern in enumerate(patterns):
        ref = cop_trajectory(S, pattern)
        np.testing.assert_allclose(ap[which == k], ref[0])
        np.testing.assert_allclose(ml[which == k], ref[1])


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from(sorted(COP_PATTERNS)))
def test_jittered_patterns_stay_on_the_insole(seed: int, strike: str) -> None:
    pattern = COP_PATTERNS[strike].jittered(np.random.default_rng(seed), ap_sd_frac=0.1, ml_sd_frac=0.1)
    assert 0.05 <= pattern.start_ap_frac < pattern.end_ap_frac <= 0.95
    ap, ml = cop_trajectory(S, pattern)
    assert np.all((ap > 0) & (ap < 1) & (ml > 0) & (ml < 1))


def test_patches_lie_inside_the_insole() -> None:
    assert np.all(FSR_AP_FRAC - PATCH_HALF_LENGTH_FRAC >= 0)
    assert np.all(FSR_AP_FRAC + PATCH_HALF_LENGTH_FRAC <= 1)
    assert np.all(PATCH_HALF_WIDTH_FRAC > 0)


def footprint(heel_x: float, centre_y: float = 0.0) -> Footprint:
    return Footprint(heel_x_m=heel_x, centre_y_m=centre_y, length_m=0.27, width_m=0.1, lateral_sign=1.0)


@pytest.mark.parametrize(
    ("heel_x", "centre_y", "touched", "reason"),
    [
        (0.1, 0.0, ["plate1"], ""),
        (0.45, 0.0, ["plate1", "plate2"], "straddle"),
        (-0.1, 0.0, ["plate1"], "edge"),
        (0.1, 0.18, ["plate1"], "edge"),
        (2.0, 0.0, [], "off_plate"),
    ],
)
def test_classify_footprint(heel_x, centre_y, touched, reason) -> None:
    assert classify_footprint(footprint(heel_x, centre_y), PLATES) == (touched, reason)


def test_lab_xy_puts_lateral_towards_plus_y_for_a_left_foot() -> None:
    fp = footprint(1.0, 0.5)
    x, y = fp.lab_xy(np.array([0.0, 1.0]), np.array([0.0, 1.0]))
    assert x.tolist() == pytest.approx([1.0, 1.27])
    assert y.tolist() == pytest.approx([0.45, 0.55])


def test_clean_contact_puts_all_load_and_the_true_cop_on_one_plate() -> None:
    ap, ml = cop_trajectory(S, COP_PATTERNS["rearfoot"])
    weights = plantar_weights(ap, ml)
    fp = footprint(0.1)
    share, cop_x, cop_y = plate_load_split(weights, fp, PLATES)
    np.testing.assert_allclose(share[:, 0], 1.0)
    np.testing.assert_allclose(share[:, 1], 0.0)
    x, y = fp.lab_xy(weights @ FSR_AP_FRAC, weights @ FSR_ML_FRAC)
    np.testing.assert_allclose(cop_x[:, 0], x, atol=1e-9)
    np.testing.assert_allclose(cop_y[:, 0], y, atol=1e-9)
    assert np.isnan(cop_x[:, 1]).all()


def test_straddle_splits_the_load_between_two_plates_heel_to_toe() -> None:
    ap, ml = cop_trajectory(S, COP_PATTERNS["rearfoot"])
    share, cop_x, _ = plate_load_split(plantar_weights(ap, ml), footprint(0.45), PLATES)
    assert share[0, 0] > 0.8  # heel on plate1 at contact
    assert share[-1, 1] > 0.8  # toes on plate2 at toe-off
    assert np.all(share.sum(axis=1) <= 1.0 + 1e-12)
    assert np.all(share.sum(axis=1) > 0.97)  # only the load over the 5 mm gap is lost
    on_both = (share[:, 0] > 0.05) & (share[:, 1] > 0.05)
    assert np.all(cop_x[on_both, 0] <= 0.6) and np.all(cop_x[on_both, 1] >= 0.605)


def test_edge_contact_loses_load_to_the_floor() -> None:
    ap, ml = cop_trajectory(S, COP_PATTERNS["rearfoot"])
    share, _, _ = plate_load_split(plantar_weights(ap, ml), footprint(-0.1), PLATES)
    assert share[0, 0] < 0.2  # heel on the floor
    assert share[-1, 0] > 0.9  # toes on the plate
