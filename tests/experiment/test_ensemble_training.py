"""train_ensemble: cross-calibration without leakage, the ensemble folder, ``grfkit train --members``."""

from pathlib import Path

import numpy as np
import pytest
import torch

from grfkit.cli import main
from grfkit.errors import ConfigError
from grfkit.experiment.ensemble_training import (
    calibration_groups,
    cross_calibrate,
    train_ensemble,
)
from grfkit.experiment.strategies import split_domains
from grfkit.io.stances import StanceDataset
from grfkit.model.ensemble import ModelEnsemble
from grfkit.model.features import PUBLISHED_FEATURES
from grfkit.storage.output_folders import output_kind


@pytest.fixture
def cohort(stance_factory) -> StanceDataset:
    overground = stance_factory(participants=("P01", "P02", "P03", "P04"), stances_per_participant=4, seed=0)
    treadmill = stance_factory(participants=("T01",), stances_per_participant=4, seed=1, dataset="treadmill")
    return StanceDataset.concat([overground, treadmill])


def _same_weights(a, b) -> bool:
    sa, sb = a.network.state_dict(), b.network.state_dict()
    return all(torch.equal(sa[k], sb[k]) for k in sa) and np.array_equal(a.scaler.mean, b.scaler.mean)


def test_calibration_groups_cover_every_participant_once() -> None:
    groups = calibration_groups(["D", "A", "C", "B", "E"], 2, seed=3)
    assert sorted(p for g in groups for p in g) == ["A", "B", "C", "D", "E"]
    assert sorted(len(g) for g in groups) == [2, 3]
    assert groups == calibration_groups(["A", "B", "C", "D", "E"], 2, seed=3)
    with pytest.raises(ConfigError, match="2 to 5 groups"):
        calibration_groups(["A", "B", "C", "D", "E"], 6)


def test_a_calibration_participant_reaches_no_member_that_calibrates_on_it(cohort, tiny_preset) -> None:
    overground, treadmill = split_domains(cohort)
    kwargs = {"target": "vgrf", "strategy": "combined", "members": 2, "calibration_groups_n": 2,
              "preset": tiny_preset, "features": PUBLISHED_FEATURES, "seed": 0, "num_threads": 1}
    before = cross_calibrate(overground, treadmill, **kwargs)
    victim = before.groups[0][0]
    rows = (overground.meta["participant"] == victim).to_numpy()
    changed = StanceDataset(meta=overground.meta.copy(), inputs=overground.inputs.copy(),
                            targets=overground.targets.copy(), input_channels=overground.input_channels,
                            target_channels=overground.target_channels)
    changed.targets[rows] *= 1.5
    changed.inputs[rows] += 50.0
    changed.meta.loc[rows, "body_mass_kg"] *= 1.3
    after = cross_calibrate(changed, treadmill, **kwargs)
    assert after.groups == before.groups
    # The members that score the victim's group never saw it: bit for bit the same.
    assert all(_same_weights(a, b) for a, b in zip(before.members[0], after.members[0]))
    # The other group's members trained on it, so they changed (the perturbation reaches training) ...
    assert not any(_same_weights(a, b) for a, b in zip(before.members[1], after.members[1]))
    # ... and the victim's own scores changed, the rest of its group's scores did not.
    assert not np.allclose(before.scores[rows], after.scores[rows])
    others = np.isin(before.participants, before.groups[0]) & ~rows
    np.testing.assert_array_equal(before.scores[others], after.scores[others])


def test_train_ensemble_and_the_cli_write_a_loadable_calibrated_ensemble(tiny_result, tmp_path: Path,
                                                                          capsys) -> None:
    stances_dir = tiny_result.stances.save(tmp_path / "stances")
    out = tmp_path / "ensemble"
    argv = ["-q", "train", str(stances_dir), "--target", "vgrf", "--preset", "ci", "--members", "2",
            "--calibration-groups", "2", "--out", str(out)]
    assert main(argv) == 0
    assert "ensemble of 2 x 2 models" in capsys.readouterr().out
    assert output_kind(out) == "ensemble"
    ensemble = ModelEnsemble.load(out)
    assert len(ensemble.members) == 4 and ensemble.target == "vgrf" and ensemble.member_groups == (0, 0, 1, 1)
    assert [m.provenance.seed for m in ensemble.members] == [0, 1, 0, 1]
    # Each group's members never saw that group's participants.
    for k, member in zip(ensemble.member_groups, ensemble.members):
        assert not set(ensemble.calibration["groups"][k]) & set(member.provenance.participants)
    assert ensemble.provenance["stances_path"] == str(stances_dir.resolve())
    assert ensemble.provenance["member_seeds"] == [0, 1] and ensemble.provenance["stances_files"]
    assert sorted(p for g in ensemble.calibration["groups"] for p in g) == sorted(
        split_domains(tiny_result.stances)[0].participants)
    assert set(ensemble.calibration["coverage_90_per_participant"]) == set(split_domains(tiny_result.stances)[0]
                                                                       .participants)
    assert 0 < ensemble.band_scale(0.5) <= ensemble.band_scale(0.9) <= ensemble.band_scale(0.99)
    estimate = ensemble.estimate(tiny_result.stances)
    assert np.isfinite(estimate.lower_bw).all() and (estimate.lower_bw < estimate.upper_bw).all()
    refitted = train_ensemble(tiny_result.stances, target="vgrf", members=2, calibration_groups=2, preset="ci",
                              refit=True, num_threads=1)
    assert len(refitted.members) == 2 and refitted.member_groups == ()
    assert refitted.band_scales == ensemble.band_scales  # same calibration, same seeds
    assert set(refitted.members[0].provenance.participants) == set(tiny_result.stances.participants)
    with pytest.raises(ConfigError, match="at least 2 members"):
        train_ensemble(tiny_result.stances, target="vgrf", members=1, preset="ci")
    with pytest.raises(ConfigError, match="groups"):
        train_ensemble(tiny_result.stances, target="vgrf", members=2, calibration_groups=3, preset="ci")
