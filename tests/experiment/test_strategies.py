"""Tests of grfkit.experiment.strategies: the four strategies, the baselines, shared pre-training, leakage tools."""

import numpy as np
import pytest

from grfkit.errors import ConfigError
from grfkit.experiment.strategies import (
    ALL_STRATEGIES,
    BASELINES,
    STRATEGIES,
    check_strategy,
    exaggerate_participant,
    identical_fit,
    is_baseline,
    needs_pretraining,
    pretrain,
    split_domains,
    train_strategy,
)
from grfkit.io.stances import StanceDataset
from grfkit.model.baselines import BaselineModel, fit_baseline

OVERGROUND = ("OG01", "OG02", "OG03")
TREADMILL = ("TM01", "TM02")

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_strategy_names_and_pretraining_needs() -> None:
    assert STRATEGIES == ("overground", "treadmill", "transfer", "combined")
    assert ALL_STRATEGIES == (*STRATEGIES, "baseline_mean", "baseline_static") and BASELINES == ALL_STRATEGIES[4:]
    assert check_strategy("combined") == "combined" and check_strategy("baseline_mean") == "baseline_mean"
    assert [s for s in ALL_STRATEGIES if needs_pretraining(s)] == ["treadmill", "transfer"]
    assert [s for s in ALL_STRATEGIES if is_baseline(s)] == list(BASELINES)
    for check in (check_strategy, is_baseline, needs_pretraining):
        with pytest.raises(ConfigError, match="unknown strategy 'mixed'"):
            check("mixed")


def test_split_domains_separates_by_dataset_column(domains) -> None:
    overground, treadmill = domains
    og, tm = split_domains(StanceDataset.concat([treadmill, overground]))
    assert set(og.meta["dataset"]) == {"overground"} and og.participants == list(OVERGROUND)
    assert set(tm.meta["dataset"]) == {"treadmill"} and tm.participants == list(TREADMILL)
    np.testing.assert_array_equal(og.inputs, overground.inputs)


def test_split_domains_rejects_unknown_domains(stance_factory) -> None:
    odd = stance_factory(participants=("X1",), stances_per_participant=2, dataset="track")
    with pytest.raises(ConfigError, match="track"):
        split_domains(odd)


def test_split_domains_rejects_a_participant_in_both_domains(domains, stance_factory) -> None:
    overground, treadmill = domains
    twins = stance_factory(participants=("OG02", "TM01", "OG03"), stances_per_participant=2, dataset="treadmill")
    with pytest.raises(ConfigError, match=r"participants \['OG02', 'OG03'\] appear in both"):
        split_domains(StanceDataset.concat([overground, treadmill, twins]))


def test_pretrain_uses_treadmill_stances_only(domains, tiny_preset) -> None:
    overground, treadmill = domains
    model = pretrain(treadmill, target="vgrf", preset=tiny_preset, seed=1)
    assert model.history[0].participants == TREADMILL
    with pytest.raises(ConfigError, match="treadmill stances only"):
        pretrain(StanceDataset.concat([treadmill, overground]), target="vgrf", preset=tiny_preset)
    with pytest.raises(ConfigError, match="no such stances"):
        pretrain(treadmill.subset(np.zeros(len(treadmill), bool)), target="vgrf", preset=tiny_preset)


def test_each_strategy_trains_on_its_own_data(domains, tiny_preset) -> None:
    overground, treadmill = domains
    train = overground.subset((overground.meta["participant"] != "OG01").to_numpy())
    pre = pretrain(treadmill, target="apgrf", preset=tiny_preset, seed=2)
    kw = dict(target="apgrf", treadmill=treadmill, pretrained=pre, preset=tiny_preset, seed=2)

    only_og = train_strategy("overground", train, **kw)
    assert [h.phase for h in only_og.history] == ["fit"]
    assert only_og.history[0].participants == ("OG02", "OG03")

    # The treadmill-only strategy IS the shared pre-trained model.
    assert train_strategy("treadmill", train, **kw) is pre

    transfer = train_strategy("transfer", train, **kw)
    assert [h.phase for h in transfer.history] == ["fit", "fine_tune"]
    assert transfer.history[0].participants == TREADMILL
    assert transfer.history[1].participants == ("OG02", "OG03")
    assert transfer.scaler is pre.scaler  # fine-tuning keeps the pre-training statistics
    assert not identical_fit(transfer, pre)

    combined = train_strategy("combined", train, **kw)
    assert [h.phase for h in combined.history] == ["fit"]
    assert combined.history[0].participants == (*TREADMILL, "OG02", "OG03")
    assert combined.history[0].n_stances == len(treadmill) + len(train)

    # The baselines are fitted on the overground training participants only, never on the treadmill.
    for kind in BASELINES:
        baseline = train_strategy(kind, train, k_neighbours=3, **kw)
        assert isinstance(baseline, BaselineModel) and baseline.kind == kind and baseline.k_neighbours == 3
        assert baseline.participants == ("OG02", "OG03") and baseline.n_stances == len(train)
        assert baseline.equals(fit_baseline(kind, train, target="apgrf", k_neighbours=3))
    with pytest.raises(ConfigError, match="'baseline_mean' needs overground training stances"):
        train_strategy("baseline_mean", train.subset(np.zeros(len(train), bool)), **kw)


