"""Force estimates from the wearables alone: for recordings without a force plate.

:mod:`~grfkit.field.events` finds initial contact and toe-off in the insole
load, checked by the shoe IMU; :mod:`~grfkit.field.speed` gives each stance
its speed; :mod:`~grfkit.field.chain` cuts the stances as the training chain
does, listing every contact it cannot use; :mod:`~grfkit.field.predict`
estimates them (``grfkit predict``), with an ensemble's band and
:mod:`~grfkit.field.steadiness`'s flag of changing speed.  Against the
simulator's truth: :mod:`~grfkit.field.session` simulates a field session,
:mod:`~grfkit.field.accuracy` scores events and speed,
:mod:`~grfkit.field.truth_curves` rebuilds any stance's true force, and
:mod:`~grfkit.field.segmentation_cost` measures what the events cost.
"""

from grfkit.lazy_imports import lazy_getattr

# Public name -> the module that defines it; imported on first use.
_LAZY = {
    "SUMMARY_COLUMNS": "accuracy",
    "EventAccuracy": "accuracy",
    "event_accuracy": "accuracy",
    "match_events": "accuracy",
    "META_COLUMNS": "chain",
    "SPEED_SOURCES": "chain",
    "FieldConfig": "chain",
    "wearable_stances": "chain",
    "EVENT_COLUMNS": "events",
    "PREDICTION_META_COLUMNS": "predict",
    "FieldPrediction": "predict",
    "curve_columns": "predict",
    "estimate_curves_bw": "predict",
    "predict_stances": "predict",
    "Estimator": "predict",
    "estimator_manifest": "predict",
    "load_estimator": "predict",
    "MAX_STRIDE_GAP_S": "steadiness",
    "STEADY_SPEED_CHANGE_PCT": "steadiness",
    "speed_changes": "steadiness",
    "WearableEventConfig": "events",
    "detect_wearable_stances": "events",
    "impact_jerk": "events",
    "ImuSpeedConfig": "speed",
    "imu_stance_speeds": "speed",
    "metadata_speed": "speed",
    "LEFT_OUT": "session",
    "FieldSession": "session",
    "simulated_field_session": "session",
    "SEGMENTATIONS": "segmentation_cost",
    "SegmentationCost": "segmentation_cost",
    "segmentation_cost": "segmentation_cost",
    "CLOCKS": "truth_curves",
    "TrueCurves": "truth_curves",
    "true_stance_curves": "truth_curves",
}

__getattr__ = lazy_getattr(__name__, _LAZY)

__all__ = sorted(_LAZY)
