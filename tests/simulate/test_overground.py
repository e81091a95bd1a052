"""Tests of overground bouts: plate forces, marker, truth."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from grfkit.constants import GRAVITY_MPS2
from grfkit.io.validate import validate_bout
from grfkit.simulate.lab import LabLayout
from grfkit.simulate.overground import OvergroundConfig, simulate_overground_bout
from grfkit.simulate.participants import OVERGROUND_COHORT, sample_participant
from grfkit.simulate.truth import stance_force_from_truth

LAYOUT = LabLayout()
PERSON = sample_participant(OVERGROUND_COHORT, 1, 0)


@pytest.fixture(scope="module")
def bout():
    return simulate_overground_bout(PERSON, "medium", duration_s=60.0, seed=0)


def test_bout_tables_follow_the_raw_format(bout) -> None:
    raw, _stances, clock = bout
    validate_bout(raw)
    assert raw.info.environment == "overground" and len(raw.info.plates) == 4
    assert raw.force["time_s"].iloc[-1] == pytest.approx(60.0)
    # The insole records longer than the lab and starts at another moment.
    assert raw.insole["time_s"].iloc[-1] > 60.0
    assert clock.clock_offset_s != 0.0


def test_truth_lists_every_contact_alternating(bout) -> None:
    _, stances, _ = bout
    feet = stances["foot"].tolist()
    assert all(a != b for a, b in itertools.pairwise(feet))
    assert stances["contact_start_s"].min() >= 0 and stances["contact_end_s"].max() <= 60.0
    assert set(stances["reason"]) <= {"", "straddle", "edge", "off_plate"}
    assert (stances["plate"] == "").tolist() == (stances["reason"] == "off_plate").tolist()
    assert stances["clean"].tolist() == (stances["reason"] == "").tolist()
    # The 20 N crossings lie within the physical contact.
    ok = stances.dropna(subset=["ic_s"])
    assert np.all(ok["ic_s"] >= ok["contact_start_s"]) and np.all(ok["to_s"] <= ok["contact_end_s"])
    clean = stances[stances["clean"]]
    assert np.all(clean["ic_s"] - clean["contact_start_s"] < 0.002)
    assert len(clean) > 0 and (stances["reason"] == "off_plate").mean() > 0.7


def plate_impulse(raw, plate: str, start: float, end: float) -> float:
    t = raw.force["time_s"].to_numpy()
    window = (t >= start - 0.01) & (t <= end + 0.01)
    return float(np.trapezoid(raw.force[f"{plate}_fz_n"].to_numpy(np.float64)[window], t[window]))


def test_clean_contacts_put_the_whole_stance_impulse_on_their_plate(bout) -> None:
    raw, stances, _ = bout
    starts = stances["contact_start_s"].to_numpy()
    weight = PERSON.body_mass_kg * GRAVITY_MPS2
    checked = 0
    for i in np.flatnonzero(stances["clean"].to_numpy()[:-1]):
        row = stances.iloc[i]
        step_time = starts[i + 1] - starts[i]
        measured = plate_impulse(raw, row["plate"], row["contact_start_s"], row["contact_end_s"])
        # Level running: the stance's vertical impulse is body weight times step time.
        assert measured == pytest.approx(weight * step_time, rel=0.02)
        checked += 1
    assert checked > 0


def test_straddles_load_two_plates_and_edges_lose_load(bout) -> None:
    raw, stances, _ = bout
    t = raw.force["time_s"].to_numpy()
    for _, row in stances[stances["reason"] == "straddle"].iterrows():
        window = (t >= row["contact_start_s"]) & (t <= row["contact_end_s"])
        loaded = [p.name for p in raw.info.plates if raw.force[f"{p.name}_fz_n"].to_numpy()[window].max() > 20.0]
        assert len(loaded) >= 2 or row["plate_impulse_fraction"] > 0.98
    partial = stances[stances["reason"].isin(["straddle", "edge"])]
    assert len(partial) > 0
    assert np.all(partial["plate_impulse_fraction"] < 1.0)


def test_off_plate_contacts_leave_the_plates_unloaded(bout) -> None:
    raw, stances, _ = bout
    t = raw.force["time_s"].to_numpy()
    fz = np.stack([raw.force[f"{p.name}_fz_n"].to_numpy() for p in raw.info.plates], axis=1)
    for _, row in stances[stances["reason"] == "off_plate"].iterrows():
        window = (t >= row["contact_start_s"]) & (t <= row["contact_end_s"])
        assert fz[window].max() < 20.0


def test_plate_cop_is_nan_when_unloaded_and_on_the_plate_when_loaded(bout) -> None:
    raw, _, _ = bout
    for plate in raw.info.plates:
        fz = raw.force[f"{plate.name}_fz_n"].to_numpy()
        cop_x = raw.force[f"{plate.name}_cop_x_m"].to_numpy()
        assert np.isnan(cop_x[fz < 10]).all()
        heavy = fz > 200
        if heavy.any():
            assert np.all((cop_x[heavy] > plate.x_min_m - 0.01) & (cop_x[heavy] < plate.x_max_m + 0.01))


def test_speed_varies_around_the_loop(bout) -> None:
    _, stances, _ = bout
    speed = stances["speed_mps"].to_numpy()
    assert speed.std() / speed.mean() > 0.03
    assert speed.max() < 1.15 * PERSON.speeds_mps["medium"]


def test_marker_follows_the_runner_inside_the_capture_volume(bout) -> None:
    raw, _, _ = bout
    marker = raw.marker
    assert marker["time_s"].iloc[1] == pytest.approx(0.005)
    visible = marker["waist_x_m"].notna()
    assert 0.1 < visible.mean() < 0.6
    assert np.all(np.abs(marker.loc[visible, "waist_x_m"]) <= 4.5)
    z = marker.loc[visible, "waist_z_m"]
    assert z.mean() == pytest.approx(PERSON.waist_height_m, abs=0.02)
    assert 0.04 < z.max() - z.min() < 0.12
    # Running in +x while visible: x grows between consecutive visible samples.
    x = marker["waist_x_m"].to_numpy()
    dx = np.diff(x)[visible.to_numpy()[1:] & visible.to_numpy()[:-1]]
    assert np.median(dx) > 0


def test_config_changes_the_measurement() -> None:
    quiet = OvergroundConfig(plate_noise_sd_n=0.0, plate_shear_noise_sd_n=0.0, plate_offset_sd_n=0.0)
    raw, _, _ = simulate_overground_bout(PERSON, "slow", duration_s=12.0, seed=1, config=quiet)
    fz = raw.force[[f"plate{k}_fz_n" for k in range(1, 5)]].to_numpy()
    assert fz.min() >= 0.0 and np.mean(fz == 0.0) > 0.8


def test_plates_sit_in_the_steady_speed_section(bout) -> None:
    _, stances, _ = bout
    start, end = LAYOUT.steady_section_m(OvergroundConfig().ramp_length_m)
    plates = LAYOUT.plates()
    assert start < plates[0].x_min_m and plates[-1].x_max_m < end
    on_plates = stances.loc[stances["plate"].astype(str) != ""]
    target = PERSON.speeds_mps["medium"]
    # Only the small step-to-step fluctuation is left where the plates are: no ramp.
    assert len(on_plates) > 5
    assert np.abs(on_plates["speed_mps"] / target - 1).max() < 0.08


def test_a_ramp_into_the_plate_row_is_rejected() -> None:
    from grfkit.errors import ConfigError

    with pytest.raises(ConfigError, match="steady-speed section"):
        OvergroundConfig(ramp_length_m=5.0)


def test_truth_force_parameters_rebuild_the_clean_plate_force(bout) -> None:
    raw, stances, _ = bout
    t = raw.force["time_s"].to_numpy()
    clean = stances[stances["clean"]]
    assert len(clean) > 0
    for _, row in clean.iterrows():
        force = stance_force_from_truth(row)
        assert force.contact_time_s == pytest.approx(row["contact_time_s"])
        window = (t >= row["contact_start_s"] - 0.01) & (t <= row["contact_end_s"] + 0.01)
        rebuilt = force.evaluate(t[window] - row["contact_start_s"])[0]
        measured = raw.force[f"{row['plate']}_fz_n"].to_numpy(np.float64)[window]
        # Plate noise and offsets only: a few percent of the peak.
        assert np.sqrt(np.mean((measured - rebuilt) ** 2)) < 0.03 * rebuilt.max()
