"""Real running recordings: the public data sets, their readers, and the simulator's validation.

The data flow: :mod:`~grfkit.real.registry` and :mod:`~grfkit.real.data_folder`
(which data sets, where, checksums, download) -> :mod:`~grfkit.real.readers`
(file formats) -> :mod:`~grfkit.real.hamner`, :mod:`~grfkit.real.dorn` and
:mod:`~grfkit.real.alcantara` (stances of each data set, through the shared
steps of :mod:`~grfkit.real.chain`) -> :mod:`~grfkit.real.wearables` (virtual
shoe IMU and insole from markers and force) -> :mod:`~grfkit.real.transfer`
(models on real stances).  :mod:`~grfkit.real.validation` compares the
simulator with held-out real runners (:mod:`~grfkit.real.calibration`,
:mod:`~grfkit.real.stance_features`, :mod:`~grfkit.real.simulated_stances`,
:mod:`~grfkit.real.baseline_comparison`, :mod:`~grfkit.real.speed_variability`).
"""

from grfkit.lazy_imports import lazy_getattr

# Public name -> the module that defines it; imported on first use.
_LAZY = {
    "Citation": "registry",
    "DataFile": "registry",
    "DatasetInfo": "registry",
    "DATASETS": "registry",
    "dataset_names": "registry",
    "dataset_info": "registry",
    "DATA_DIR_ENV": "data_folder",
    "OFFLINE_ENV": "data_folder",
    "data_dir": "data_folder",
    "dataset_table": "data_folder",
    "fetch": "data_folder",
    "fetch_datasets": "data_folder",
    "verify_file": "data_folder",
    "RealData": "availability",
    "locate_real_data": "availability",
    "GRF_CHANNELS": "chain",
    "stance_events": "chain",
    "force_stance_curves": "chain",
    "force_stance_dataset": "chain",
    "concat_trial_stances": "chain",
    "stance_counts": "chain",
    "skip_reasons": "chain",
    "HamnerTrial": "hamner",
    "read_hamner_trial": "hamner",
    "hamner_body_masses": "hamner",
    "hamner_stances": "hamner",
    "DornTrial": "dorn",
    "read_dorn_trial": "dorn",
    "plate_contacts": "dorn",
    "assign_feet": "dorn",
    "dorn_stances": "dorn",
    "flight_offset_bw": "alcantara",
    "alcantara_stances": "alcantara",
    "condition_folds": "alcantara",
    "CALIBRATION": "calibration",
    "VALIDATION": "calibration",
    "PARTS": "calibration",
    "real_data_part": "calibration",
    "select_part": "calibration",
    "describe_part": "calibration",
    "FEATURES": "stance_features",
    "stance_features": "stance_features",
    "curve_summary": "stance_features",
    "SIMULATOR_SPEED_RANGE_MPS": "simulated_stances",
    "simulate_treadmill_stances": "simulated_stances",
    "simulate_overground_stances": "simulated_stances",
    "Comparison": "validation",
    "ValidationResult": "validation",
    "validation_table": "validation",
    "validate_simulator": "validation",
    "peak_difference_text": "wording",
    "range_text": "wording",
    "format_validation_table": "validation",
    "runner_spread": "validation",
    "static_baseline_loso": "baseline_comparison",
    "summarise_baseline_loso": "baseline_comparison",
    "matched_to_hamner": "baseline_comparison",
    "baseline_sim_vs_real": "baseline_comparison",
    "step_speeds": "speed_variability",
    "summarise_speed_variability": "speed_variability",
    "hamner_step_speeds": "speed_variability",
    "dorn_step_speeds": "speed_variability",
    "foot_frames": "virtual_sensors",
    "virtual_shoe_imu": "virtual_sensors",
    "virtual_insole_signals": "virtual_sensors",
    "virtual_wearable_inputs": "wearables",
    "hamner_wearable_stances": "wearables",
    "dorn_wearable_stances": "wearables",
}

__getattr__ = lazy_getattr(__name__, _LAZY)

__all__ = sorted(_LAZY)
