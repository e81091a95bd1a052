"""Tests of grfkit.io.stances.StanceDataset."""

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from grfkit.constants import N_POINTS
from grfkit.errors import (
    ChannelMismatchError,
    FileFormatError,
    MissingFileError,
    RawDataError,
    TruncatedFileError,
)
from grfkit.io.channels import STANCE_SIGNAL_CHANNELS, TARGET_CHANNELS
from grfkit.io.stances import STANCE_META_COLUMNS, StanceDataset


def make_dataset(n: int = 5, seed: int = 0) -> StanceDataset:
    rng = np.random.default_rng(seed)
    meta = pd.DataFrame(
        {
            "dataset": ["overground"] * n,
            "participant": [f"OG{i % 2 + 1:02d}" for i in range(n)],
            "bout": ["slow"] * n,
            "foot": ["left"] * n,
            "plate": ["plate2"] * n,
            "ic_s": np.arange(n, dtype=float),
            "to_s": np.arange(n, dtype=float) + 0.25,
            "contact_time_s": np.full(n, 0.25),
            "speed_mps": rng.uniform(2.5, 4.5, n),
            "gradient_deg": np.zeros(n),
            "body_mass_kg": rng.uniform(55, 85, n),
            "insole_length_m": np.full(n, 0.26),
        }
    )
    return StanceDataset(
        meta=meta,
        inputs=rng.normal(size=(n, N_POINTS, len(STANCE_SIGNAL_CHANNELS))).astype(np.float32),
        targets=rng.normal(size=(n, N_POINTS, len(TARGET_CHANNELS))).astype(np.float32),
        input_channels=STANCE_SIGNAL_CHANNELS,
        target_channels=TARGET_CHANNELS,
    )


def test_save_load_round_trip(tmp_path: Path) -> None:
    ds = make_dataset()
    skipped = pd.DataFrame(
        [{"dataset": "overground", "participant": "OG01", "bout": "slow", "foot": "left", "plate": "plate3",
          "ic_s": 1.5, "reason": "straddle: plate3+plate4"}]
    )
    ds = StanceDataset(ds.meta, ds.inputs, ds.targets, ds.input_channels, ds.target_channels, skipped)
    loaded = StanceDataset.load(ds.save(tmp_path / "stances"))
    pd.testing.assert_frame_equal(loaded.meta, ds.meta)
    np.testing.assert_array_equal(loaded.inputs, ds.inputs)
    np.testing.assert_array_equal(loaded.targets, ds.targets)
    assert loaded.input_channels == ds.input_channels
    assert loaded.target_channels == ds.target_channels
    assert loaded.skipped.loc[0, "reason"] == "straddle: plate3+plate4"
    assert loaded.skipped.loc[0, "participant"] == "OG01"


def test_shape_mismatch_is_a_typed_error() -> None:
    ds = make_dataset(4)
    with pytest.raises(ChannelMismatchError, match="shape"):
        StanceDataset(ds.meta, ds.inputs[:3], ds.targets, ds.input_channels, ds.target_channels)
    with pytest.raises(ChannelMismatchError, match="names"):
        StanceDataset(ds.meta, ds.inputs, ds.targets, ds.input_channels[:-1], ds.target_channels)
    with pytest.raises(ChannelMismatchError, match="body_mass_kg"):
        StanceDataset(ds.meta.drop(columns="body_mass_kg"), ds.inputs, ds.targets, ds.input_channels,
                      ds.target_channels)


def test_channel_access_and_unknown_channel() -> None:
    ds = make_dataset()
    np.testing.assert_array_equal(ds.target("apgrf_n"), ds.targets[:, :, 1])
    np.testing.assert_array_equal(ds.input("acc_z_mps2"), ds.inputs[:, :, STANCE_SIGNAL_CHANNELS.index("acc_z_mps2")])
    with pytest.raises(ChannelMismatchError, match="mlgrf_n"):
        ds.target("mlgrf_n")


