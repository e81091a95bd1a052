"""Tests of the Dorn et al. (2012) overground chain: plate contacts, straddles, feet, stances."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from grfkit.errors import ConfigError
from grfkit.io.schema import Plate
from grfkit.real.chain import stance_counts
from grfkit.real.dorn import (
    FOOT_MARKERS,
    DornTrial,
    assign_feet,
    dorn_stances,
    plate_contacts,
    read_dorn_trial,
)

RATE = 1000.0
MARKER_RATE = 100.0


def synthetic_trial(toe_blip: bool) -> DornTrial:
    """Two contacts: left foot on plate1 (0.2-0.45 s), right foot on plate2 (0.6-0.85 s).

    With ``toe_blip`` plate3 reads 25 N for 3 ms just after the plate2 contact's toe-off.
    """
    t = np.arange(0.0, 1.2, 1 / RATE)
    plates = (Plate("plate1", 0.0, 0.9, -0.6, 0.0), Plate("plate2", 0.902, 1.802, -0.6, 0.0), Plate("plate3", 1.804, 2.704, -0.6, 0.0))
    columns = {"time_s": t}
    centres = {"plate1": (0.45, -0.25), "plate2": (1.35, -0.35), "plate3": (2.25, -0.3)}
    loads = {name: np.zeros_like(t) for name in centres}
    for name, start in (("plate1", 0.2), ("plate2", 0.6)):
        inside = (t >= start) & (t <= start + 0.25)
        loads[name][inside] = 1800 * np.sin(np.pi * (t[inside] - start) / 0.25)
    if toe_blip:
        loads["plate3"][(t > 0.852) & (t < 0.855)] = 25.0
    for name, fz in loads.items():
        columns |= {f"{name}_fx_n": np.zeros_like(t), f"{name}_fy_n": np.zeros_like(t), f"{name}_fz_n": fz}
        columns[f"{name}_cop_x_m"] = np.where(fz > 10, centres[name][0], np.nan)
        columns[f"{name}_cop_y_m"] = np.where(fz > 10, centres[name][1], np.nan)
    tm = np.arange(0.0, 1.2, 1 / MARKER_RATE)
    markers = {"time_s": tm}
    # left foot stands on plate1 until 0.5 s then swings far ahead; right foot on plate2 from 0.55 s
    left_x = np.where(tm < 0.5, 0.45, 3.0)
    right_x = np.where(tm > 0.55, 1.35, -1.0)
    for foot, x, y in (("left", left_x, -0.25), ("right", right_x, -0.35)):
        for k, name in enumerate(FOOT_MARKERS[foot]):
            markers |= {f"{name}_x_m": x + 0.02 * (k - 1.5), f"{name}_y_m": np.full_like(tm, y), f"{name}_z_m": np.full_like(tm, 0.05)}
    markers |= {f"SACR_{a}_m": v for a, v in zip("xyz", (3.5 * tm, np.zeros_like(tm), np.ones_like(tm)), strict=True)}
    return DornTrial("jog", "synthetic", 3.5, 75.0, RATE, MARKER_RATE, pd.DataFrame(columns), plates, pd.DataFrame(markers))


def test_toe_blip_on_the_next_plate_makes_a_straddle() -> None:
    clean = plate_contacts(synthetic_trial(toe_blip=False))
    assert clean["clean"].all() and list(clean["plate"]) == ["plate1", "plate2"]
    blip = plate_contacts(synthetic_trial(toe_blip=True)).set_index("plate")
    assert blip.loc["plate1", "clean"]
    assert not blip.loc["plate2", "clean"] and "straddle: plate2+plate3" in blip.loc["plate2", "reason"]


def test_feet_are_assigned_from_the_markers_and_verified() -> None:
    trial = synthetic_trial(toe_blip=False)
    feet = assign_feet(trial, plate_contacts(trial))
    assert list(feet["foot"]) == ["left", "right"]
    assert feet["foot_verified"].all()
    assert (feet["foot_distance_m"] < 0.05).all() and (feet["other_foot_distance_m"] > 0.5).all()


def test_speed_from_the_sacral_marker() -> None:
    assert synthetic_trial(False).speed_mps(0.1, 1.0) == pytest.approx(3.5)


def test_unknown_dorn_trial_is_a_config_error(tmp_path) -> None:
    with pytest.raises(ConfigError):
        read_dorn_trial(tmp_path, "walk")


@pytest.mark.realdata
def test_dorn_clean_contacts_and_rejections(real_dataset) -> None:
    ds = dorn_stances(real_dataset("dorn2012"))
    jog = ds.meta[ds.meta["bout"] == "jog"]
    sprint = ds.meta[ds.meta["bout"] == "sprint"]
    assert list(zip(jog["plate"], jog["foot"], strict=True)) == [
        ("plate1", "left"), ("plate4", "left"), ("plate5", "right"), ("plate7", "left")
    ]
    assert list(zip(sprint["plate"], sprint["foot"], strict=True)) == [
        ("plate2", "right"), ("plate4", "left"), ("plate7", "right"), ("plate8", "left")
    ]
    # the right foot on plate2 in the jog touches plate3 at toe-off: rejected and reported
    assert len(ds.skipped) == 1
    skip = ds.skipped.iloc[0]
    assert (skip["bout"], skip["plate"], skip["foot"]) == ("jog", "plate2", "right")
    assert skip["reason"].startswith("straddle: plate2+plate3")
    counts = stance_counts(ds, by=("dataset",))
    assert counts["accepted"].sum() == 8 and counts["rejected"].sum() == 1
    assert jog["speed_mps"].iloc[0] == pytest.approx(3.5, abs=0.2)
    assert sprint["speed_mps"].iloc[0] == pytest.approx(9.3, abs=0.5)
    weight = ds.meta["body_mass_kg"].to_numpy()[:, None] * 9.81
    peaks = (ds.target("vgrf_n") / weight).max(axis=1)
    assert np.all((peaks > 2.3) & (peaks < 3.5))
    assert np.all(ds.meta["contact_time_s"].to_numpy()[ds.meta["bout"] == "sprint"] < 0.15)
