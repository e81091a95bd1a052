"""Tests of the C3D reader (grfkit.real.readers.c3d) on synthetic and real files."""

from __future__ import annotations

from pathlib import Path

import ezc3d
import numpy as np
import pytest

from grfkit.errors import ConfigError, FileFormatError, MissingFileError
from grfkit.real.readers.c3d import (
    PLATE_COLUMNS,
    C3DRecording,
    read_c3d,
    to_grfkit_frame,
)
from grfkit.real.readers.frames import estimate_overground_axes
from grfkit.real.registry import dataset_info

GRAVITY_MPS2 = 9.81


def _int_parameter(c3d: ezc3d.c3d, group: str, name: str, values: list[int], shape: tuple[int, ...]) -> None:
    """Add an integer parameter (``add_parameter`` stores Python ints as floats)."""
    c3d.add_parameter(group, name, np.zeros(shape))
    c3d["parameters"][group][name]["type"] = ezc3d.ezc3d.INT
    c3d["parameters"][group][name]["value"] = np.array(values, dtype=int).reshape(shape, order="F")


def write_synthetic_c3d(path: Path, *, n_frames: int = 10, per_frame: int = 4, unloaded_samples: int = 8) -> Path:
    """One type-2 plate (600 x 900 mm, corners as in the Dorn files) and two markers.

    Raw plate channels (plate frame, z down): F = (10, 20, -800) N,
    M = (-80000, 40000, 0) N mm, zero during the first ``unloaded_samples``.
    ezc3d rotates them to the lab: F = (-10, 20, 800) N, M = (80, 40, 0) N m about
    the plate centre (0.3, -0.45, 0) m, COP = (0.25, -0.35, 0) m.
    """
    c3d = ezc3d.c3d()
    c3d["parameters"]["POINT"]["RATE"]["value"] = [100.0]
    c3d["parameters"]["POINT"]["LABELS"]["value"] = ("SACR", "LHEEL")
    c3d["parameters"]["POINT"]["UNITS"]["value"] = ["mm"]
    points = np.zeros((4, 2, n_frames))
    points[3] = 1.0
    points[1, 0] = np.linspace(-3000.0, 3000.0, n_frames)  # the runner crosses the lab in +Y
    points[2, 0] = 1000.0
    points[1, 1] = points[1, 0] - 100.0
    points[2, 1] = 60.0
    c3d["data"]["points"] = points
    c3d["parameters"]["ANALOG"]["RATE"]["value"] = [100.0 * per_frame]
    c3d["parameters"]["ANALOG"]["LABELS"]["value"] = ("Fx1", "Fy1", "Fz1", "Mx1", "My1", "Mz1")
    c3d["parameters"]["ANALOG"]["UNITS"]["value"] = ("N", "N", "N", "Nmm", "Nmm", "Nmm")
    analogs = np.zeros((1, 6, n_frames * per_frame))
    analogs[0, :5, unloaded_samples:] = np.array([10.0, 20.0, -800.0, -80000.0, 40000.0])[:, None]
    c3d["data"]["analogs"] = analogs
    _int_parameter(c3d, "FORCE_PLATFORM", "USED", [1], (1,))
    _int_parameter(c3d, "FORCE_PLATFORM", "TYPE", [2], (1,))
    _int_parameter(c3d, "FORCE_PLATFORM", "ZERO", [1, 0], (2,))
    corners = np.array([[0.0, 0.0, 0.0], [600.0, 0.0, 0.0], [600.0, -900.0, 0.0], [0.0, -900.0, 0.0]]).T
    c3d.add_parameter("FORCE_PLATFORM", "CORNERS", corners[:, :, None])
    c3d.add_parameter("FORCE_PLATFORM", "ORIGIN", np.zeros((3, 1)))
    _int_parameter(c3d, "FORCE_PLATFORM", "CHANNEL", [1, 2, 3, 4, 5, 6], (6, 1))
    c3d.write(str(path))
    return path


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> C3DRecording:
    return read_c3d(write_synthetic_c3d(tmp_path_factory.mktemp("c3d") / "syn.c3d"))


# --- Synthetic file -------------------------------------------------------------------------------


