"""Tests of the simulated cohorts."""

from __future__ import annotations

import math

import numpy as np
import pytest

from grfkit.io.schema import FOOT_STRIKES, PARTICIPANT_COLUMNS
from grfkit.simulate.participants import (
    OVERGROUND_COHORT,
    TREADMILL_COHORT,
    participants_table,
    sample_cohort,
    sample_participant,
    truth_table,
)


def test_overground_cohort_is_15_with_6_women() -> None:
    people = sample_cohort(OVERGROUND_COHORT, 15, seed=0)
    assert [p.participant for p in people] == [f"OG{i:02d}" for i in range(1, 16)]
    assert sum(p.sex == "female" for p in people) == 6
    assert all(p.dataset == "overground" for p in people)
    assert all(list(p.gradients_deg) == ["level"] for p in people)


def test_treadmill_cohort_follows_the_published_protocol() -> None:
    people = sample_cohort(TREADMILL_COHORT, 50, seed=1)
    assert sum(p.sex == "female" for p in people) == 25
    # Dataset_Generator.py (JoshCarter97/LSTM_GRF_Estimation @ 069a239): inclines 1 (flat), +6, -4 % grade.
    degrees = {name: math.degrees(math.atan(pct / 100)) for name, pct in (("downhill", -4), ("level", 1), ("uphill", 6))}
    assert people[0].gradients_deg == pytest.approx(degrees)
    for p in people:
        speeds = p.speeds_mps
        assert speeds["slow"] == pytest.approx(0.9 * speeds["medium"])
        assert speeds["fast"] == pytest.approx(1.1 * speeds["medium"])
        assert speeds["fixed"] == pytest.approx(12 / 3.6)


def test_hidden_generator_parameters_are_truth_not_participant_metadata() -> None:
    people = sample_cohort(OVERGROUND_COHORT, 3, seed=0)
    assert not {"fsr_gain_left", "asymmetry", "pivot_height_m"} & set(participants_table(people).columns)
    truth = truth_table(people)
    assert {"fsr_gain_left", "fsr_gain_right", "asymmetry", "pivot_height_m", "active_peak_frac"} <= set(truth.columns)
    assert truth["participant"].tolist() == ["OG01", "OG02", "OG03"]


def test_runners_differ_in_force_shape() -> None:
    people = sample_cohort(TREADMILL_COHORT, 50, seed=3)
    for name in ("impact_time_factor", "active_peak_frac", "active_sine_weight", "pivot_height_m"):
        values = np.array([getattr(p, name) for p in people])
        assert values.std() > 0.01 * abs(values.mean()), name
    assert all(0.38 <= p.active_peak_frac <= 0.52 and 0.55 < p.pivot_height_m / p.height_m < 0.77 for p in people)


def test_smaller_cohort_is_a_prefix_of_the_full_one() -> None:
    assert sample_cohort(OVERGROUND_COHORT, 4, seed=5) == sample_cohort(OVERGROUND_COHORT, 15, seed=5)[:4]
    assert sample_participant(TREADMILL_COHORT, 7, 5) == sample_cohort(TREADMILL_COHORT, 8, 5)[7]


def test_different_seeds_give_different_people() -> None:
    a = sample_participant(OVERGROUND_COHORT, 0, 0)
    b = sample_participant(OVERGROUND_COHORT, 0, 1)
    assert a.body_mass_kg != b.body_mass_kg


def test_participants_are_physically_plausible() -> None:
    people = sample_cohort(TREADMILL_COHORT, 50, seed=2) + sample_cohort(OVERGROUND_COHORT, 15, seed=2)
    for p in people:
        assert 40 < p.body_mass_kg < 120 and 1.45 <= p.height_m <= 2.05
        assert p.insole_length_m == pytest.approx(0.15 * p.height_m, rel=0.12)
        assert p.insole_width_m == pytest.approx(0.36 * p.insole_length_m)
        assert p.foot_strike in FOOT_STRIKES
        speeds = p.speeds_mps
        assert 2.0 < speeds["slow"] < speeds["medium"] < speeds["fast"] < 6.0
        assert len(p.sensor_gains_left) == len(p.sensor_gains_right) == 16
        assert 0.5 < p.fsr_gain_left < 2.0
        assert p.side_factor("left") + p.side_factor("right") == pytest.approx(2.0)
    strikes = [p.foot_strike for p in people]
    assert strikes.count("rearfoot") > len(people) / 2


def test_participants_table_has_the_raw_format_columns() -> None:
    table = participants_table(sample_cohort(OVERGROUND_COHORT, 3, seed=0))
    assert list(table.columns[: len(PARTICIPANT_COLUMNS)]) == list(PARTICIPANT_COLUMNS)
    assert len(table) == 3
    assert np.all(table["medium_speed_mps"] > table["slow_speed_mps"])


def test_negative_index_is_rejected() -> None:
    with pytest.raises(ValueError):
        sample_participant(OVERGROUND_COHORT, -1, 0)
