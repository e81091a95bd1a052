"""Tests of grfkit.model.training: determinism, leakage guard, fine-tuning, prediction."""

import dataclasses

import numpy as np
import pytest
import torch
import torch.utils.deterministic

from grfkit.constants import GRAVITY_MPS2
from grfkit.errors import ChannelMismatchError, ConfigError
from grfkit.io.stances import StanceDataset
from grfkit.model.trained_model import TrainedModel
from grfkit.model.training import (
    TRAINABLE,
    fine_tune,
    fit,
    predict,
    split_participants,
    torch_threads,
)

PARTICIPANTS = ("P01", "P02", "P03", "P04")


@pytest.fixture
def stances(stance_factory) -> StanceDataset:
    return stance_factory(participants=PARTICIPANTS, stances_per_participant=5, seed=7)


@pytest.fixture(autouse=True)
def _one_torch_thread():
    """Two OpenMP threads on two shared, busy cores spin against each other: use one."""
    with torch_threads(1):
        yield



def weights(model: TrainedModel) -> dict[str, torch.Tensor]:
    return {k: v.clone() for k, v in model.network.state_dict().items()}


def same_weights(a: TrainedModel, b: TrainedModel) -> bool:
    wa, wb = weights(a), weights(b)
    return wa.keys() == wb.keys() and all(torch.equal(wa[k], wb[k]) for k in wa)


def scaled_participant(ds: StanceDataset, participant: str, factor: float) -> StanceDataset:
    """Copy of ``ds`` with one participant's inputs, static values and forces multiplied by ``factor``."""
    mask = (ds.meta["participant"] == participant).to_numpy()
    inputs, targets, meta = ds.inputs.copy(), ds.targets.copy(), ds.meta.copy()
    inputs[mask] *= factor
    targets[mask] *= factor
    for column in ("speed_mps", "contact_time_s", "insole_length_m", "gradient_deg"):
        meta.loc[mask, column] = meta.loc[mask, column] * factor
    return StanceDataset(meta, inputs, targets, ds.input_channels, ds.target_channels)


def test_same_seed_gives_bit_identical_weights_and_predictions(stances, tiny_preset) -> None:
    a = fit(stances, target="apgrf", preset=tiny_preset, seed=11, progress=False, num_threads=1)
    b = fit(stances, target="apgrf", preset=tiny_preset, seed=11, progress=False, num_threads=1)
    assert same_weights(a, b)
    assert a.history[0].step_loss == b.history[0].step_loss
    np.testing.assert_array_equal(predict(a, stances), predict(b, stances))
    c = fit(stances, target="apgrf", preset=tiny_preset, seed=12, progress=False, num_threads=1)
    assert not same_weights(a, c)


def test_fit_leaves_the_callers_torch_state_alone(stances, tiny_preset) -> None:
    torch.manual_seed(123)
    rng_before = torch.get_rng_state()
    threads_before = torch.get_num_threads()
    deterministic_before = torch.are_deterministic_algorithms_enabled()
    fill_before = torch.utils.deterministic.fill_uninitialized_memory
    fit(stances, target="vgrf", preset=tiny_preset, seed=0, progress=False, num_threads=1)
    assert torch.equal(torch.get_rng_state(), rng_before)
    assert torch.get_num_threads() == threads_before
    assert torch.are_deterministic_algorithms_enabled() == deterministic_before
    assert torch.utils.deterministic.fill_uninitialized_memory == fill_before


def test_held_out_participant_touches_nothing_fitted(stances, tiny_preset) -> None:
    """The LOSO leakage guard: extreme held-out data leaves scaler and weights bit-identical."""
    train, test = split_participants(stances, ["P03"])
    assert "P03" not in set(train.meta["participant"]) and set(test.meta["participant"]) == {"P03"}
    extreme = scaled_participant(stances, "P03", 1000.0)
    train_x, test_x = split_participants(extreme, ["P03"])
    assert np.abs(test_x.inputs).max() > 1000 * np.abs(test.inputs).max() * 0.99
    a = fit(train, target="vgrf", preset=tiny_preset, seed=5, progress=False, num_threads=1)
    b = fit(train_x, target="vgrf", preset=tiny_preset, seed=5, progress=False, num_threads=1)
    assert a.scaler.equals(b.scaler)
    assert same_weights(a, b)
    tuned_a = fine_tune(a, train, seed=1, progress=False, num_threads=1)
    tuned_b = fine_tune(b, train_x, seed=1, progress=False, num_threads=1)
    assert same_weights(tuned_a, tuned_b)


