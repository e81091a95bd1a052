"""Tests of grfkit.model.artifact: channel units, provenance, data checks, model.json versions."""

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from grfkit.errors import ChannelMismatchError, ConfigError, FileFormatError
from grfkit.experiment.final_model import train_model
from grfkit.io.stances import StanceDataset
from grfkit.model.artifact import (
    UNIT_SUFFIXES,
    TrainingProvenance,
    channel_unit,
    check_dataset_channels,
    stance_files_sha256,
)
from grfkit.model.features import PUBLISHED_FEATURES, FeatureSet
from grfkit.model.trained_model import TrainedModel, _content_sha256
from grfkit.model.training import torch_threads


@pytest.fixture(autouse=True)
def _one_torch_thread():
    with torch_threads(1):
        yield


@pytest.fixture
def both_domains(stance_factory) -> StanceDataset:
    return StanceDataset.concat(
        [
            stance_factory(participants=("A", "B"), stances_per_participant=4),
            stance_factory(
                participants=("T1", "T2"), stances_per_participant=4, seed=1, dataset="treadmill"
            ),
        ]
    )


def _renamed(ds: StanceDataset, old: str, new: str) -> StanceDataset:
    channels = tuple(new if c == old else c for c in ds.input_channels)
    return StanceDataset(ds.meta, ds.inputs, ds.targets, channels, ds.target_channels)


@given(
    base=st.from_regex(r"[a-z]{1,6}(_[a-z0-9]{1,4})?", fullmatch=True),
    suffix=st.sampled_from(list(UNIT_SUFFIXES)),
)
def test_channel_unit_is_the_unit_of_the_suffix(base: str, suffix: str) -> None:
    assert channel_unit(f"{base}_{suffix}") == UNIT_SUFFIXES[suffix]


def test_channel_unit_without_a_known_suffix_is_unknown() -> None:
    assert channel_unit("mystery") == channel_unit("acc_x_furlongs") == "unknown"


def test_a_channel_in_another_unit_is_refused_naming_both_units(stance_factory) -> None:
    ds = _renamed(
        stance_factory(participants=("A",), stances_per_participant=2), "acc_x_mps2", "acc_x_g"
    )
    with pytest.raises(
        ChannelMismatchError,
        match=r"model expects channel acc_x_mps2 \(m/s²\), data has acc_x_g \(g\)",
    ):
        check_dataset_channels(PUBLISHED_FEATURES, ds)


def test_missing_channels_are_all_named(stance_factory) -> None:
    ds = stance_factory(participants=("A",), stances_per_participant=2)
    features = FeatureSet(
        channels=("acc_x_mps2", "heel_angle_deg", "step_rate_hz"), static=("step_rate_hz",)
    )
    with pytest.raises(
        ChannelMismatchError,
        match=r"heel_angle_deg \(deg\), data has no such signal channel; "
        r"model expects channel step_rate_hz \(Hz\), data has no such "
        r"metadata column$",
    ):
        check_dataset_channels(features, ds)
    check_dataset_channels(
        FeatureSet(channels=("acc_x_mps2", "speed_mps"), static=("speed_mps",)), ds
    )


def test_train_model_records_provenance_and_refuses_data_in_other_units(
    tmp_path: Path, both_domains, tiny_preset
) -> None:
    folder = both_domains.save(tmp_path / "stances")
    model = train_model(folder, target="vgrf", strategy="overground", preset=tiny_preset, seed=2)
    prov = model.provenance
    assert prov.participants == ("A", "B") and prov.n_stances == 8 and prov.strategy == "overground"
    assert prov.seed == 2 and prov.stances_path == str(folder.resolve())
    assert prov.stances_files == stance_files_sha256(folder) and len(prov.stances_sha256) == 64
    with pytest.raises(
        ChannelMismatchError, match=r"gyro_z_dps \(deg/s\), data has gyro_z_rps \(rad/s\)"
    ):
        model.prepare_inputs(_renamed(both_domains, "gyro_z_dps", "gyro_z_rps"))
    combined = train_model(both_domains, target="apgrf", strategy="combined", preset=tiny_preset)
    assert (
        combined.provenance.participants == ("A", "B", "T1", "T2")
        and combined.provenance.stances_path is None
    )


def test_baselines_cannot_be_trained_as_models(both_domains, tiny_preset) -> None:
    with pytest.raises(ConfigError, match="baseline_mean"):
        train_model(both_domains, target="vgrf", strategy="baseline_mean", preset=tiny_preset)