def test_rates_markers_and_units(synthetic: C3DRecording) -> None:
    assert synthetic.axes == "lab"
    assert (synthetic.marker_rate_hz, synthetic.analog_rate_hz) == (100.0, 400.0)
    assert synthetic.marker_names == ["SACR", "LHEEL"]
    assert synthetic.marker_units == "mm"
    assert synthetic.markers["SACR_y_m"].iloc[-1] == pytest.approx(3.0)  # mm -> m
    np.testing.assert_allclose(synthetic.markers["time_s"], np.arange(10) / 100.0)
    assert synthetic.analog_units["Mx1"] == "Nmm"
    assert len(synthetic.analogs) == 40


def test_plate_forces_moments_cop_in_si_lab_frame(synthetic: C3DRecording) -> None:
    plate = synthetic.plate("plate1")
    assert plate.plate_type == 2
    assert list(plate.data.columns) == ["time_s", *PLATE_COLUMNS]
    loaded = plate.data.iloc[8:]
    np.testing.assert_allclose(loaded[["fx_n", "fy_n", "fz_n"]].to_numpy(), [[-10.0, 20.0, 800.0]] * 32)
    np.testing.assert_allclose(loaded[["mx_nm", "my_nm", "mz_nm"]].to_numpy(), [[80.0, 40.0, 0.0]] * 32)
    np.testing.assert_allclose(loaded[["cop_x_m", "cop_y_m", "cop_z_m"]].to_numpy(), [[0.25, -0.35, 0.0]] * 32)
    assert plate.data.iloc[:8][["cop_x_m", "cop_y_m", "tz_nm"]].isna().all().all()
    np.testing.assert_allclose(plate.centre_m, [0.3, -0.45, 0.0])
    assert plate.bounds_m == pytest.approx((0.0, 0.6, -0.9, 0.0))
    np.testing.assert_allclose(plate.origin_m, [0.0, 0.0, 0.0])


def test_cop_threshold(tmp_path: Path) -> None:
    recording = read_c3d(write_synthetic_c3d(tmp_path / "t.c3d"), cop_threshold_n=900.0)
    assert recording.plates[0].data["cop_x_m"].isna().all()


def test_rotation_into_grfkit_frame(synthetic: C3DRecording) -> None:
    assert estimate_overground_axes(synthetic.markers, pelvis_marker="SACR", foot_marker="LHEEL") == ("+y", "+z")
    rotated = to_grfkit_frame(synthetic, forward="+y")
    assert rotated.axes == "grfkit"
    data = rotated.plates[0].data.iloc[8:]
    np.testing.assert_allclose(data[["fx_n", "fy_n", "fz_n"]].to_numpy()[0], [20.0, 10.0, 800.0])  # fy: -x_lab
    np.testing.assert_allclose(data[["cop_x_m", "cop_y_m"]].to_numpy()[0], [-0.35, -0.25])
    np.testing.assert_allclose(rotated.plates[0].corners_m[:, 0], synthetic.plates[0].corners_m[:, 1])
    np.testing.assert_allclose(rotated.markers["SACR_x_m"], synthetic.markers["SACR_y_m"])
    np.testing.assert_allclose(rotated.analogs, synthetic.analogs)
    with pytest.raises(ConfigError, match="already in 'grfkit'"):
        to_grfkit_frame(rotated, forward="+y")
    with pytest.raises(ConfigError, match=r"assume \+z up"):
        to_grfkit_frame(synthetic, forward="+x", up="+y")


