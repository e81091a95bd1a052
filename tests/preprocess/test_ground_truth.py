"""Tests of grfkit.preprocess.ground_truth: scoring preprocessing against the simulator's truth."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from grfkit.errors import ChannelMismatchError
from grfkit.io.read import read_truth
from grfkit.preprocess.ground_truth import (
    contact_detection_summary,
    edge_accepts,
    match_plate_contacts,
    oracle_floor,
    stance_truth,
    sync_errors,
)

KEYS = {"dataset": "overground", "participant": "OG01", "bout": "slow"}


def truth_table() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {**KEYS, "foot": "left", "plate": "plate1", "ic_s": 1.000, "to_s": 1.250, "clean": True, "reason": ""},
            {**KEYS, "foot": "right", "plate": "plate2", "ic_s": 1.400, "to_s": 1.650, "clean": True, "reason": ""},
            {**KEYS, "foot": "left", "plate": "plate3", "ic_s": 1.800, "to_s": 2.050, "clean": False, "reason": "edge"},
            {**KEYS, "foot": "left", "plate": "plate4", "ic_s": 3.000, "to_s": 3.250, "clean": True, "reason": ""},
            {**KEYS, "foot": "left", "plate": "", "ic_s": 2.200, "to_s": 2.450, "clean": False, "reason": "off_plate"},
        ]
    )


def detected_table() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {**KEYS, "plate": "plate1", "ic_s": 1.0004, "to_s": 1.2490, "stance": True, "skip_reason": ""},
            {**KEYS, "plate": "plate2", "ic_s": 1.4001, "to_s": 1.6502, "stance": False, "skip_reason": "other foot"},
            {**KEYS, "plate": "plate3", "ic_s": 1.8002, "to_s": 2.0500, "stance": True, "skip_reason": ""},
            # plate4's contact was missed; a spurious contact 0.2 s away must not pair with it.
            {**KEYS, "plate": "plate4", "ic_s": 3.2000, "to_s": 3.4000, "stance": False, "skip_reason": "edge"},
        ]
    )


def test_matching_pairs_within_tolerance_only() -> None:
    m = match_plate_contacts(detected_table(), truth_table()).set_index("plate")
    assert list(m.index) == ["plate1", "plate2", "plate3", "plate4"]  # off-plate contact excluded
    assert m.loc["plate1", "found"] and m.loc["plate1", "kept"]
    assert m.loc["plate1", "ic_error_ms"] == pytest.approx(0.4)
    assert m.loc["plate1", "to_error_ms"] == pytest.approx(-1.0)
    assert not m.loc["plate4", "found"] and m.loc["plate4", "skip_reason"] == "not detected"
    assert np.isnan(m.loc["plate4", "ic_error_ms"])


def test_summary_counts_found_share_and_false_accepts() -> None:
    s = contact_detection_summary(match_plate_contacts(detected_table(), truth_table())).iloc[0]
    assert s["true_clean"] == 2  # left plate1 and plate4
    assert s["found_pct"] == pytest.approx(50.0)
    assert s["false_accepts"] == 1  # plate3 was an edge contact kept as a stance
    assert s["ic_median_ms"] == pytest.approx(0.3)


def test_sync_errors_include_drift_over_the_recording() -> None:
    bouts = pd.DataFrame([{**KEYS, "status": "ok", "sync_offset_s": 2.0005, "sync_drift_ppm": 20.0, "duration_s": 100.0}])
    trials = pd.DataFrame([{**KEYS, "clock_offset_s": 2.0, "clock_drift_ppm": 10.0}])
    e = sync_errors(bouts, trials).iloc[0]
    assert e["offset_error_ms"] == pytest.approx(0.5)
    assert e["drift_error_ppm"] == pytest.approx(10.0)
    # Recording spans insole times -2 .. 98 s: error 0.5 ms + 10 ppm * 98 s = 1.48 ms at the end.
    assert e["mapping_error_ms"] == pytest.approx(0.5 + 10e-6 * 98.0 * 1e3)


def test_failed_bouts_are_left_out_of_sync_errors() -> None:
    bouts = pd.DataFrame([{**KEYS, "status": "SyncError: no peak", "sync_offset_s": np.nan, "sync_drift_ppm": np.nan,
                           "duration_s": np.nan}])
    trials = pd.DataFrame([{**KEYS, "clock_offset_s": 2.0, "clock_drift_ppm": 10.0}])
    assert sync_errors(bouts, trials).empty


def test_missing_columns_are_named() -> None:
    with pytest.raises(ChannelMismatchError, match="stance"):
        match_plate_contacts(detected_table().drop(columns="stance"), truth_table())


def test_tiny_cohort_meets_the_accuracy_targets(tiny_raw: Path, tiny_result) -> None:
    trials, stances = read_truth(tiny_raw)
    sync = sync_errors(tiny_result.bouts, trials)
    assert (sync["mapping_error_ms"] < 5.0).all()
    summary = contact_detection_summary(match_plate_contacts(tiny_result.contacts, stances)).set_index("dataset")
    assert summary.loc["treadmill", "found_pct"] >= 90.0
    assert summary.loc["overground", "ic_median_ms"] <= 1.0


def test_stance_truth_pairs_each_stance_with_its_true_contact() -> None:
    meta = pd.DataFrame([{**KEYS, "plate": "plate3", "ic_s": 1.8002, "to_s": 2.05, "speed_mps": 3.1},
                         {**KEYS, "plate": "plate1", "ic_s": 1.0004, "to_s": 1.249, "speed_mps": 3.0},
                         {**KEYS, "plate": "plate4", "ic_s": 9.0, "to_s": 9.25, "speed_mps": 3.0}])
    truth = truth_table().assign(speed_mps=[3.05, 3.0, 3.2, 3.0, 3.0])
    out = stance_truth(meta, truth)
    assert list(out["plate"]) == ["plate3", "plate1", "plate4"]  # row order kept
    assert out.loc[0, "true_reason"] == "edge" and not out.loc[0, "true_clean"]
    assert out.loc[1, "true_ic_s"] == pytest.approx(1.0) and out.loc[1, "true_speed_mps"] == pytest.approx(3.05)
    assert np.isnan(out.loc[2, "true_ic_s"])


def test_contacts_the_insole_never_recorded_are_not_counted() -> None:
    truth = truth_table().assign(insole_recorded=[True, True, True, False, True])
    s = contact_detection_summary(match_plate_contacts(detected_table(), truth)).iloc[0]
    assert s["true_clean"] == 1  # plate4's clean contact happened while the insoles were off
    assert s["found_pct"] == pytest.approx(100.0)


def test_edge_accepts_counts_truncated_stances_and_their_deficit() -> None:
    truth = truth_table().assign(plate_impulse_fraction=[1.0, 1.0, 0.93, 1.0, 0.0])
    e = edge_accepts(match_plate_contacts(detected_table(), truth)).iloc[0]
    assert e["accepted"] == 2  # plate1 and plate3 (left); plate2 is the right foot
    assert e["edge_accepted"] == 1 and e["edge_accept_pct"] == pytest.approx(50.0)
    assert e["deficit_median_pct"] == pytest.approx(7.0) and e["deficit_max_pct"] == pytest.approx(7.0)
    # without the impulse column the deficit is unknown; without edge stances it is NaN
    assert np.isnan(edge_accepts(match_plate_contacts(detected_table(), truth_table())).iloc[0]["deficit_max_pct"])
    clean_only = detected_table().assign(stance=[True, False, False, False])
    e = edge_accepts(match_plate_contacts(clean_only, truth)).iloc[0]
    assert (e["accepted"], e["edge_accepted"], e["edge_accept_pct"]) == (1, 0, 0.0)
    assert np.isnan(e["deficit_median_pct"])
    with pytest.raises(ChannelMismatchError, match="kept"):
        edge_accepts(truth_table())


def test_oracle_floor_is_small_positive_and_rises_with_a_wrong_parameter(tiny_raw: Path, tiny_result) -> None:
    _, truth = read_truth(tiny_raw)
    stances = tiny_result.stances
    for target, ceiling in (("vgrf", 2.0), ("apgrf", 6.0)):
        floor = oracle_floor(tiny_raw, stances, truth, target=target).set_index("participant")
        assert set(floor.index) == set(stances.participants)
        assert (floor["n_unmatched"] == 0).all()
        assert floor["n_stances"].sum() == len(stances)
        assert ((floor["rrmse_pct"] > 0) & (floor["rrmse_pct"] < ceiling)).all(), floor
        assert (floor["r"] > 0.99).all()
    # A lever 20 % too long (centre of mass too low) is an error the measurement cannot explain.
    wrong = truth.assign(force_pivot_height_m=truth["force_pivot_height_m"] / 1.2)
    right = oracle_floor(tiny_raw, stances, truth, target="apgrf").set_index("participant")["rrmse_pct"]
    raised = oracle_floor(tiny_raw, stances, wrong, target="apgrf").set_index("participant")["rrmse_pct"]
    assert (raised > right + 1.0).all()


def test_oracle_floor_names_missing_force_parameters(tiny_raw: Path, tiny_result) -> None:
    _, truth = read_truth(tiny_raw)
    with pytest.raises(ChannelMismatchError, match="force_com_offset_m"):
        oracle_floor(tiny_raw, tiny_result.stances, truth.drop(columns="force_com_offset_m"), target="apgrf")
