"""Why a plate contact (or a whole bout) did not become a stance: the skip-reason vocabulary.

Every reason string that the preprocessing chain and the real-data readers
write into a ``skipped`` table is defined here, so that tables, tests and the
book's reason table use the same words.  A contact can fail several rules;
its reasons are then joined with ``"; "``.  :data:`STEP_OF_REASON` names the
chain step that applies each reason; :func:`primary_reasons` groups a skipped
table by it (the book's chapter 2).
"""

from __future__ import annotations

import pandas as pd

__all__ = [
    "STEP_OF_REASON",
    "primary_reasons",
    "REASON_BOTH_FEET",
    "REASON_COP_UNDEFINED",
    "REASON_NO_STRIDE",
    "REASON_SATURATED",
    "REASON_NO_IMPACT",
    "REASON_NO_IMU_FOOT",
    "REASON_NONFINITE_INPUT",
    "REASON_BOUT_SKIPPED",
    "REASON_CUT",
    "REASON_EDGE",
    "REASON_FOOT_EDGE",
    "REASON_INSOLE_UNLOADED",
    "REASON_LOAD",
    "REASON_MARKER_MISSING",
    "REASON_MISMATCH",
    "REASON_NO_COP",
    "REASON_NO_INSOLE",
    "REASON_NO_MARKER",
    "REASON_NO_MARKER_TABLE",
    "REASON_OTHER_FOOT",
    "REASON_OUTSIDE_RECORDING",
    "REASON_OUTSIDE_SIGNAL",
    "REASON_PASS_SPEED_UNKNOWN",
    "REASON_SPEED_OFF_TARGET",
    "REASON_STRADDLE",
]

# --- plate contacts (grfkit.preprocess.plate_contacts)
#: The force is above threshold at the first or last sample: IC or TO is unknown.
REASON_CUT: str = "cut at recording start/end"
#: Prefix of the reason of a contact during which another plate is loaded (``"straddle: plate2+plate3"``).
REASON_STRADDLE: str = "straddle"
#: The plate's centre of pressure comes within the edge margin of the plate's edge.
REASON_EDGE: str = "edge"
#: The centre-of-pressure channels are NaN throughout the contact.
REASON_NO_COP: str = "no centre of pressure"
#: The foot outline estimated from the COP path is not inside the plate.
REASON_FOOT_EDGE: str = "foot near plate edge"
#: No insole contact overlaps the plate contact.
REASON_NO_INSOLE: str = "no matching insole contact"
#: Plate and insole IC (or TO) disagree by more than the tolerance.
REASON_MISMATCH: str = "duration mismatch with insole contact"
#: The plate carries clearly less of the load than the insole feels.
REASON_LOAD: str = "load deficit against insole contact"

# --- the chain (grfkit.preprocess.chain)
#: Plate contacts of the foot the models do not use.
REASON_OTHER_FOOT: str = "other foot (the models use the left insole and left-shoe IMU)"
#: The insole reads nothing during the plate contact.
REASON_INSOLE_UNLOADED: str = "insole unloaded during the stance"
#: An overground bout without a waist marker table: no speed.
REASON_NO_MARKER_TABLE: str = "no waist marker table"
#: Prefix of the reason of every contact of a bout that failed as a whole (followed by the error).
REASON_BOUT_SKIPPED: str = "bout skipped"

# --- speed (grfkit.preprocess.speed)
#: The waist marker has a gap within the stance's speed window.
REASON_MARKER_MISSING: str = "waist marker missing over the speed window"
#: The stance's speed window reaches beyond the marker recording.
REASON_OUTSIDE_RECORDING: str = "speed window outside the marker recording"
#: The contact's pass was run off the bout's target speed.
REASON_SPEED_OFF_TARGET: str = "speed off target"
#: The pass's speed cannot be measured (followed by ``": "`` and the cause).
REASON_PASS_SPEED_UNKNOWN: str = "pass speed unknown"

# --- segmentation (grfkit.preprocess.segmentation)
#: The wearable signals do not cover the stance's events.
REASON_OUTSIDE_SIGNAL: str = "stance outside the signal's time range"

