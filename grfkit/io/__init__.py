"""The raw data format and the stance data set: what goes into and comes out of preprocessing.

:mod:`~grfkit.io.channels` names every column and :mod:`~grfkit.io.insole` is
the 16-sensor insole's geometry.  The raw format (one folder per bout) is
:mod:`~grfkit.io.schema` (layout, columns, :class:`BoutInfo`),
:mod:`~grfkit.io.read` (:func:`read_bout`, ...), :mod:`~grfkit.io.write`
(:func:`write_bout`, ...) and :mod:`~grfkit.io.validate` (:func:`validate_bout`,
with :mod:`~grfkit.io.metadata` and :mod:`~grfkit.io.sensor_faults`);
:mod:`~grfkit.io.table_files` reads and writes one table file.
:mod:`~grfkit.io.stances` holds the time-normalised stances that the models learn from.
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
    "BOUT_COLUMNS": "schema",
    "BoutArrays": "schema",
    "BoutInfo": "schema",
    "ENVIRONMENTS": "schema",
    "FILE_FORMATS": "schema",
    "FOOT_STRIKES": "schema",
    "FORMAT": "schema",
    "ID_COLUMNS": "schema",
    "STANCE_KEY_COLUMNS": "schema",
    "PARTICIPANT_COLUMNS": "schema",
    "Plate": "schema",
    "RawBout": "schema",
    "TABLES": "schema",
    "TRUTH_STANCE_COLUMNS": "schema",
    "TRUTH_TRIAL_COLUMNS": "schema",
    "VERSION": "schema",
    "bout_path": "schema",
    "required_channels": "schema",
    "bout_arrays": "read",
    "iter_bout_paths": "read",
    "read_bout": "read",
    "read_bout_arrays": "read",
    "read_bout_info": "read",
    "read_bouts": "read",
    "read_manifest": "read",
    "read_participants": "read",
    "read_truth": "read",
    "write_bout": "write",
    "write_dataset_files": "write",
    "ValidationLimits": "validate",
    "validate_bout": "validate",
    "validate_time_base": "validate",
    "N_POINTS": "stances",
    "SKIP_COLUMNS": "stances",
    "STANCE_META_COLUMNS": "stances",
    "StanceDataset": "stances",
}

__getattr__ = lazy_getattr(__name__, _LAZY)

__all__ = sorted(_LAZY)
