"""Tests of grfkit.model.features."""

import numpy as np
import pytest

from grfkit.constants import GRAVITY_MPS2
from grfkit.errors import ChannelMismatchError, ConfigError, DropoutError
from grfkit.io.channels import (
    IMU_CHANNELS,
    INSOLE_COP_CHANNELS,
    STANCE_STATIC_CHANNELS,
    fsr_channels,
)
from grfkit.io.stances import StanceDataset
from grfkit.model.features import (
    PUBLISHED_FEATURES,
    TARGETS,
    FeatureSet,
    body_weight_n,
    build_inputs,
    build_targets,
    target_channel,
)


def test_published_features_follow_the_published_order() -> None:
    expected = (
        *fsr_channels("left"),
        *INSOLE_COP_CHANNELS,
        "contact_time_s",
        "body_mass_kg",
        "speed_mps",
        "gradient_deg",
        "insole_length_m",
        *IMU_CHANNELS,
    )
    assert PUBLISHED_FEATURES.channels == expected
    assert len(PUBLISHED_FEATURES) == 29
    assert set(PUBLISHED_FEATURES.static) == set(STANCE_STATIC_CHANNELS)
    assert PUBLISHED_FEATURES.signal_channels == (*fsr_channels("left"), *INSOLE_COP_CHANNELS, *IMU_CHANNELS)


def test_build_inputs_takes_signals_and_broadcasts_static_channels(stance_factory) -> None:
    ds = stance_factory(participants=("A", "B"), stances_per_participant=3)
    x = build_inputs(ds)
    assert x.shape == (6, 101, 29)
    assert x.dtype == np.float32
    for j, channel in enumerate(PUBLISHED_FEATURES.channels):
        if channel in PUBLISHED_FEATURES.static:
            expected = np.repeat(ds.meta[channel].to_numpy(dtype=np.float32)[:, None], 101, axis=1)
        else:
            expected = ds.input(channel)
        np.testing.assert_array_equal(x[:, :, j], expected)


def test_custom_feature_set_order_is_respected(stance_factory) -> None:
    ds = stance_factory(participants=("A",), stances_per_participant=2)
    fs = FeatureSet(channels=("speed_mps", "acc_z_mps2"), static=("speed_mps",), name="two")
    x = build_inputs(ds, fs)
    assert x.shape == (2, 101, 2)
    np.testing.assert_array_equal(x[:, 0, 0], ds.meta["speed_mps"].to_numpy(dtype=np.float32))
    np.testing.assert_array_equal(x[:, :, 1], ds.input("acc_z_mps2"))


def test_missing_channels_are_all_named(stance_factory) -> None:
    ds = stance_factory(participants=("A",), stances_per_participant=2)
    keep = [c for c in ds.input_channels if c != "gyro_y_dps"]
    reduced = StanceDataset(
        meta=ds.meta,
        inputs=ds.inputs[:, :, [ds.input_channels.index(c) for c in keep]],
        targets=ds.targets,
        input_channels=tuple(keep),
        target_channels=ds.target_channels,
    )
    fs = FeatureSet(channels=(*PUBLISHED_FEATURES.channels, "leg_length_m"), static=(*PUBLISHED_FEATURES.static, "leg_length_m"))
    with pytest.raises(ChannelMismatchError, match="gyro_y_dps") as info:
        build_inputs(reduced, fs)
    assert "leg_length_m" in str(info.value)


def test_non_finite_input_names_channel_and_participant(stance_factory) -> None:
    ds = stance_factory(participants=("A", "B"), stances_per_participant=2)
    inputs = ds.inputs.copy()
    inputs[3, 50, ds.input_channels.index("cop_ml_frac")] = np.nan
    bad = StanceDataset(ds.meta, inputs, ds.targets, ds.input_channels, ds.target_channels)
    with pytest.raises(DropoutError, match="cop_ml_frac") as info:
        build_inputs(bad)
    assert "B" in str(info.value)
    meta = ds.meta.copy()
    meta.loc[0, "speed_mps"] = np.nan
    with pytest.raises(DropoutError, match="speed_mps"):
        build_inputs(StanceDataset(meta, ds.inputs, ds.targets, ds.input_channels, ds.target_channels))


@pytest.mark.parametrize(
    ("channels", "static"),
    [((), ()), (("a", "a"), ()), (("a",), ("b",))],
)
def test_invalid_feature_sets_are_config_errors(channels, static) -> None:
    with pytest.raises(ConfigError):
        FeatureSet(channels=channels, static=static)


def test_feature_set_round_trips_through_dict() -> None:
    assert FeatureSet.from_dict(PUBLISHED_FEATURES.to_dict()) == PUBLISHED_FEATURES


def test_targets_are_in_body_weights(stance_factory) -> None:
    ds = stance_factory(participants=("A", "B"), stances_per_participant=2)
    for target, channel in TARGETS.items():
        y = build_targets(ds, target)
        assert y.shape == (4, 101) and y.dtype == np.float32
        weight = ds.meta["body_mass_kg"].to_numpy() * GRAVITY_MPS2
        np.testing.assert_allclose(y, ds.target(channel) / weight[:, None], rtol=1e-6)
    vgrf_peak = build_targets(ds, "vgrf").max(axis=1)
    assert np.all((vgrf_peak > 2.0) & (vgrf_peak < 3.5))  # plausible running peaks


def test_unknown_target_and_bad_mass(stance_factory) -> None:
    with pytest.raises(ConfigError, match="mlgrf"):
        target_channel("mlgrf")
    ds = stance_factory(participants=("A",), stances_per_participant=2)
    meta = ds.meta.copy()
    meta.loc[1, "body_mass_kg"] = 0.0
    bad = StanceDataset(meta, ds.inputs, ds.targets, ds.input_channels, ds.target_channels)
    with pytest.raises(ConfigError, match="A"):
        body_weight_n(bad)


def test_non_finite_target_is_a_dropout_error(stance_factory) -> None:
    ds = stance_factory(participants=("A",), stances_per_participant=2)
    targets = ds.targets.copy()
    targets[0, 10, 1] = np.inf
    bad = StanceDataset(ds.meta, ds.inputs, targets, ds.input_channels, ds.target_channels)
    build_targets(bad, "vgrf")  # the vertical curve is intact
    with pytest.raises(DropoutError, match="apgrf_n"):
        build_targets(bad, "apgrf")