# --- real data sets (grfkit.real)
#: Hamner: the other foot's channel is loaded during the contact.
REASON_BOTH_FEET: str = "both feet loaded"
#: Virtual wearables: the trial lacks a foot marker, so there is no virtual IMU.
REASON_NO_MARKER: str = "foot marker missing: no virtual IMU"

# --- wearable-only stances (grfkit.field): no plate, events from the insoles
#: The shoe IMU shows no impact transient near the insole's initial contact.
REASON_NO_IMPACT: str = "no IMU impact at initial contact"
#: An FSR of the foot sits at its saturation count for too much of the stance.
REASON_SATURATED: str = "insole saturated during the stance"
#: No complete stride (still phase to still phase) of the IMU foot around the stance.
REASON_NO_STRIDE: str = "IMU speed unknown: no complete stride around the stance"
#: The insole's centre of pressure is undefined (no load) within the stance; it is not filled in.
REASON_COP_UNDEFINED: str = "insole centre of pressure undefined within the stance"
#: A contact of the foot without the shoe IMU: the models take one foot's insole and IMU.
REASON_NO_IMU_FOOT: str = "foot without the shoe IMU (the models use the IMU foot's insole and IMU)"
#: A model input of the stance (a signal or a static value such as speed) is NaN or infinite; not filled in.
REASON_NONFINITE_INPUT: str = "non-finite model input"


#: The preprocessing step (as numbered in the book's chapter 2) that applies each reason.
STEP_OF_REASON: dict[str, str] = {
    REASON_CUT: "4. plate contacts",
    REASON_STRADDLE: "4. plate contacts",
    REASON_EDGE: "4. plate contacts",
    REASON_NO_COP: "4. plate contacts",
    REASON_FOOT_EDGE: "4. plate contacts",
    REASON_NO_INSOLE: "4. plate contacts",
    REASON_MISMATCH: "4. plate contacts",
    REASON_LOAD: "4. plate contacts",
    REASON_OTHER_FOOT: "4. plate contacts",
    REASON_BOTH_FEET: "4. plate contacts",
    REASON_NO_MARKER_TABLE: "5. speed",
    REASON_MARKER_MISSING: "5. speed",
    REASON_OUTSIDE_RECORDING: "5. speed",
    REASON_SPEED_OFF_TARGET: "5. speed",
    REASON_PASS_SPEED_UNKNOWN: "5. speed",
    REASON_INSOLE_UNLOADED: "6. segmentation",
    REASON_OUTSIDE_SIGNAL: "6. segmentation",
    REASON_NO_MARKER: "6. segmentation",
    REASON_BOUT_SKIPPED: "the whole bout",
    REASON_NO_IMPACT: "field: wearable events",
    REASON_SATURATED: "field: wearable events",
    REASON_NO_STRIDE: "field: IMU speed",
    REASON_COP_UNDEFINED: "field: segmentation",
    REASON_NO_IMU_FOOT: "field: wearable events",
    REASON_NONFINITE_INPUT: "field: estimation",
}


def _vocabulary_reason(first: str) -> str:
    """The vocabulary reason that ``first`` is, or starts with (followed by ``":"``)."""
    for reason in sorted(STEP_OF_REASON, key=len, reverse=True):
        if first == reason or first.startswith(f"{reason}:"):
            return reason
    raise ValueError(f"skip reason {first!r} is not in grfkit.preprocess.skip_reasons")


def primary_reasons(skipped: pd.DataFrame) -> pd.DataFrame:
    """The first reason of each skipped contact, and the step that applied it.

    Parameters
    ----------
    skipped
        A ``skipped`` table with a ``reason`` column (several reasons of one
        contact joined with ``"; "``).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``skipped``: ``step`` (from :data:`STEP_OF_REASON`) and
        ``first reason`` (the vocabulary reason of the contact's first reason,
        without its remark in parentheses or its detail after ``":"``).

    Raises
    ------
    ValueError
        If a first reason is not in the vocabulary of this module.
    """
    first = [_vocabulary_reason(r.split("; ")[0]) for r in skipped["reason"]]
    steps = [STEP_OF_REASON[r] for r in first]
    without_remarks = [r.split(" (")[0] for r in first]
    return pd.DataFrame({"step": steps, "first reason": without_remarks}, index=skipped.index)
