"""Stances from the wearables alone: for recordings without a force plate.

:mod:`~grfkit.field.events` finds initial contact and toe-off in the insole
load and checks them against the shoe IMU; :mod:`~grfkit.field.speed` gives
each stance its running speed (the recording's metadata, else the IMU);
:mod:`~grfkit.field.chain` cuts and time-normalises the insole and IMU
channels exactly as the training chain does
(:func:`grfkit.field.chain.wearable_stances`), and lists every stance it
cannot estimate with the reason; :mod:`~grfkit.field.accuracy` scores events
and speed against the truth the simulator keeps
(:func:`grfkit.field.accuracy.event_accuracy`), and
:mod:`~grfkit.field.truth_curves` rebuilds the true force of any stance
(:func:`grfkit.field.truth_curves.true_stance_curves`), with which
:mod:`~grfkit.field.segmentation_cost` measures what the wearables' events
cost the estimate (:func:`grfkit.field.segmentation_cost.segmentation_cost`).
"""

from grfkit.lazy_imports import lazy_getattr

# Public name -> the module that defines it; imported on first use.
_LAZY = {
    "SUMMARY_COLUMNS": "accuracy",
    "EventAccuracy": "accuracy",
    "event_accuracy": "accuracy",
    "match_events": "accuracy",
    "SPEED_SOURCES": "chain",
    "FieldConfig": "chain",
    "wearable_stances": "chain",
    "EVENT_COLUMNS": "events",
    "WearableEventConfig": "events",
    "detect_wearable_stances": "events",
    "impact_jerk": "events",
    "ImuSpeedConfig": "speed",
    "imu_stance_speeds": "speed",
    "metadata_speed": "speed",
    "SEGMENTATIONS": "segmentation_cost",
    "SegmentationCost": "segmentation_cost",
    "segmentation_cost": "segmentation_cost",
    "CLOCKS": "truth_curves",
    "TrueCurves": "truth_curves",
    "true_stance_curves": "truth_curves",
}

__getattr__ = lazy_getattr(__name__, _LAZY)

__all__ = sorted(_LAZY)
