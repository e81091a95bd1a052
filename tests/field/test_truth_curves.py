"""True force curves of wearable and plate stances, rebuilt from the simulator's truth."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from grfkit.constants import GRAVITY_MPS2
from grfkit.errors import ChannelMismatchError, ConfigError, MissingFileError
from grfkit.field.chain import wearable_stances
from grfkit.field.truth_curves import true_stance_curves
from grfkit.io.read import read_truth
from grfkit.model.metrics import rrmse_pct


@pytest.fixture(scope="module")
def field_stances(tiny_raw: Path):
    return wearable_stances(tiny_raw)[0]


def test_plate_stances_match_their_measured_force(tiny_raw: Path, tiny_result) -> None:
    """Every plate stance finds its contact; the true force is the measured one, less the plate's noise."""
    stances = tiny_result.stances
    truth = true_stance_curves(tiny_raw, stances.meta, clock="lab")
    assert truth.table["matched"].all()
    assert (truth.table["truth_row"] >= 0).all()
    # Measured (seed 3): true IC 0.9 ms from the filtered plate's; vGRF rRMSE 0.9 %, apGRF 4.2 %.
    assert np.median(np.abs(truth.table["true_ic_s"] - truth.table["ic_s"])) < 0.003
    assert np.median(rrmse_pct(stances.target("vgrf_n"), truth.curves_n("vgrf"))) < 2.0
    assert np.median(rrmse_pct(stances.target("apgrf_n"), truth.curves_n("apgrf"))) < 8.0
    weight_n = stances.meta["body_mass_kg"].to_numpy() * GRAVITY_MPS2
    np.testing.assert_allclose(truth.curves_bw("vgrf") * weight_n[:, None], truth.vgrf_n)
    no_mass = true_stance_curves(tiny_raw, stances.meta.drop(columns="body_mass_kg"), clock="lab")
    with pytest.raises(ChannelMismatchError, match="body_mass_kg"):
        no_mass.curves_bw("vgrf")


def test_wearable_stances_inside_the_truth_window_are_matched(tiny_raw: Path, field_stances) -> None:
    """Unmatched stances are those the insole recorded outside the lab's window, and only those."""
    truth = true_stance_curves(tiny_raw, field_stances.meta, clock="insole")
    table = truth.table
    matched = table["matched"].to_numpy()
    assert matched.mean() > 0.7
    assert np.isnan(truth.vgrf_n[~matched]).all() and np.isfinite(truth.vgrf_n[matched]).all()
    assert np.median(np.abs(table["true_ic_s"] - table["ic_s"])[matched]) < 0.002
    assert (table["true_to_s"] > table["true_ic_s"])[matched].all()
    trials, contacts = read_truth(tiny_raw)
    for (dataset, participant, bout), rows in table.loc[~matched].groupby(["dataset", "participant", "bout"]):
        mine = contacts[(contacts["dataset"] == dataset) & (contacts["participant"] == participant)
                        & (contacts["bout"] == bout)]
        trial = trials[(trials["dataset"] == dataset) & (trials["participant"] == participant)
                       & (trials["bout"] == bout)].iloc[0]
        first_s = mine["contact_start_s"].min() - trial["clock_offset_s"]
        last_s = mine["contact_end_s"].max() - trial["clock_offset_s"]
        inside = (rows["ic_s"] > first_s + 0.1) & (rows["ic_s"] < last_s - 0.1)
        assert not inside.any(), rows.loc[inside]


def test_a_shifted_stance_is_not_matched(tiny_raw: Path, tiny_result) -> None:
    stances = tiny_result.stances
    meta = stances.meta.copy()
    meta.loc[0, "ic_s"] += 0.2
    table = true_stance_curves(tiny_raw, meta, clock="lab").table
    assert not table["matched"].iloc[0] and table["matched"].iloc[1:].all()


def test_bad_requests_are_refused(tiny_raw: Path, tiny_result, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="clock"):
        true_stance_curves(tiny_raw, tiny_result.stances.meta, clock="gps")
    real = tmp_path / "raw"
    shutil.copytree(tiny_raw, real, ignore=shutil.ignore_patterns("truth"))
    with pytest.raises(MissingFileError, match="truth"):
        true_stance_curves(real, tiny_result.stances.meta, clock="lab")
    truth = true_stance_curves(tiny_raw, tiny_result.stances.meta, clock="lab")
    with pytest.raises(ConfigError, match="target"):
        truth.curves_n("mlgrf")