def test_validation_participants_are_kept_out_of_fitting(stances, tiny_preset) -> None:
    extreme = scaled_participant(stances, "P02", 1000.0)
    a = fit(stances, target="vgrf", preset=tiny_preset, seed=5, validation_participants=["P02"], progress=False)
    b = fit(extreme, target="vgrf", preset=tiny_preset, seed=5, validation_participants=["P02"], progress=False)
    assert a.scaler.equals(b.scaler) and same_weights(a, b)
    history = a.history[0]
    assert history.participants == ("P01", "P03", "P04") and history.validation_participants == ("P02",)
    assert history.n_stances == 15
    assert len(history.validation_loss) == tiny_preset.epochs == len(history.epoch_loss)
    assert len(history.step_loss) == tiny_preset.epochs * 2  # 15 stances, batch 8
    assert a.history[0].validation_loss != b.history[0].validation_loss  # evaluated, just not fitted
    frame = history.to_frame()
    assert list(frame.columns) == ["phase", "epoch", "train_loss", "validation_loss"]
    assert frame["validation_loss"].notna().all()


def test_training_reduces_the_loss(stance_factory, tiny_preset) -> None:
    ds = stance_factory(participants=PARTICIPANTS, stances_per_participant=8, seed=2)
    preset = dataclasses.replace(tiny_preset, hidden_size=8, epochs=6, learning_rate=2e-2)
    model = fit(ds, target="vgrf", preset=preset, seed=0, progress=False, num_threads=1)
    epoch_loss = model.history[0].epoch_loss
    assert epoch_loss[-1] < 0.5 * epoch_loss[0]
    assert model.history[0].stances_per_s > 0
    assert not model.network.training


def test_predict_returns_newtons(stances, tiny_preset) -> None:
    model = fit(stances, target="vgrf", preset=tiny_preset, seed=0, progress=False)
    estimate_n = predict(model, stances, batch_size=7)
    assert estimate_n.shape == (len(stances), 101)
    bw = model.predict_bw(model.prepare_inputs(stances))
    weight_n = stances.meta["body_mass_kg"].to_numpy() * GRAVITY_MPS2
    np.testing.assert_allclose(estimate_n, bw * weight_n[:, None])


def test_fine_tune_copies_and_trains_the_chosen_layers(stances, tiny_preset) -> None:
    base = fit(stances, target="vgrf", preset=tiny_preset, seed=0, progress=False)
    before = weights(base)
    head_only = fine_tune(base, stances, trainable="head", seed=0, progress=False)
    everything = fine_tune(base, stances, trainable="all", seed=0, progress=False, epochs=2, learning_rate=1e-3)
    assert same_weights(base, TrainedModel(base.network, base.preset, base.features, base.target, base.scaler))
    assert all(torch.equal(before[k], v) for k, v in weights(base).items())  # original untouched
    after_head, after_all = weights(head_only), weights(everything)
    lstm_keys = [k for k in before if k.startswith("lstm.")]
    head_keys = [k for k in before if k.startswith("head.")]
    assert all(torch.equal(after_head[k], before[k]) for k in lstm_keys)
    assert any(not torch.equal(after_head[k], before[k]) for k in head_keys)
    assert any(not torch.equal(after_all[k], before[k]) for k in lstm_keys)
    assert all(q.requires_grad for q in head_only.network.parameters())
    phases = [h.phase for h in everything.history]
    assert phases == ["fit", "fine_tune"]
    assert everything.history[1].learning_rate == 1e-3 and everything.history[1].epochs == 2
    default = head_only.history[1]
    assert default.learning_rate == tiny_preset.learning_rate * tiny_preset.fine_tune_lr_factor
    assert default.epochs == tiny_preset.fine_tune_epochs and default.trainable == "head"
    assert head_only.scaler is base.scaler


def test_fine_tune_output_trains_only_the_last_layer(stances, tiny_preset) -> None:
    base = fit(stances, target="vgrf", preset=tiny_preset, seed=0, progress=False)
    before = weights(base)
    tuned = fine_tune(base, stances, trainable="output", seed=0, progress=False, epochs=2, learning_rate=1e-2)
    after = weights(tuned)
    last = len(base.network.head) - 1
    output_keys = {f"head.{last}.weight", f"head.{last}.bias"}
    assert output_keys <= set(before)
    assert all(torch.equal(after[k], before[k]) for k in before if k not in output_keys)
    assert all(not torch.equal(after[k], before[k]) for k in output_keys)
    assert all(q.requires_grad for q in tuned.network.parameters())
    assert tuned.history[1].trainable == "output"


def test_fine_tune_can_refit_the_scaler(stances, stance_factory, tiny_preset) -> None:
    base = fit(stances, target="vgrf", preset=tiny_preset, seed=0, progress=False)
    other = stance_factory(participants=("Q1", "Q2"), stances_per_participant=4, seed=99)
    tuned = fine_tune(base, other, refit_scaler=True, seed=0, progress=False)
    assert not tuned.scaler.equals(base.scaler)
    assert tuned.history[1].participants == ("Q1", "Q2")


