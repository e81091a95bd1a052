"""The raw data format and the stance data set: what goes into and comes out of preprocessing.

:mod:`~grfkit.io.channels` names every column, :mod:`~grfkit.io.insole` is the
16-sensor insole's geometry, :mod:`~grfkit.io.rawdata` reads, writes and
validates raw recordings (one folder per bout), and :mod:`~grfkit.io.stances`
holds the time-normalised stances that the models learn from.
"""

from grfkit.lazy_imports import lazy_getattr

# Public name -> the module that defines it; imported on first use.
_LAZY = {
    "FEET": "channels",
    "IMU_ACC_CHANNELS": "channels",
    "IMU_CHANNELS": "channels",
    "IMU_GYRO_CHANNELS": "channels",
    "INSOLE_COP_CHANNELS": "channels",
    "MARKER_CHANNELS": "channels",
    "N_FSR": "channels",
    "PLATE_SUFFIXES": "channels",
    "STANCE_SIGNAL_CHANNELS": "channels",
    "STANCE_STATIC_CHANNELS": "channels",
    "TARGET_CHANNELS": "channels",
    "fsr_channels": "channels",
    "plate_channels": "channels",
    "DEFAULT_FSR_RESPONSE": "insole",
    "DEFAULT_SENSOR_LOAD_SHARE": "insole",
    "FSR_AP_FRAC": "insole",
    "FSR_AREA_MM2": "insole",
    "FSR_LAYOUT": "insole",
    "FSR_ML_FRAC": "insole",
    "FsrResponse": "insole",
    "FsrSensor": "insole",
    "REGION_LOAD_PRIOR": "insole",
    "fsr_force_from_adc": "insole",
    "fsr_response": "insole",
    "insole_cop": "insole",
    "plantar_distribution": "insole",
    "plantar_weights": "insole",
    "total_load": "insole",
    "virtual_insole": "insole",
    "BOUT_COLUMNS": "rawdata",
    "BoutInfo": "rawdata",
    "ENVIRONMENTS": "rawdata",
    "FOOT_STRIKES": "rawdata",
    "FORMAT": "rawdata",
    "PARTICIPANT_COLUMNS": "rawdata",
    "Plate": "rawdata",
    "RawBout": "rawdata",
    "TABLES": "rawdata",
    "TRUTH_STANCE_COLUMNS": "rawdata",
    "TRUTH_TRIAL_COLUMNS": "rawdata",
    "VERSION": "rawdata",
    "bout_path": "rawdata",
    "iter_bout_paths": "rawdata",
    "read_bout": "rawdata",
    "read_bout_info": "rawdata",
    "read_bouts": "rawdata",
    "read_manifest": "rawdata",
    "read_participants": "rawdata",
    "read_truth": "rawdata",
    "required_channels": "rawdata",
    "validate_bout": "rawdata",
    "validate_time_base": "rawdata",
    "write_bout": "rawdata",
    "write_dataset_files": "rawdata",
    "N_POINTS": "stances",
    "SKIP_COLUMNS": "stances",
    "STANCE_META_COLUMNS": "stances",
    "StanceDataset": "stances",
}

__getattr__ = lazy_getattr(__name__, _LAZY)

__all__ = sorted(_LAZY)
