"""Tests of the domain-gap switches."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from grfkit.simulate import NO_GAP, DomainGap, cohort_plan, simulate_bout
from grfkit.simulate.overground import OvergroundConfig
from grfkit.simulate.treadmill import TreadmillConfig


def test_labels_name_what_is_switched_off() -> None:
    assert DomainGap().label == "gap"
    assert NO_GAP.label == "nogap"
    assert DomainGap(treadmill_incline=False).label == "off-treadmill_incline"


def test_each_switch_removes_its_difference() -> None:
    assert NO_GAP.overground_config().speed_fluctuation_cv == 0.0
    assert DomainGap().overground_config() == OvergroundConfig()
    assert NO_GAP.treadmill_config().belt_dip_ratio == 0.0
    assert DomainGap().treadmill_config() == TreadmillConfig()
    people, bouts = cohort_plan("ci", seed=0, gap=DomainGap(treadmill_incline=False))
    assert (bouts["gradient_deg"] == 0.0).all()
    people, _ = cohort_plan("ci", seed=0, gap=DomainGap(session_sensors=False))
    for p in people:
        assert p.fsr_gain_left == p.fsr_gain_right == 1.0 and set(p.sensor_gains_left) == {1.0}
        assert p.imu_pitch_offset_deg == p.imu_roll_offset_deg == 0.0


def test_without_the_speed_gap_the_treadmill_runners_run_like_the_overground_ones() -> None:
    gap_people, _ = cohort_plan("paper", seed=0)
    same_people, _ = cohort_plan("paper", seed=0, gap=DomainGap(speed_ranges=False))
    def mean_medium(people: list, dataset: str) -> float:
        return float(np.mean([p.speeds_mps["medium"] for p in people if p.dataset == dataset]))
    overground = mean_medium(gap_people, "overground")
    assert abs(mean_medium(same_people, "treadmill") - overground) < abs(mean_medium(gap_people, "treadmill") - overground)
    assert all(p.speeds_mps["fixed"] == p.speeds_mps["medium"] for p in same_people if p.dataset == "treadmill")


def test_switching_the_gap_off_changes_only_the_switched_parts() -> None:
    with_gap = simulate_bout("treadmill", "TM01", "medium_uphill", duration_s=12.0)
    without = simulate_bout("treadmill", "TM01", "medium_uphill", duration_s=12.0, gap=NO_GAP)
    assert with_gap.raw.info.gradient_deg > 3.0 and without.raw.info.gradient_deg == 0.0
    # The overground bout of the same runner and seed is untouched by treadmill-only switches.
    a = simulate_bout("overground", "OG01", "medium", duration_s=20.0)
    b = simulate_bout("overground", "OG01", "medium", duration_s=20.0, gap=DomainGap(treadmill_incline=False))
    assert a.raw.force.equals(b.raw.force)


def test_the_gap_is_recorded_with_the_cohort(tmp_path) -> None:
    import json

    from grfkit.scales import ScaleConfig
    from grfkit.simulate import simulate_cohort

    tiny = ScaleConfig("tiny", 1, ("medium",), 12.0, 1, ("medium_level",), 12.0)
    out = simulate_cohort(tiny, seed=0, out_dir=tmp_path / "raw", gap=DomainGap(belt_dynamics=False))
    manifest = json.loads((out / "dataset.json").read_text())
    assert manifest["domain_gap"] == dataclasses.asdict(DomainGap(belt_dynamics=False))
    truth = (out / "truth" / "participants.csv").read_text()
    assert "fsr_gain_left" in truth and "fsr_gain_left" not in (out / "participants.csv").read_text()


@pytest.mark.parametrize("field", [f.name for f in dataclasses.fields(DomainGap)])
def test_every_switch_is_a_boolean_defaulting_to_on(field: str) -> None:
    assert getattr(DomainGap(), field) is True and getattr(NO_GAP, field) is False


def test_every_switch_is_described_with_what_replaces_it() -> None:
    table = DomainGap.switches()
    assert list(table.index) == [f.name for f in dataclasses.fields(DomainGap)]
    assert (table["difference"].str.len() > 20).all() and (table["switched_off"].str.len() > 10).all()
    assert "belt that holds its speed" in table.loc["belt_dynamics", "switched_off"]