def test_unknown_plate_and_bad_files(synthetic: C3DRecording, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no plate 'plate9'"):
        synthetic.plate("plate9")
    with pytest.raises(MissingFileError):
        read_c3d(tmp_path / "absent.c3d")
    garbage = tmp_path / "garbage.c3d"
    garbage.write_bytes(np.random.default_rng(0).bytes(2048))
    with pytest.raises(FileFormatError, match="ezc3d cannot read") as info:
        read_c3d(garbage)
    assert info.value.path == garbage


# --- The real Dorn et al. (2012) files ----------------------------------------------------------------


@pytest.fixture(scope="module")
def dorn(request: pytest.FixtureRequest) -> dict[str, C3DRecording]:
    folder = request.getfixturevalue("real_dataset")("dorn2012")
    return {name: read_c3d(folder / f"JA1Gait{number}.c3d") for name, number in (("jog", 21), ("sprint", 35))}


def _contacts(fz_n: np.ndarray, threshold_n: float = 20.0) -> list[tuple[int, int]]:
    above = np.r_[False, fz_n > threshold_n, False]
    edges = np.flatnonzero(np.diff(above.astype(int)))
    return [(start, end) for start, end in zip(edges[::2], edges[1::2], strict=True) if end - start > 30]


@pytest.mark.realdata
@pytest.mark.parametrize("trial", ["jog", "sprint"])
def test_dorn_rates_plates_and_layout(dorn: dict[str, C3DRecording], trial: str) -> None:
    recording = dorn[trial]
    assert (recording.marker_rate_hz, recording.analog_rate_hz) == (250.0, 1500.0)
    assert len(recording.plates) == 8 and {plate.plate_type for plate in recording.plates} == {2}
    assert {"LHEEL", "LTOE", "LP1MT", "LP5MT", "RHEEL", "RTOE", "SACR"} <= set(recording.marker_names)
    assert len(recording.analogs) == 6 * len(recording.markers)
    bounds = np.array([plate.bounds_m for plate in recording.plates])
    np.testing.assert_allclose(bounds[:, 1] - bounds[:, 0], 0.6)  # 600 mm across (X)
    np.testing.assert_allclose(bounds[:, 3] - bounds[:, 2], 0.9)  # 900 mm along the runway (Y)
    gaps = bounds[1:, 2] - bounds[:-1, 3]
    np.testing.assert_allclose(gaps, [0.002] * 6 + [0.904], atol=1e-9)  # plate 8 after a gap
    assert estimate_overground_axes(recording.markers, pelvis_marker="SACR", foot_marker="LHEEL") == ("+y", "+z")


@pytest.mark.realdata
@pytest.mark.parametrize(
    ("trial", "plates", "peak_bw"),
    [
        ("jog", {"plate1", "plate2", "plate4", "plate5", "plate7"}, (2.5, 3.0)),
        ("sprint", {"plate2", "plate4", "plate7", "plate8"}, (2.7, 3.5)),
    ],
)
def test_dorn_contacts_forces_and_axes(
    dorn: dict[str, C3DRecording], trial: str, plates: set[str], peak_bw: tuple[float, float]
) -> None:
    weight_n = dataset_info("dorn2012").body_mass_kg["JA1"] * GRAVITY_MPS2
    recording = to_grfkit_frame(dorn[trial], forward="+y")
    contacted = set()
    for plate in recording.plates:
        data = plate.data
        for start, end in _contacts(data["fz_n"].to_numpy()):
            contacted.add(plate.name)
            stance = data.iloc[start:end]
            assert peak_bw[0] < stance["fz_n"].max() / weight_n < peak_bw[1], plate.name
            half = len(stance) // 2
            assert stance["fx_n"].iloc[:half].sum() < 0 < stance["fx_n"].iloc[half:].sum()  # brake, then propel
            x_min, x_max, y_min, y_max = plate.bounds_m
            loaded = stance[stance["fz_n"] > 0.25 * weight_n]  # the COP is noise-dominated at light loads
            assert loaded["cop_x_m"].between(x_min, x_max).all()
            assert loaded["cop_y_m"].between(y_min, y_max).all()
            mid_time_s = stance["time_s"].iloc[half]
            frame = recording.markers.iloc[int(round(mid_time_s * recording.marker_rate_hz))]
            nearest = min(
                ("L", "R"),
                key=lambda side: abs(frame[f"{side}HEEL_z_m"]),
            )
            heel_x = frame[f"{nearest}HEEL_x_m"]
            assert heel_x - 0.1 < stance["cop_x_m"].iloc[half] < heel_x + 0.35  # COP under the stance foot
    assert contacted == plates
    pelvis_left = recording.markers["LASI_y_m"] - recording.markers["RASI_y_m"]
    assert pelvis_left.mean() > 0.15  # grfkit +y is the runner's left