def test_bad_arguments(stances, tiny_preset) -> None:
    with pytest.raises(ConfigError, match="mlgrf"):
        fit(stances, target="mlgrf", preset=tiny_preset, progress=False)
    with pytest.raises(ConfigError, match="P99"):
        fit(stances, target="vgrf", preset=tiny_preset, validation_participants=["P99"], progress=False)
    with pytest.raises(ConfigError, match="no participant"):
        split_participants(stances, PARTICIPANTS)
    model = fit(stances, target="vgrf", preset=tiny_preset, progress=False)
    with pytest.raises(ConfigError, match="trainable"):
        fine_tune(model, stances, trainable="lstm", progress=False)
    with pytest.raises(ConfigError, match="positive"):
        fine_tune(model, stances, learning_rate=0.0, progress=False)
    assert TRAINABLE == ("all", "head", "output")
    keep = [i for i, c in enumerate(stances.input_channels) if c != "acc_y_mps2"]
    reduced = StanceDataset(
        stances.meta, stances.inputs[:, :, keep], stances.targets,
        tuple(stances.input_channels[i] for i in keep), stances.target_channels,
    )
    with pytest.raises(ChannelMismatchError, match="acc_y_mps2"):
        fine_tune(model, reduced, progress=False)
    with pytest.raises(ChannelMismatchError, match="acc_y_mps2"):
        fit(reduced, target="vgrf", preset=tiny_preset, progress=False)


def test_torch_threads_sets_and_restores() -> None:
    before = torch.get_num_threads()
    with torch_threads(1):
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before
    with torch_threads(None):
        assert torch.get_num_threads() == before
    with pytest.raises(ConfigError):
        with torch_threads(0):
            pass


def test_min_steps_adds_passes_over_small_training_sets(stances, tiny_preset) -> None:
    preset = dataclasses.replace(tiny_preset, epochs=1, fine_tune_epochs=1, min_steps=7)
    model = fit(stances, target="vgrf", preset=preset, progress=False)  # 20 stances: 3 batches per pass
    assert model.history[0].epochs == 3 and len(model.history[0].step_loss) == 9
    tuned = fine_tune(model, stances, progress=False)
    assert tuned.history[1].epochs == 3
    assert fine_tune(model, stances, epochs=1, progress=False).history[1].epochs == 1  # explicit wins
    big = dataclasses.replace(preset, min_steps=2)
    assert fit(stances, target="vgrf", preset=big, progress=False).history[0].epochs == 1


def test_fine_tune_length_is_chosen_on_the_training_participants_only(stances, tiny_preset) -> None:
    from grfkit.model.training import choose_fine_tune_epochs

    pretrained = fit(stances, target="vgrf", preset=tiny_preset, seed=1, progress=False, num_threads=1)
    train, held_out = split_participants(stances, ["P04"])
    choice = choose_fine_tune_epochs(pretrained, train, n_inner_folds=3, max_epochs=4, seed=2, num_threads=1)
    # Every training participant is validated once; the held-out one is nowhere.
    assert sorted(p for fold in choice.inner_folds for p in fold) == ["P01", "P02", "P03"]
    assert len(choice.validation_loss) == 5 and 0 <= choice.epochs <= 4
    assert choice.validation_loss[choice.epochs] == min(choice.validation_loss)
    # The choice is deterministic and blind to the held-out participant's data.
    again = choose_fine_tune_epochs(pretrained, scaled_participant(stances, "P04", 1000.0).subset(
        (stances.meta["participant"] != "P04").to_numpy()), n_inner_folds=3, max_epochs=4, seed=2, num_threads=1)
    assert again == choice
    with pytest.raises(ConfigError, match="inner folds"):
        choose_fine_tune_epochs(pretrained, train, n_inner_folds=4, max_epochs=2)


def test_a_model_that_needs_no_fine_tuning_is_chosen_unchanged(stances, tiny_preset) -> None:
    from grfkit.model.training import choose_fine_tune_epochs

    # A model fitted on the very stances it is validated on cannot get better by fine-tuning
    # with a huge learning rate: the inner validation picks zero passes.
    pretrained = fit(stances, target="vgrf", preset=dataclasses.replace(tiny_preset, epochs=30, min_steps=0),
                     seed=1, progress=False, num_threads=1)
    wild = dataclasses.replace(pretrained, preset=dataclasses.replace(pretrained.preset, fine_tune_lr_factor=50.0))
    choice = choose_fine_tune_epochs(wild, stances, n_inner_folds=2, max_epochs=3, seed=0, num_threads=1)
    assert choice.epochs == 0