def test_subset_and_concat_preserve_rows() -> None:
    ds = make_dataset(6)
    mask = ds.meta["participant"] == "OG01"
    sub = ds.subset(mask.to_numpy())
    assert len(sub) == int(mask.sum())
    assert set(sub.meta["participant"]) == {"OG01"}
    np.testing.assert_array_equal(sub.inputs, ds.inputs[mask.to_numpy()])
    both = StanceDataset.concat([sub, ds.subset(~mask.to_numpy())])
    assert len(both) == len(ds)
    assert both.participants == ["OG01", "OG02"]
    assert list(both.meta.index) == list(range(len(ds)))


def test_indexing_by_positions_as_scikit_learn_does() -> None:
    ds = make_dataset(6)
    assert ds.shape == (6, N_POINTS, len(STANCE_SIGNAL_CHANNELS)) and len(ds) == 6
    picked = ds[np.array([4, 1, 1])]
    assert picked.meta["ic_s"].tolist() == [4.0, 1.0, 1.0] and list(picked.meta.index) == [0, 1, 2]
    np.testing.assert_array_equal(picked.inputs, ds.inputs[[4, 1, 1]])
    np.testing.assert_array_equal(picked.targets, ds.targets[[4, 1, 1]])
    mask = (ds.meta["participant"] == "OG02").to_numpy()
    for same in (ds[mask], ds[(np.flatnonzero(mask), ...)], ds[1::2]):
        pd.testing.assert_frame_equal(same.meta, ds.subset(mask).meta)
        np.testing.assert_array_equal(same.inputs, ds.subset(mask).inputs)
    assert len(ds[[]]) == 0 and ds[[2]].meta["ic_s"].tolist() == [2.0]
    assert len(ds) == 6  # the original is untouched


@pytest.mark.parametrize("key, error", [(2, TypeError), (np.int64(2), TypeError), (np.array([0.5]), TypeError),
                                        (np.zeros((2, 2), dtype=int), TypeError), ((0, 1), TypeError),
                                        (np.array([6]), IndexError), (np.array([True, False]), IndexError)])
def test_indexing_refuses_other_keys(key, error) -> None:
    with pytest.raises(error):
        make_dataset(6)[key]


def test_subset_rejects_wrong_mask_length() -> None:
    with pytest.raises(ValueError, match="mask"):
        make_dataset(3).subset(np.array([True, False]))


def test_load_missing_file_names_it(tmp_path: Path) -> None:
    folder = make_dataset().save(tmp_path / "s")
    (folder / "arrays.npz").unlink()
    with pytest.raises(MissingFileError, match="arrays.npz"):
        StanceDataset.load(folder)


def test_load_rejects_foreign_format(tmp_path: Path) -> None:
    folder = make_dataset().save(tmp_path / "s")
    (folder / "channels.json").write_text('{"format": "other", "version": 9}')
    with pytest.raises(RawDataError, match="channels.json"):
        StanceDataset.load(folder)


def test_meta_columns_constant_lists_required_columns() -> None:
    assert "participant" in STANCE_META_COLUMNS and "speed_mps" in STANCE_META_COLUMNS


def _truncate(path: Path, keep: float = 0.5) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


def _flip(path: Path, offset_frac: float = 0.5, n: int = 64) -> None:
    data = bytearray(path.read_bytes())
    start = int(len(data) * offset_frac)
    data[start : start + n] = bytes(b ^ 0xFF for b in data[start : start + n])
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    ("name", "damage", "error"),
    [
        ("arrays.npz", _truncate, TruncatedFileError),  # C11
        ("arrays.npz", lambda p: p.write_bytes(b""), TruncatedFileError),
        ("arrays.npz", _flip, FileFormatError),
        ("meta.parquet", _truncate, FileFormatError),
        ("meta.parquet", lambda p: _flip(p, 1.0 - 72 / p.stat().st_size), FileFormatError),  # its footer
        ("channels.json", _truncate, FileFormatError),
    ],
    ids=["npz-truncated", "npz-empty", "npz-flipped", "parquet-truncated", "parquet-footer-flipped", "json-truncated"],
)
def test_a_damaged_stance_file_raises_a_typed_error_naming_it(tmp_path: Path, name, damage, error) -> None:
    """C11: `experiment --stances DIR` with a damaged file: never a raw BadZipFile or ArrowInvalid."""
    folder = make_dataset(6).save(tmp_path / "s")
    damage(folder / name)
    with pytest.raises(error, match=re.escape(str(folder / name))):
        StanceDataset.load(folder)
