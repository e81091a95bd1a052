"""The study's preprocessing chain: raw recordings in, time-normalised stances out.

One module per step, in the order the chain runs them: resampling,
synchronisation of the insole clock, filtering, contact events, running
speed, segmentation into stances; :mod:`~grfkit.preprocess.chain` runs them
all (:func:`preprocess_raw`), and :mod:`~grfkit.preprocess.ground_truth`
scores them against what the simulator knows.
"""

from grfkit.lazy_imports import lazy_getattr

# Public name -> the module that defines it; imported on first use.
_LAZY = {
    "BoutResult": "chain",
    "PreprocessConfig": "chain",
    "PreprocessResult": "chain",
    "REASON_INSOLE_UNLOADED": "chain",
    "REASON_OTHER_FOOT": "chain",
    "SKIPPED_COLUMNS": "chain",
    "force_to_weight": "chain",
    "preprocess_bout": "chain",
    "preprocess_raw": "chain",
    "CONTACT_COLUMNS": "events",
    "INSOLE_WIDTH_TO_LENGTH": "events",
    "OUTLINE_HEEL_MARGIN_FRAC": "events",
    "OUTLINE_TOE_MARGIN_FRAC": "events",
    "PLATE_CONTACT_COLUMNS": "events",
    "REASON_FOOT_EDGE": "events",
    "classify_plate_contacts": "events",
    "detect_contacts": "events",
    "detect_insole_contacts": "events",
    "detect_load_contacts": "events",
    "foot_outline": "events",
    "load_levels": "events",
    "outline_margin_m": "events",
    "unloaded_level": "events",
    "butterworth_sos": "filtering",
    "corrected_cutoff_hz": "filtering",
    "lowpass_zero_lag": "filtering",
    "lowpass_zero_lag_at": "filtering",
    "zero_lag_response": "filtering",
    "contact_detection_summary": "ground_truth",
    "edge_accepts": "ground_truth",
    "match_plate_contacts": "ground_truth",
    "oracle_floor": "ground_truth",
    "stance_truth": "ground_truth",
    "sync_errors": "ground_truth",
    "check_uniform_sampling": "resampling",
    "rational_factor": "resampling",
    "resample_poly_array": "resampling",
    "resample_poly_at": "resampling",
    "resample_table": "resampling",
    "resampled_length": "resampling",
    "REASON_OUTSIDE_SIGNAL": "segmentation",
    "events_outside": "segmentation",
    "segment": "segmentation",
    "segment_rows": "segmentation",
    "segment_stances": "segmentation",
    "time_normalise": "segmentation",
    "PASS_GAP_S": "speed",
    "PASS_SPEED_COLUMNS": "speed",
    "REASON_MARKER_MISSING": "speed",
    "REASON_OUTSIDE_RECORDING": "speed",
    "REASON_PASS_SPEED_UNKNOWN": "speed",
    "REASON_SPEED_OFF_TARGET": "speed",
    "SPEED_TOLERANCE_FRACTION": "speed",
    "horizontal_speed": "speed",
    "pass_speed_check": "speed",
    "stance_speed": "speed",
    "ClockSync": "synchronisation",
    "contact_onsets": "synchronisation",
    "insole_to_lab_time": "synchronisation",
    "lab_to_insole_time": "synchronisation",
    "synchronise_clocks": "synchronisation",
}

__getattr__ = lazy_getattr(__name__, _LAZY)

__all__ = sorted(_LAZY)
