"""Tests of the truth event times and stance table."""

from __future__ import annotations

import numpy as np
import pytest

from grfkit.constants import GRAVITY_MPS2
from grfkit.io.schema import TRUTH_STANCE_COLUMNS
from grfkit.simulate.gait import generate_contacts
from grfkit.simulate.grf_model import StanceForce
from grfkit.simulate.participants import OVERGROUND_COHORT, sample_participant
from grfkit.simulate.truth import (
    FORCE_PARAMETER_COLUMNS,
    IMPULSE_COLUMNS,
    TRUTH_EXTRA_COLUMNS,
    coarse_times,
    event_times,
    force_truth,
    stance_events,
    stance_force_from_truth,
    stance_table,
    threshold_crossings,
)


def test_threshold_crossings_interpolates_and_reports_nan_without_contact() -> None:
    tau = np.array([0.0, 1.0, 2.0, 3.0])
    assert threshold_crossings(tau, np.array([0.0, 40.0, 40.0, 0.0]), 10.0) == (10.5, 12.5)
    ic, to = threshold_crossings(tau, np.zeros(4), 0.0)
    assert np.isnan(ic) and np.isnan(to)


def test_coarse_times_cover_the_contact() -> None:
    t = coarse_times(0.2505)
    assert t[0] == 0.0 and t[-1] == 0.2505 and np.allclose(np.diff(t)[:-1], 1e-3)


def test_event_times_of_a_ramp_are_exact() -> None:
    # 10 kN/s ramp up over 0.1 s, down over 0.1 s: 20 N reached after 2 ms.
    def force(t):
        return np.where(t < 0.1, 1e4 * t, 1e4 * (0.2 - t)).clip(0)

    ic, to = event_times(force, 0.2, 5.0)
    assert ic == pytest.approx(5.002, abs=1e-7)
    assert to == pytest.approx(5.198, abs=1e-7)


def test_event_times_never_reaching_threshold_is_nan() -> None:
    ic, to = event_times(lambda t: np.full(t.shape, 5.0), 0.2, 0.0)
    assert np.isnan(ic) and np.isnan(to)


def test_stance_events_match_event_times() -> None:
    person = sample_participant(OVERGROUND_COHORT, 1, 0)
    seq = generate_contacts(
        person, start_s=0, end_s=5, speed_at=lambda t: 3.2, gradient_deg=0, rng=np.random.default_rng(0)
    )
    ic, to = stance_events([c.force for c in seq], np.array([c.start_s for c in seq]))
    for c, a, b in zip(seq, ic, to, strict=True):
        ref = event_times(lambda t, c=c: c.force.evaluate(t)[0], c.contact_time_s, c.start_s)
        assert a == pytest.approx(ref[0], abs=1e-9) and b == pytest.approx(ref[1], abs=1e-9)
        assert c.start_s < a < c.start_s + 0.002 and c.end_s - 0.01 < b < c.end_s


def test_stance_table_columns_and_order() -> None:
    row = dict.fromkeys([*TRUTH_STANCE_COLUMNS, *TRUTH_EXTRA_COLUMNS], 0)
    rows = [{**row, "contact_start_s": 2.0, "clean": True}, {**row, "contact_start_s": 1.0, "clean": False}]
    table = stance_table(rows)
    assert list(table.columns) == [*TRUTH_STANCE_COLUMNS, *TRUTH_EXTRA_COLUMNS]
    assert table["contact_start_s"].tolist() == [1.0, 2.0]
    assert table["clean"].dtype == bool


def test_force_truth_round_trips_and_scales_impulses_by_body_weight() -> None:
    force = StanceForce(0.25, 10.0, 0.02, 1500.0, 0.5, 1.1, 0.15, -30.0, 0.95, 3.5, 0.26, -0.3, 0.15, 0.9, 2.4, 0.0)
    row = force_truth(force, 70.0)
    assert set(row) == {*FORCE_PARAMETER_COLUMNS, *IMPULSE_COLUMNS}
    assert set(FORCE_PARAMETER_COLUMNS) | set(IMPULSE_COLUMNS) <= set(TRUTH_EXTRA_COLUMNS)
    assert stance_force_from_truth(row) == force
    # The impulses are the integrals of the negative and positive AP force, over body weight.
    t = np.linspace(0.0, force.contact_time_s, 200_001)
    along = force.evaluate(t)[1]
    weight = 70.0 * GRAVITY_MPS2
    assert row["braking_impulse_bws"] == pytest.approx(-np.trapezoid(np.minimum(along, 0), t) / weight, rel=1e-3)
    assert row["propulsive_impulse_bws"] == pytest.approx(np.trapezoid(np.maximum(along, 0), t) / weight, rel=1e-3)
    with pytest.raises(KeyError, match="force_lateral_amplitude_n"):
        stance_force_from_truth({k: v for k, v in row.items() if k != "force_lateral_amplitude_n"})