def test_the_fingerprint_changes_with_any_file(tmp_path: Path, both_domains) -> None:
    folder = both_domains.save(tmp_path / "stances")
    before = stance_files_sha256(folder)
    (folder / "skipped.csv").write_text((folder / "skipped.csv").read_text() + "\n")
    after = stance_files_sha256(folder)
    assert [k for k in before if before[k] != after[k]] == ["skipped.csv"]


def test_model_json_holds_units_version_and_provenance(
    tmp_path: Path, both_domains, tiny_preset
) -> None:
    model = train_model(
        both_domains.save(tmp_path / "stances"),
        target="vgrf",
        strategy="combined",
        preset=tiny_preset,
    )
    path = model.save(tmp_path / "model")
    config = json.loads((path / "model.json").read_text())
    assert config["version"] == 3 and config["grfkit_version"]
    assert (
        config["channel_units"]["acc_x_mps2"] == "m/s²"
        and config["channel_units"]["body_mass_kg"] == "kg"
    )
    assert list(config["channel_units"]) == list(PUBLISHED_FEATURES.channels)
    assert config["provenance"]["stances_sha256"] == model.provenance.stances_sha256
    loaded = TrainedModel.load(path)
    assert loaded.provenance == model.provenance


def _rewrite(path: Path, edit) -> None:
    config = json.loads((path / "model.json").read_text())
    edit(config)
    config["content_sha256"] = _content_sha256(config)
    (path / "model.json").write_text(json.dumps(config))


def test_version_2_folders_load_without_provenance(
    tmp_path: Path, both_domains, tiny_preset
) -> None:
    model = train_model(both_domains, target="vgrf", strategy="overground", preset=tiny_preset)
    path = model.save(tmp_path / "model")

    def to_v2(config: dict) -> None:
        config["version"] = 2
        for key in ("channel_units", "grfkit_version", "provenance"):
            del config[key]

    _rewrite(path, to_v2)
    loaded = TrainedModel.load(path)
    assert loaded.provenance is None
    x = model.prepare_inputs(both_domains)
    np.testing.assert_array_equal(loaded.predict_bw(x), model.predict_bw(x))


@pytest.mark.parametrize("version", [1, 4])
def test_unknown_versions_fail_with_a_clear_error(
    tmp_path: Path, both_domains, tiny_preset, version: int
) -> None:
    path = train_model(both_domains, target="vgrf", strategy="overground", preset=tiny_preset).save(
        tmp_path / "m"
    )
    _rewrite(path, lambda config: config.update(version=version))
    with pytest.raises(
        ConfigError, match=rf"version 2 or 3 \(found 'grfkit-model' version {version}"
    ):
        TrainedModel.load(path)


def test_a_provenance_whose_digest_disagrees_with_its_files_is_refused(
    tmp_path: Path, both_domains, tiny_preset
) -> None:
    model = train_model(
        both_domains.save(tmp_path / "stances"),
        target="vgrf",
        strategy="overground",
        preset=tiny_preset,
    )
    path = model.save(tmp_path / "model")
    _rewrite(path, lambda config: config["provenance"].update(stances_sha256="0" * 64))
    with pytest.raises(FileFormatError, match="stances_sha256"):
        TrainedModel.load(path)


def test_provenance_round_trips_through_its_dictionary() -> None:
    prov = TrainingProvenance(
        strategy="transfer",
        seed=5,
        participants=("B", "A"),
        n_stances=3,
        stances_files={"b.csv": "1" * 64, "a.csv": "2" * 64},
    )
    assert prov.participants == ("A", "B") and list(prov.stances_files) == ["a.csv", "b.csv"]
    assert TrainingProvenance.from_dict(json.loads(json.dumps(prov.to_dict()))) == prov


@pytest.mark.parametrize(
    ("strategy", "participants"),
    [("treadmill", ("T1", "T2")), ("transfer", ("A", "B", "T1", "T2"))],
)
def test_every_strategy_records_the_participants_it_trained_on(
    both_domains, tiny_preset, strategy: str, participants: tuple
) -> None:
    model = train_model(both_domains, target="vgrf", strategy=strategy, preset=tiny_preset, seed=1)
    assert model.provenance.participants == participants
    assert model.provenance.n_stances == 4 * len(participants)
    assert model.history  # trained, not a blank network
