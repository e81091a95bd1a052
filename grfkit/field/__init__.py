"""Stances from the wearables alone: for recordings without a force plate.

:mod:`~grfkit.field.events` finds initial contact and toe-off in the insole
load, checked by the shoe IMU; :mod:`~grfkit.field.speed` gives each stance
its speed (metadata, else the IMU); :mod:`~grfkit.field.chain` cuts them as
the training chain does (:func:`grfkit.field.chain.wearable_stances`),
listing every stance it cannot estimate with the reason.  Against the
simulator's truth: :mod:`~grfkit.field.session` simulates a field session,
:mod:`~grfkit.field.accuracy` scores events and speed,
:mod:`~grfkit.field.truth_curves` rebuilds any stance's true force, and
:mod:`~grfkit.field.segmentation_cost` measures what the wearables' events
cost the estimate.
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
