"""Tests of the OpenSim storage (.mot/.sto) and marker (.trc) readers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grfkit.errors import (
    EmptyTableError,
    FileFormatError,
    MissingChannelError,
    MissingFileError,
    SamplingRateError,
    TimestampError,
    TruncatedFileError,
)
from grfkit.real.readers.frames import rotation_to_grfkit
from grfkit.real.readers.opensim import (
    OPENSIM_FORWARD,
    OPENSIM_UP,
    read_mot,
    read_sto,
    read_trc,
    sampling_rate_from_time,
)
from grfkit.real.registry import dataset_info

GRAVITY_MPS2 = 9.81


# --- Writers of small synthetic files --------------------------------------------------------


def write_sto(
    path: Path,
    table: np.ndarray,
    labels: list[str],
    *,
    header: list[str] | None = None,
    n_rows: int | None = None,
) -> Path:
    """Write an OpenSim 4 storage file (``key=value`` header)."""
    n_rows = table.shape[0] if n_rows is None else n_rows
    header = header or ["Coordinates", "version=1", f"nRows={n_rows}", f"nColumns={len(labels)}", "inDegrees=yes"]
    lines = [*header, "endheader", "\t".join(labels)]
    lines += ["\t".join(repr(float(value)) for value in row) for row in table]
    path.write_text("\n".join(lines) + "\n")
    return path


def grf_table(n: int = 50, rate_hz: float = 1000.0) -> tuple[np.ndarray, list[str]]:
    time_s = 0.1 + np.arange(n) / rate_hz
    force = np.column_stack([np.sin(time_s), 700 + 10 * np.cos(time_s), np.zeros(n)])
    return np.column_stack([time_s, force]), ["time", "R_ground_force_vx", "R_ground_force_vy", "R_ground_force_vz"]


def write_trc(
    path: Path,
    positions_mm: np.ndarray,
    markers: list[str],
    *,
    rate_hz: float = 100.0,
    units: str = "mm",
    num_frames: int | None = None,
    num_markers: int | None = None,
    first_frame: int = 1,
    blank_cells: tuple[tuple[int, int], ...] = (),
) -> Path:
    """Write a TRC file; ``positions_mm`` has shape (frames, markers, 3)."""
    n = positions_mm.shape[0]
    num_frames = n if num_frames is None else num_frames
    num_markers = len(markers) if num_markers is None else num_markers
    lines = [
        f"PathFileType\t4\t(X/Y/Z)\t{path.name}",
        "DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate\tOrigDataStartFrame\tOrigNumFrames",
        f"{rate_hz:g}\t{rate_hz:g}\t{num_frames}\t{num_markers}\t{units}\t{rate_hz:g}\t{first_frame}\t{n}",
        "Frame#\tTime\t" + "\t\t\t".join(markers) + "\t\t",
        "\t\t" + "\t".join(f"{axis}{i + 1}" for i in range(len(markers)) for axis in "XYZ") + "\t",
        "",
    ]
    for frame in range(n):
        cells = [f"{value:.6f}" for value in positions_mm[frame].ravel()]
        for row, column in blank_cells:
            if row == frame:
                cells[column] = ""
        time_s = (first_frame + frame - 1) / rate_hz
        lines.append(f"{first_frame + frame}\t{time_s:.6f}\t" + "\t".join(cells) + "\t")
    path.write_text("\n".join(lines) + "\n")
    return path


def marker_positions(n: int = 20, n_markers: int = 2) -> np.ndarray:
    base = np.arange(n)[:, None, None] * 1.0 + np.arange(n_markers)[None, :, None] * 100.0
    return base + np.array([0.0, 1000.0, -300.0])[None, None, :]


# --- Storage files, synthetic ---------------------------------------------------------------------


def test_read_sto_returns_table_header_and_rate(tmp_path: Path) -> None:
    table, labels = grf_table()
    data, header = read_sto(write_sto(tmp_path / "grf.sto", table, labels))
    assert list(data.columns) == labels
    np.testing.assert_allclose(data.to_numpy(), table)
    assert header["name"] == "Coordinates"
    assert (header["n_rows"], header["n_columns"], header["in_degrees"]) == (50, 4, True)
    assert header["version"] == "1"
    assert header["sampling_rate_hz"] == pytest.approx(1000.0)


def test_read_mot_reads_old_style_headers(tmp_path: Path) -> None:
    table, labels = grf_table(n=30, rate_hz=960.0)
    header = ["name Run_300 02.mot", "datacolumns 4", "datarows 30", "range 0.1 0.13", "DataType=double"]
    data, parsed = read_mot(write_sto(tmp_path / "Run_3_grf.mot", table, labels, header=header))
    assert parsed["name"] == "Run_300 02.mot"
    assert (parsed["n_rows"], parsed["n_columns"], parsed["in_degrees"]) == (30, 4, None)
    assert parsed["range"] == "0.1 0.13" and parsed["DataType"] == "double"
    assert parsed["sampling_rate_hz"] == pytest.approx(960.0)
    assert data.shape == (30, 4)


def test_nan_tokens_are_read_as_nan(tmp_path: Path) -> None:
    table, labels = grf_table(n=5)
    path = write_sto(tmp_path / "grf.sto", table, labels)
    text = path.read_text().splitlines()
    cells = text[-1].split("\t")
    cells[2] = "NaN"
    path.write_text("\n".join([*text[:-1], "\t".join(cells)]) + "\n")
    data, _ = read_sto(path)
    assert np.isnan(data.iloc[-1, 2]) and np.isfinite(data.iloc[:-1, 2]).all()


def test_missing_endheader(tmp_path: Path) -> None:
    path = tmp_path / "bad.mot"
    path.write_text("name x\nnRows=1\ntime\tf\n0\t1\n")
    with pytest.raises(FileFormatError, match="endheader") as info:
        read_mot(path)
    assert info.value.path == path


def test_fewer_rows_than_declared_is_truncated(tmp_path: Path) -> None:
    table, labels = grf_table(n=20)
    path = write_sto(tmp_path / "grf.mot", table, labels, n_rows=25)
    with pytest.raises(TruncatedFileError, match="declares 25 rows but only 20"):
        read_mot(path)
    data, _ = read_mot(path, check_row_count=False)
    assert len(data) == 20


def test_more_rows_than_declared(tmp_path: Path) -> None:
    table, labels = grf_table(n=20)
    with pytest.raises(FileFormatError, match="declares 10 rows but 20"):
        read_mot(write_sto(tmp_path / "grf.mot", table, labels, n_rows=10))


def test_last_row_cut_mid_line(tmp_path: Path) -> None:
    table, labels = grf_table(n=20)
    path = write_sto(tmp_path / "grf.mot", table, labels)
    text = path.read_text()
    path.write_text(text[: text.rstrip("\n").rfind("\t")])  # drop the last cell and newline
    with pytest.raises(TruncatedFileError, match=r"last row \(line 27\) ends after 3 of 4 values"):
        read_mot(path)


def test_ragged_interior_row(tmp_path: Path) -> None:
    table, labels = grf_table(n=20)
    path = write_sto(tmp_path / "grf.mot", table, labels)
    lines = path.read_text().splitlines()
    lines[10] += "\t1.0\t2.0"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(FileFormatError, match="line 11 has 6 values, expected 4"):
        read_mot(path)


@pytest.mark.parametrize(("token", "shown"), [("abc", "'abc'"), ("", "an empty cell"), ("1.2.3", "'1.2.3'")])
def test_non_numeric_cell_names_line_and_column(tmp_path: Path, token: str, shown: str) -> None:
    table, labels = grf_table(n=20)
    path = write_sto(tmp_path / "grf.mot", table, labels)
    lines = path.read_text().splitlines()
    cells = lines[12].split("\t")
    cells[2] = token
    lines[12] = "\t".join(cells)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(FileFormatError, match=f"line 13: {shown} in column 'R_ground_force_vy'") as info:
        read_mot(path)
    assert info.value.channel == "R_ground_force_vy"


def test_header_and_label_problems(tmp_path: Path) -> None:
    table, labels = grf_table(n=5)
    with pytest.raises(FileFormatError, match="declares 7 columns but 4 labels"):
        read_sto(write_sto(tmp_path / "a.sto", table, labels, header=["x", "nColumns=7"]))
    with pytest.raises(FileFormatError, match="nRows is 'many'"):
        read_sto(write_sto(tmp_path / "b.sto", table, labels, header=["x", "nRows=many"]))
    with pytest.raises(MissingChannelError, match="not 'time'"):
        read_sto(write_sto(tmp_path / "c.sto", table, ["t", *labels[1:]]))
    with pytest.raises(FileFormatError, match="duplicate column labels: f"):
        read_sto(write_sto(tmp_path / "d.sto", table, ["time", "f", "f", "g"]))
    empty = tmp_path / "e.sto"
    empty.write_text("x\nendheader\ntime\tf\n")
    with pytest.raises(EmptyTableError):
        read_sto(empty)
    with pytest.raises(MissingFileError):
        read_sto(tmp_path / "absent.sto")


def test_time_problems(tmp_path: Path) -> None:
    table, labels = grf_table(n=20)
    jumpy = table.copy()
    jumpy[10:, 0] += 0.0005
    with pytest.raises(SamplingRateError, match="not uniformly sampled"):
        read_sto(write_sto(tmp_path / "a.sto", jumpy, labels))
    backwards = table.copy()
    backwards[5, 0] = backwards[4, 0]
    with pytest.raises(TimestampError, match="does not increase at line 13"):
        read_sto(write_sto(tmp_path / "b.sto", backwards, labels))


def test_sampling_rate_from_time_tolerates_printed_rounding() -> None:
    time_s = np.round(0.008333 + np.arange(5000) / 960.0, 6)  # 6 decimals, as the Hamner files
    assert sampling_rate_from_time(time_s) == pytest.approx(960.0, rel=1e-6)
    assert sampling_rate_from_time(np.array([0.5])) is None
    with pytest.raises(TimestampError, match="not finite"):
        sampling_rate_from_time(np.array([0.0, np.nan, 0.2]))


@settings(max_examples=25, deadline=None)
@given(
    rate_hz=st.sampled_from([100.0, 120.0, 960.0, 1000.0, 2000.0]),
    n=st.integers(min_value=2, max_value=60),
    seed=st.integers(min_value=0, max_value=2**16),
)
def test_storage_round_trip(tmp_path_factory: pytest.TempPathFactory, rate_hz: float, n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    time_s = rng.uniform(0.0, 5.0) + np.arange(n) / rate_hz
    table = np.column_stack([time_s, rng.normal(0.0, 500.0, (n, 3))])
    path = write_sto(tmp_path_factory.mktemp("rt") / "x.sto", table, ["time", "a", "b", "c"])
    data, header = read_sto(path)
    np.testing.assert_array_equal(data.to_numpy(), table)
    assert header["sampling_rate_hz"] == pytest.approx(rate_hz, rel=1e-9)


# --- TRC files, synthetic ---------------------------------------------------------------------------


def test_read_trc_converts_to_metres(tmp_path: Path) -> None:
    positions = marker_positions(n=20)
    data, header = read_trc(write_trc(tmp_path / "run.trc", positions, ["LCAL", "LTOE"], first_frame=3))
    assert list(data.columns) == [
        "frame", "time_s",
        "LCAL_x_m", "LCAL_y_m", "LCAL_z_m", "LTOE_x_m", "LTOE_y_m", "LTOE_z_m",
    ]  # fmt: skip
    assert data["frame"].dtype == np.int64 and data["frame"].iloc[0] == 3
    np.testing.assert_allclose(data.iloc[:, 2:].to_numpy(), positions.reshape(20, 6) / 1000.0)
    assert header["markers"] == ["LCAL", "LTOE"]
    assert header["units"] == "mm" and header["num_frames"] == 20 and header["num_markers"] == 2
    assert header["data_rate_hz"] == header["sampling_rate_hz"] == pytest.approx(100.0)
    assert header["orig_data_start_frame"] == 3


@pytest.mark.parametrize(("units", "factor"), [("mm", 1e-3), ("cm", 1e-2), ("m", 1.0)])
def test_trc_units(tmp_path: Path, units: str, factor: float) -> None:
    positions = marker_positions(n=5, n_markers=1)
    data, _ = read_trc(write_trc(tmp_path / "u.trc", positions, ["RASI"], units=units))
    np.testing.assert_allclose(data[["RASI_x_m", "RASI_y_m", "RASI_z_m"]].to_numpy(), positions[:, 0] * factor)


def test_trc_blank_cells_are_gaps(tmp_path: Path) -> None:
    positions = marker_positions(n=10)
    data, _ = read_trc(write_trc(tmp_path / "g.trc", positions, ["A", "B"], blank_cells=((4, 3), (4, 4), (4, 5))))
    assert data.loc[4, ["B_x_m", "B_y_m", "B_z_m"]].isna().all()
    assert data.drop(index=4).notna().all().all()


def test_trc_problems(tmp_path: Path) -> None:
    positions = marker_positions(n=10)
    with pytest.raises(FileFormatError, match="Units 'in'"):
        read_trc(write_trc(tmp_path / "a.trc", positions, ["A", "B"], units="in"))
    with pytest.raises(FileFormatError, match="NumMarkers is 3 but line 4 names 2"):
        read_trc(write_trc(tmp_path / "b.trc", positions, ["A", "B"], num_markers=3))
    with pytest.raises(FileFormatError, match="NumFrames is 8 but 10 rows"):
        read_trc(write_trc(tmp_path / "c.trc", positions, ["A", "B"], num_frames=8))
    with pytest.raises(SamplingRateError, match="DataRate is 200"):
        path = write_trc(tmp_path / "d.trc", positions, ["A", "B"])
        path.write_text(path.read_text().replace("100\t100\t10", "200\t200\t10", 1))
        read_trc(path)
    not_trc = tmp_path / "e.trc"
    not_trc.write_text("hello\n")
    with pytest.raises(FileFormatError, match="PathFileType"):
        read_trc(not_trc)
    with pytest.raises(FileFormatError, match="duplicate marker names: A"):
        read_trc(write_trc(tmp_path / "f.trc", positions, ["A", "A"]))


def test_trc_truncation(tmp_path: Path) -> None:
    positions = marker_positions(n=10)
    short = write_trc(tmp_path / "short.trc", positions, ["A", "B"], num_frames=12)
    with pytest.raises(TruncatedFileError, match="NumFrames is 12 but only 10"):
        read_trc(short)
    data, header = read_trc(short, check_frame_count=False)
    assert len(data) == 10 and header["num_frames"] == 12
    cut = write_trc(tmp_path / "cut.trc", positions, ["A", "B"])
    text = cut.read_text()
    cut.write_text(text[: len(text) - 30])
    with pytest.raises(TruncatedFileError, match="last row"):
        read_trc(cut)


def test_opensim_axes_rotate_into_grfkit() -> None:
    rotation = rotation_to_grfkit(OPENSIM_FORWARD, OPENSIM_UP)
    right_mps2 = np.array([0.0, 0.0, 1.0])  # OpenSim +Z is the subject's right
    up = np.array([0.0, 1.0, 0.0])
    np.testing.assert_array_equal(rotation @ right_mps2, [0.0, -1.0, 0.0])  # grfkit +y is left
    np.testing.assert_array_equal(rotation @ up, [0.0, 0.0, 1.0])


# --- The real Hamner & Delp (2013) files ---------------------------------------------------------------

HAMNER_FORCE_RATE_HZ = {
    "subject01": 1000.0, "subject08": 1000.0, "subject10": 1000.0, "subject11": 1000.0,
    "subject03": 2000.0, "subject04": 2000.0,
    "subject02": 960.0, "subject17": 960.0, "subject19": 960.0, "subject20": 960.0,
}  # fmt: skip
HAMNER_MARKER_RATE_HZ = {subject: 120.0 if rate == 960.0 else 100.0 for subject, rate in HAMNER_FORCE_RATE_HZ.items()}
FOOT_MARKERS = ("RCAL", "RTOE", "RMT5", "LCAL", "LTOE", "LMT5")


def _rising_edges(signal: np.ndarray, threshold: float) -> np.ndarray:
    above = signal > threshold
    return np.flatnonzero(above[1:] & ~above[:-1]) + 1


@pytest.mark.realdata
def test_hamner_mot_rates_columns_and_body_weight(real_dataset) -> None:
    folder = real_dataset("hamner2013")
    masses = dataset_info("hamner2013").body_mass_kg  # the scaled models' masses (none for subject20)
    for subject, rate_hz in HAMNER_FORCE_RATE_HZ.items():
        data, header = read_mot(folder / subject / "Run_3_grf.mot")
        assert header["sampling_rate_hz"] == pytest.approx(rate_hz, rel=1e-4), subject
        assert len(data.columns) == 19 and data.columns[0] == "time"
        for foot in "RL":
            assert {f"{foot}_ground_force_v{a}" for a in "xyz"} <= set(data.columns)
            assert {f"{foot}_ground_force_p{a}" for a in "xyz"} <= set(data.columns)
        right = data["R_ground_force_vy"].to_numpy()
        strikes = _rising_edges(right, 20.0)
        assert len(strikes) >= 5, subject
        whole_strides = slice(strikes[0], strikes[-1])
        total = right + data["L_ground_force_vy"].to_numpy()
        mean_mass_kg = total[whole_strides].mean() / GRAVITY_MPS2
        if subject not in masses:  # subject20: no published model mass
            assert 55.0 < mean_mass_kg < 85.0
        else:
            assert mean_mass_kg == pytest.approx(masses[subject], rel=0.05), subject
        # X is forward: the right foot brakes (-vx) in the first half of stance, propels in the second
        off = np.flatnonzero(right[strikes[0] :] < 20.0)[0] + strikes[0]
        ap = data["R_ground_force_vx"].to_numpy()[strikes[0] : off]
        half = len(ap) // 2
        assert ap[:half].sum() < 0 < ap[half:].sum(), subject


@pytest.mark.realdata
def test_hamner_trc_all_files_read_with_registry_options(real_dataset) -> None:
    folder = real_dataset("hamner2013")
    info = dataset_info("hamner2013")
    for entry in info.files:
        if not entry.path.endswith(".trc"):
            continue
        subject = entry.path.split("/")[0]
        data, header = read_trc(folder / entry.path, **entry.read_options)
        assert header["sampling_rate_hz"] == pytest.approx(HAMNER_MARKER_RATE_HZ[subject], rel=1e-4), entry.path
        assert header["units"] == "mm"
        expected = set(FOOT_MARKERS) - ({"LMT5"} if "LMT5" in entry.note else set())
        assert expected <= set(header["markers"]), entry.path
        heel_height = data["RCAL_y_m"]  # Y is up, now in metres
        assert 0.0 < heel_height.min() < 0.15 and heel_height.max() < 0.9
        # X forward, Z right: toe ahead of heel, right pelvis marker at larger Z than left
        assert (data["RTOE_x_m"] - data["RCAL_x_m"]).mean() > 0.05
        assert (data["RASI_z_m"] - data["LASI_z_m"]).mean() > 0.15
        if entry.read_options:  # stale NumFrames: the frames there start with the force file and cover it
            mot, _ = read_mot(folder / entry.path.replace(".trc", "_grf.mot"))
            assert data["time_s"].iloc[0] == pytest.approx(mot["time"].iloc[0], abs=1e-6)
            assert data["time_s"].iloc[-1] >= mot["time"].iloc[-1] - 1e-6


@pytest.mark.realdata
def test_hamner_stale_trc_header_is_caught_by_default(real_dataset) -> None:
    folder = real_dataset("hamner2013")
    with pytest.raises(TruncatedFileError, match="NumFrames is 559 but only 542"):
        read_trc(folder / "subject10" / "Run_2.trc")


@pytest.mark.parametrize(
    ("first_line", "name"),
    [("Coordinates", "Coordinates"), ("name Run_200 02.mot", "Run_200 02.mot"), ("Run_200 02.mot", "Run_200 02.mot")],
)
def test_storage_name_line(tmp_path: Path, first_line: str, name: str) -> None:
    table, labels = grf_table(n=3)
    _, header = read_sto(write_sto(tmp_path / "n.sto", table, labels, header=[first_line, "nRows=3"]))
    assert header["name"] == name and header["n_rows"] == 3
