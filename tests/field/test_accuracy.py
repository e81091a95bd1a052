"""Wearable events and IMU speed against the simulator's truth; one-to-one event matching."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grfkit.errors import MissingFileError
from grfkit.field.accuracy import SUMMARY_COLUMNS, event_accuracy, match_events


@pytest.fixture(scope="module")
def accuracy(tiny_raw: Path):
    return event_accuracy(tiny_raw)


def _row(accuracy, quantity: str, unit: str):
    summary = accuracy.summary
    return summary.loc[(summary["quantity"] == quantity) & (summary["unit"] == unit)].iloc[0]


def test_event_errors_on_the_tiny_cohort(accuracy) -> None:
    """Measured (seed 3): IC 0.5 ms median, 0.8 ms p95; TO 4.8 / 6.7 ms (insole unloads late)."""
    assert list(accuracy.summary.columns) == list(SUMMARY_COLUMNS)
    ic, to, contact = (_row(accuracy, q, "ms") for q in ("IC", "TO", "contact time"))
    assert ic["n"] > 150
    assert ic["median_abs"] < 1.5 and ic["p95_abs"] < 3.0
    assert to["median_abs"] < 8.0 and to["p95_abs"] < 10.0
    assert contact["median_abs"] < 8.0 and contact["p95_abs"] < 10.0
    assert accuracy.plate_contacts_found >= 0.95 and accuracy.contacts_found >= 0.95


def test_imu_speed_error_on_the_tiny_cohort(accuracy) -> None:
    """Measured (seed 3): 1.1 % median, 4.6 % p95 absolute error of the ZUPT speed."""
    relative = _row(accuracy, "IMU speed", "%")
    assert relative["n"] > 80
    assert relative["median_abs"] < 3.0 and relative["p95_abs"] < 10.0
    assert _row(accuracy, "IMU speed", "m/s")["median_abs"] < 0.1


def test_every_match_is_of_the_same_foot_and_close(accuracy) -> None:
    matched = accuracy.matches.loc[accuracy.matches["matched"]]
    assert (np.abs(matched["found_ic_s"] - matched["true_contact_start_s"]) <= 0.05).all()
    assert (matched["found_ic_s"] < matched["found_to_s"]).all()


def test_a_real_recording_has_no_truth(tmp_path: Path) -> None:
    with pytest.raises(MissingFileError, match="truth"):
        event_accuracy(tmp_path)


@settings(max_examples=50, deadline=None)
@given(
    found=st.lists(st.floats(0.0, 10.0), max_size=30, unique=True),
    truth=st.lists(st.floats(0.0, 10.0), max_size=30),
    tolerance_s=st.floats(0.0, 0.5),
)
def test_matching_is_one_to_one_within_tolerance(found, truth, tolerance_s) -> None:
    found_s = np.sort(np.array(found, dtype=float))
    truth_s = np.array(truth, dtype=float)
    k = match_events(found_s, truth_s, tolerance_s)
    hit = k >= 0
    assert len(set(k[hit])) == hit.sum()
    assert (np.abs(found_s[k[hit]] - truth_s[hit]) <= tolerance_s).all()
    if len(
        found_s
    ):  # a true contact left unmatched: its nearest wearable contact is out of reach or taken
        for t in truth_s[~hit]:
            distance = np.abs(found_s - t)
            nearest = np.flatnonzero(distance == distance.min())
            assert distance.min() > tolerance_s or np.isin(nearest, k[hit]).any()