def test_missing_pretrained_model_is_trained_identically(domains, tiny_preset) -> None:
    overground, treadmill = domains
    pre = pretrain(treadmill, target="vgrf", preset=tiny_preset, seed=5)
    again = train_strategy("treadmill", overground, target="vgrf", treadmill=treadmill, preset=tiny_preset, seed=5)
    assert identical_fit(pre, again)


def test_strategy_errors(domains, tiny_preset) -> None:
    overground, treadmill = domains
    pre = pretrain(treadmill, target="vgrf", preset=tiny_preset)
    with pytest.raises(ConfigError, match="estimates 'vgrf', not 'apgrf'"):
        train_strategy("transfer", overground, target="apgrf", pretrained=pre, preset=tiny_preset)
    with pytest.raises(ConfigError, match="preset 'tiny'"):
        train_strategy("transfer", overground, target="vgrf", pretrained=pre, preset="fast")
    with pytest.raises(ConfigError, match="'combined' needs treadmill stances"):
        train_strategy("combined", overground, target="vgrf", preset=tiny_preset)
    with pytest.raises(ConfigError, match="unknown strategy"):
        train_strategy("both", overground, target="vgrf", preset=tiny_preset)


def test_exaggerate_participant_changes_only_that_participants_inputs(domains) -> None:
    overground, _ = domains
    before = overground.inputs.copy()
    out = exaggerate_participant(overground, "OG02", 10.0)
    mask = (overground.meta["participant"] == "OG02").to_numpy()
    np.testing.assert_array_equal(overground.inputs, before)  # the original is untouched
    np.testing.assert_allclose(out.inputs[mask], before[mask] * 10.0)
    np.testing.assert_array_equal(out.inputs[~mask], before[~mask])
    np.testing.assert_array_equal(out.targets, overground.targets)
    np.testing.assert_allclose(out.meta.loc[mask, "speed_mps"], overground.meta.loc[mask, "speed_mps"] * 10.0)
    np.testing.assert_array_equal(out.meta["body_mass_kg"], overground.meta["body_mass_kg"])
    heavy = exaggerate_participant(overground, "OG02", 10.0, target_factor=1000.0, mass_factor=3.0)
    np.testing.assert_allclose(heavy.targets[mask], overground.targets[mask] * 1000.0)
    np.testing.assert_array_equal(heavy.targets[~mask], overground.targets[~mask])
    np.testing.assert_allclose(heavy.meta.loc[mask, "body_mass_kg"], overground.meta.loc[mask, "body_mass_kg"] * 3)
    np.testing.assert_array_equal(heavy.meta.loc[~mask, "body_mass_kg"], overground.meta.loc[~mask, "body_mass_kg"])
    with pytest.raises(ConfigError, match="OG09"):
        exaggerate_participant(overground, "OG09")


def test_identical_fit_compares_scaler_weights_and_losses(domains, tiny_preset) -> None:
    overground, treadmill = domains
    a = pretrain(treadmill, target="vgrf", preset=tiny_preset, seed=1)
    assert identical_fit(a, a) and identical_fit(a, pretrain(treadmill, target="vgrf", preset=tiny_preset, seed=1))
    assert not identical_fit(a, pretrain(treadmill, target="vgrf", preset=tiny_preset, seed=2))
    mean = fit_baseline("baseline_mean", overground, target="vgrf")
    assert identical_fit(mean, fit_baseline("baseline_mean", overground, target="vgrf"))
    assert not identical_fit(mean, fit_baseline("baseline_static", overground, target="vgrf"))
    assert not identical_fit(a, mean) and not identical_fit(mean, a)


def test_a_preset_differing_only_in_fine_tuning_reuses_the_pretrained_model(domains, tiny_preset) -> None:
    import dataclasses

    overground, treadmill = domains
    pre = pretrain(treadmill, target="vgrf", preset=tiny_preset, seed=3)
    head = dataclasses.replace(tiny_preset, fine_tune_trainable="head")
    model = train_strategy("transfer", overground, target="vgrf", pretrained=pre, preset=head, seed=3)
    assert model.history[-1].trainable == "head" and model.preset == head
    with pytest.raises(ConfigError, match="pre-trained model"):
        train_strategy("transfer", overground, target="vgrf", pretrained=pre,
                       preset=dataclasses.replace(tiny_preset, hidden_size=5))
