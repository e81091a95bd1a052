"""Tests of the Alcantara et al. (2022) CSV reader."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grfkit.errors import (
    ConfigError,
    FileFormatError,
    LengthMismatchError,
    MissingChannelError,
    MissingFileError,
    TruncatedFileError,
)
from grfkit.real.readers.alcantara import (
    ALCANTARA_FILES,
    ALCANTARA_SAMPLING_RATE_HZ,
    read_alcantara,
    valid_length,
)

INFO_HEADER = "Sub,Condition,Sex,Age,Height,Mass,RFS,MFS,FFS,Speed,Slope,StepFreq"


def write_alcantara(folder: Path, *, n_trials: int = 3, n: int = 12, pad: dict[int, int] | None = None) -> Path:
    """Write the three files for ``n_trials`` trials of ``n`` samples; ``pad`` zero-pads trial -> samples."""
    rng = np.random.default_rng(7)
    acc_vertical = rng.uniform(0.1, 3.0, (n_trials, n))
    acc_ap = rng.uniform(-1.0, 1.0, (n_trials, n))
    grf = rng.uniform(0.05, 2.5, (n_trials, n))
    for trial, samples in (pad or {}).items():
        for array in (acc_vertical, acc_ap, grf):
            array[trial, n - samples :] = 0.0
    folder.mkdir(parents=True, exist_ok=True)
    acc_name, grf_name, info_name = ALCANTARA_FILES
    np.savetxt(folder / acc_name, np.hstack([acc_vertical, acc_ap]), delimiter=",", fmt="%.18e")
    np.savetxt(folder / grf_name, grf, delimiter=",", fmt="%.18e")
    rows = [
        f"2,NA,m,NA,173,76.8,100,0,0,{speed},{slope},NA"
        for speed, slope in zip([2.5, 3.33, 4.17] * 9, [0, 5, -10] * 9, strict=True)
    ]
    (folder / info_name).write_text("\n".join([INFO_HEADER, *rows[:n_trials]]) + "\n")
    return folder


def test_reads_trials_info_and_channels(tmp_path: Path) -> None:
    data = read_alcantara(write_alcantara(tmp_path / "a", pad={1: 4}))
    assert data.n_trials == 3 and data.grf_bw.shape == (3, 12) and data.acc_vertical_g.shape == (3, 12)
    assert data.sampling_rate_hz == ALCANTARA_SAMPLING_RATE_HZ == 500.0
    info = data.info
    assert list(info["valid_length"]) == [12, 8, 12]
    assert list(info["padded_samples"]) == [0, 4, 0]
    assert info["height_m"].iloc[0] == pytest.approx(1.73)
    assert info["body_mass_kg"].iloc[0] == pytest.approx(76.8)
    assert list(info["speed_mps"]) == [2.5, 3.33, 4.17] and list(info["slope_deg"]) == [0, 5, -10]
    assert {"condition", "age", "stepfreq", "sex", "rfs_pct"} <= set(info.columns)
    trial = data.trial(1)
    assert list(trial.columns) == ["time_s", "acc_vertical_g", "acc_ap_g", "grf_bw"]
    assert len(trial) == 8 and trial["time_s"].iloc[-1] == pytest.approx(7 / 500.0)
    np.testing.assert_array_equal(trial["acc_ap_g"], data.acc_ap_g[1, :8])


def test_row_with_wrong_number_of_values_names_file_and_line(tmp_path: Path) -> None:
    folder = write_alcantara(tmp_path / "a")
    grf_path = folder / ALCANTARA_FILES[1]
    lines = grf_path.read_text().splitlines()
    lines[1] += ",0.5"
    grf_path.write_text("\n".join(lines) + "\n")
    with pytest.raises(FileFormatError, match="line 2 has 13 values, expected 12") as info:
        read_alcantara(folder)
    assert info.value.path == grf_path


def test_accelerometer_rows_must_hold_both_channels(tmp_path: Path) -> None:
    folder = write_alcantara(tmp_path / "a")
    acc_path = folder / ALCANTARA_FILES[0]
    lines = acc_path.read_text().splitlines()
    lines[0] = ",".join(lines[0].split(",")[:20])
    acc_path.write_text("\n".join(lines) + "\n")
    with pytest.raises(FileFormatError, match="line 1 has 20 values, expected 24"):
        read_alcantara(folder)


def test_truncated_last_row(tmp_path: Path) -> None:
    folder = write_alcantara(tmp_path / "a")
    grf_path = folder / ALCANTARA_FILES[1]
    text = grf_path.read_text()
    grf_path.write_text(text[: len(text) - 60])
    with pytest.raises(TruncatedFileError, match="line 3"):
        read_alcantara(folder)


def test_non_numeric_value(tmp_path: Path) -> None:
    folder = write_alcantara(tmp_path / "a")
    grf_path = folder / ALCANTARA_FILES[1]
    lines = grf_path.read_text().splitlines()
    cells = lines[2].split(",")
    cells[5] = "oops"
    lines[2] = ",".join(cells)
    grf_path.write_text("\n".join(lines) + "\n")
    with pytest.raises(FileFormatError, match="line 3: 'oops' in column 'value 6'"):
        read_alcantara(folder)


def test_files_must_agree_and_exist(tmp_path: Path) -> None:
    folder = write_alcantara(tmp_path / "a")
    info_path = folder / ALCANTARA_FILES[2]
    info_path.write_text("\n".join(info_path.read_text().splitlines()[:-1]) + "\n")
    with pytest.raises(LengthMismatchError, match="Sub_Info_one_sub.csv 2"):
        read_alcantara(folder)
    info_path.write_text("Sub,Sex\n2,m\n2,m\n2,m\n")
    with pytest.raises(MissingChannelError, match="'Height'"):
        read_alcantara(folder)
    (folder / ALCANTARA_FILES[0]).unlink()
    with pytest.raises(MissingFileError):
        read_alcantara(folder)
    with pytest.raises(FileFormatError, match="expected 5"):
        read_alcantara(write_alcantara(tmp_path / "b"), samples_per_trial=5)


def test_trial_index_out_of_range(tmp_path: Path) -> None:
    data = read_alcantara(write_alcantara(tmp_path / "a"))
    with pytest.raises(ConfigError, match="outside 0..2"):
        data.trial(3)


def test_valid_length_examples() -> None:
    assert valid_length(np.array([1.0, 0.0, 2.0, 0.0, 0.0])) == 3
    assert valid_length(np.zeros(4), np.array([0.0, 1.0, 0.0, np.nan])) == 2
    assert valid_length(np.zeros(3)) == 0
    with pytest.raises(LengthMismatchError):
        valid_length(np.ones(3), np.ones(4))


@settings(max_examples=40, deadline=None)
@given(
    signal=st.lists(st.floats(-5, 5, allow_nan=False), min_size=1, max_size=40).filter(lambda values: values[-1] != 0),
    padding=st.integers(min_value=0, max_value=20),
)
def test_valid_length_ignores_exactly_the_padding(signal: list[float], padding: int) -> None:
    padded = np.r_[signal, np.zeros(padding)]
    assert valid_length(padded, np.zeros_like(padded)) == len(signal)


# --- The real files ----------------------------------------------------------------------------------------


@pytest.mark.realdata
def test_alcantara_real_files(real_dataset) -> None:
    data = read_alcantara(real_dataset("alcantara2022"))
    assert data.n_trials == 31
    assert data.grf_bw.shape == data.acc_vertical_g.shape == data.acc_ap_g.shape == (31, 2480)
    assert (data.info["padded_samples"] == 0).all()  # no trial is zero-padded
    per_trial_mean_bw = data.grf_bw.mean(axis=1)
    assert np.all((per_trial_mean_bw > 0.93) & (per_trial_mean_bw < 1.07))
    assert data.grf_bw.mean() == pytest.approx(1.0, abs=0.02)
    assert 3.0 < data.grf_bw.max() < 3.6
    assert data.acc_vertical_g.min() == 0.0 and data.acc_vertical_g.max() < 7.0  # floored at 0 g in flight
    assert data.acc_ap_g.min() < -2.0 and data.acc_ap_g.max() > 2.0
    info = data.info
    assert set(info["speed_mps"]) == {2.5, 3.33, 4.17}
    assert set(info["slope_deg"]) == {-10, -5, 0, 5, 10}
    assert (info["body_mass_kg"] == 76.8).all() and (info["sex"] == "m").all()
