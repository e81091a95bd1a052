"""Channel names shared by the raw data format and the stance data set.

Names carry their unit as a suffix (``_n`` newtons, ``_m`` metres,
``_mps2`` metres per second squared, ``_dps`` degrees per second, ``_adc``
raw analogue-to-digital counts, ``_frac`` a fraction of the insole's length
or width).  Axes follow one convention everywhere: ``x`` anteroposterior
(positive in the running direction), ``y`` mediolateral (positive to the
runner's left), ``z`` vertical (positive up).  Forces are the ground reaction
acting on the runner.
"""

from __future__ import annotations

__all__ = [
    "FEET",
    "N_FSR",
    "fsr_channels",
    "INSOLE_COP_CHANNELS",
    "IMU_CHANNELS",
    "IMU_ACC_CHANNELS",
    "IMU_GYRO_CHANNELS",
    "PLATE_SUFFIXES",
    "plate_channels",
    "MARKER_CHANNELS",
    "STANCE_SIGNAL_CHANNELS",
    "STANCE_STATIC_CHANNELS",
    "TARGET_CHANNELS",
]

#: The two feet, in the order used everywhere.
FEET: tuple[str, str] = ("left", "right")

#: Force-sensitive resistors per insole.
N_FSR: int = 16


def fsr_channels(foot: str) -> list[str]:
    """Return the 16 FSR channel names of one insole, e.g. ``left_fsr01_adc``.

    Parameters
    ----------
    foot
        ``"left"`` or ``"right"``.

    Returns
    -------
    list of str
        Channel names numbered 01 to 16 (their positions under the foot are
        :data:`grfkit.io.insole.FSR_LAYOUT`).
    """
    if foot not in FEET:
        raise ValueError(f"foot must be one of {FEET}, got {foot!r}")
    return [f"{foot}_fsr{i:02d}_adc" for i in range(1, N_FSR + 1)]


#: Insole centre of pressure, as a fraction of insole length (0 heel, 1 toe)
#: and width (0 medial edge, 1 lateral edge).
INSOLE_COP_CHANNELS: tuple[str, str] = ("cop_ap_frac", "cop_ml_frac")

#: Shoe IMU accelerometer channels (m/s², sensor frame, gravity included).
IMU_ACC_CHANNELS: tuple[str, str, str] = ("acc_x_mps2", "acc_y_mps2", "acc_z_mps2")
#: Shoe IMU gyroscope channels (deg/s, sensor frame).
IMU_GYRO_CHANNELS: tuple[str, str, str] = ("gyro_x_dps", "gyro_y_dps", "gyro_z_dps")
#: Shoe IMU channels (sensor frame, accelerometer includes gravity).
IMU_CHANNELS: tuple[str, ...] = IMU_ACC_CHANNELS + IMU_GYRO_CHANNELS

#: Per-plate force table columns, prefixed by the plate name (``plate1_fz_n``).
PLATE_SUFFIXES: tuple[str, ...] = ("fx_n", "fy_n", "fz_n", "cop_x_m", "cop_y_m")


def plate_channels(plate: str) -> list[str]:
    """Return the force-table column names of one plate (or treadmill belt).

    Parameters
    ----------
    plate
        Plate name, e.g. ``"plate1"`` or ``"belt"``.

    Returns
    -------
    list of str
        ``[f"{plate}_fx_n", f"{plate}_fy_n", f"{plate}_fz_n", f"{plate}_cop_x_m", f"{plate}_cop_y_m"]``.
    """
    return [f"{plate}_{suffix}" for suffix in PLATE_SUFFIXES]


#: Waist marker trajectory columns (lab frame).
MARKER_CHANNELS: tuple[str, str, str] = ("waist_x_m", "waist_y_m", "waist_z_m")

#: Time-varying model inputs of a left-foot stance, 101 samples each.
STANCE_SIGNAL_CHANNELS: tuple[str, ...] = (*fsr_channels("left"), *INSOLE_COP_CHANNELS, *IMU_CHANNELS)

#: One value per stance, stored in the stance metadata table.
STANCE_STATIC_CHANNELS: tuple[str, ...] = (
    "contact_time_s",
    "body_mass_kg",
    "speed_mps",
    "gradient_deg",
    "insole_length_m",
)

#: Force curves the models estimate (newtons; divide by body weight for BW).
TARGET_CHANNELS: tuple[str, str] = ("vgrf_n", "apgrf_n")
