"""Tests of the Hamner & Delp (2013) treadmill chain: trial reading, body masses, stances."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from grfkit.constants import N_POINTS
from grfkit.errors import ConfigError, NoContactError
from grfkit.preprocess.skip_reasons import REASON_BOTH_FEET, REASON_CUT
from grfkit.real.hamner import (
    HAMNER_SUBJECTS,
    MAX_DOUBLE_SUPPORT_S,
    HamnerTrial,
    body_mass_from_force,
    hamner_body_masses,
    hamner_stances,
    read_hamner_trial,
    trial_stances,
)
from grfkit.real.registry import dataset_info

RATE = 1000.0


def _pulse(t: np.ndarray, start: float, duration: float, peak_n: float) -> np.ndarray:
    inside = (t >= start) & (t <= start + duration)
    return np.where(inside, peak_n * np.sin(np.pi * np.clip((t - start) / duration, 0, 1)), 0.0)


def synthetic_trial(crossover_at_s: float | None = None, contact_s: float = 0.25) -> HamnerTrial:
    """Alternating half-sine stances every 0.36 s; the first cut by the trial start."""
    t = np.arange(0.0, 3.0, 1 / RATE)
    left = np.zeros_like(t)
    right = np.zeros_like(t)
    for k, start in enumerate(np.arange(-0.1, 3.0, 0.36)):
        if k % 2 == 0:
            left += _pulse(t, start, contact_s, 1800.0)
        else:
            right += _pulse(t, start, contact_s, 1800.0)
    if crossover_at_s is not None:  # one stance loads both channels
        both = _pulse(t, crossover_at_s, 0.25, 900.0)
        left += both
        right += both
    columns = {"time_s": t}
    for foot, fz in (("left", left), ("right", right)):
        columns |= {f"{foot}_fx_n": 0.1 * np.gradient(fz), f"{foot}_fy_n": np.zeros_like(t), f"{foot}_fz_n": fz}
        columns |= {f"{foot}_cop_{a}_m": np.where(fz > 10, 0.1, np.nan) for a in "xyz"}
    return HamnerTrial("subject01", "Run_3", 3.0, RATE, float("nan"), pd.DataFrame(columns), None)


def test_body_mass_from_force_recovers_weight_over_whole_strides() -> None:
    t = np.arange(0.0, 4.0, 1 / RATE)
    weight_n, step_s, contact_s = 70 * 9.81, 0.36, 0.25
    peak_n = weight_n * step_s * np.pi / (2 * contact_s)  # each stance's impulse is weight x step time
    force = sum(_pulse(t, s, contact_s, peak_n) for s in np.arange(0.0, 4.0, step_s))
    ic_one_foot = np.arange(0.0, 3.7, 2 * step_s)
    assert body_mass_from_force(force, t, ic_one_foot) == pytest.approx(70.0, rel=0.01)


def test_body_mass_needs_two_contacts() -> None:
    with pytest.raises(NoContactError):
        body_mass_from_force(np.ones(10), np.arange(10.0), np.array([1.0]))


def test_trial_stances_keeps_complete_single_support_stances() -> None:
    meta, curves, skipped = trial_stances(synthetic_trial(), 70.0)
    assert curves.shape == (len(meta), N_POINTS, 3)
    assert set(meta["foot"]) == {"left", "right"}
    assert (skipped["reason"] == REASON_CUT).sum() >= 1  # the stance running at t = 0
    np.testing.assert_allclose(meta["contact_time_s"], 0.25, atol=0.01)
    assert meta["peak_vgrf_raw_n"].max() == pytest.approx(1800.0, rel=1e-3)
    # filtered vertical curve: near zero at IC/TO, peak near mid-stance
    assert np.all(np.argmax(curves[:, :, 0], axis=1) == pytest.approx(50, abs=3))


def test_trial_stances_rejects_crossover_steps_but_keeps_brief_double_support() -> None:
    meta, _, skipped = trial_stances(synthetic_trial(crossover_at_s=1.34), 70.0)
    assert (skipped["reason"] == REASON_BOTH_FEET).any()
    brief = synthetic_trial(contact_s=0.36 + MAX_DOUBLE_SUPPORT_S / 2)  # feet overlap by 15 ms
    _, _, skipped_brief = trial_stances(brief, 70.0)
    assert not (skipped_brief["reason"] == REASON_BOTH_FEET).any()
    long = synthetic_trial(contact_s=0.36 + MAX_DOUBLE_SUPPORT_S * 2)
    _, _, skipped_long = trial_stances(long, 70.0)
    assert (skipped_long["reason"] == REASON_BOTH_FEET).sum() > 0


def test_unknown_trial_is_a_config_error(tmp_path) -> None:
    with pytest.raises(ConfigError):
        read_hamner_trial(tmp_path, "subject99", "Run_3")
    with pytest.raises(ConfigError):
        read_hamner_trial(tmp_path, "subject01", "Run_9")


@pytest.mark.realdata
def test_hamner_trial_is_in_grfkit_axes(real_dataset) -> None:
    trial = read_hamner_trial(real_dataset("hamner2013"), "subject01", "Run_3")
    fz = trial.force["left_fz_n"].to_numpy()
    assert fz.max() > 1500 and fz.min() > -50  # vertical is z, positive
    assert trial.force["left_cop_x_m"][fz < 10].isna().all()  # COP blanked in flight
    heel = trial.markers["LCAL_z_m"].to_numpy()
    assert 0.0 < np.median(heel) < 0.3  # markers: z up
    # the left foot is on the runner's left: +y of the right foot
    assert trial.markers["LCAL_y_m"].mean() > trial.markers["RCAL_y_m"].mean()


@pytest.mark.realdata
def test_hamner_stances_of_two_subjects(real_dataset) -> None:
    folder = real_dataset("hamner2013")
    masses = hamner_body_masses(folder, ["subject01", "subject03"])
    model = masses[masses["source"] == "model"]
    np.testing.assert_allclose(model["force_estimate_kg"], model["body_mass_kg"], rtol=0.03)
    ds = hamner_stances(folder, subjects=["subject01", "subject03"], body_masses=masses)
    assert len(ds) > 100 and set(ds.meta["foot"]) == {"left", "right"}
    weight = ds.meta["body_mass_kg"].to_numpy()[:, None] * 9.81
    peaks = (ds.target("vgrf_n") / weight).max(axis=1)
    assert np.all((peaks > 1.5) & (peaks < 3.5))
    assert np.all((ds.meta["contact_time_s"] > 0.15) & (ds.meta["contact_time_s"] < 0.45))
    crossover = ds.skipped[(ds.skipped["participant"] == "subject03") & (ds.skipped["reason"] == REASON_BOTH_FEET)]
    assert set(crossover["bout"]) == {"Run_2"} and len(crossover) >= 2
    # level treadmill: braking and propulsive impulses balance on average
    ap = ds.target("apgrf_n") / weight
    assert abs(np.trapezoid(ap, axis=1).mean()) < 0.05 * np.trapezoid(np.abs(ap), axis=1).mean()


@pytest.mark.realdata
def test_model_masses_come_from_the_registry_not_a_file(real_dataset, tmp_path) -> None:
    """A downloaded folder holds no derived subjects.csv: the masses come from the registry."""
    source = real_dataset("hamner2013")
    (tmp_path / "subject03").mkdir()
    for run in ("Run_2", "Run_3", "Run_4", "Run_5"):
        shutil.copyfile(source / "subject03" / f"{run}_grf.mot", tmp_path / "subject03" / f"{run}_grf.mot")
    masses = hamner_body_masses(tmp_path, ["subject03"])
    assert list(masses.columns) == ["subject", "body_mass_kg", "source", "force_estimate_kg"]
    row = masses.iloc[0]
    assert row["source"] == "model" and row["body_mass_kg"] == dataset_info("hamner2013").body_mass_kg["subject03"]
    assert row["force_estimate_kg"] == pytest.approx(64.0, rel=0.03)


@pytest.mark.realdata
def test_subject20_mass_comes_from_force(real_dataset) -> None:
    masses = hamner_body_masses(real_dataset("hamner2013"), ["subject20"]).iloc[0]
    assert masses["source"] == "force" and 60 < masses["body_mass_kg"] < 80
    assert "subject20" in HAMNER_SUBJECTS
