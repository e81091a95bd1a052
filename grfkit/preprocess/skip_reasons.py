"""Why a plate contact (or a whole bout) did not become a stance: the skip-reason vocabulary.

Every reason string that the preprocessing chain and the real-data readers
write into a ``skipped`` table is defined here, so that tables, tests and the
book's reason table use the same words.  A contact can fail several rules;
its reasons are then joined with ``"; "``.  The book's chapter 2 groups them
by the step that applies them.
"""

from __future__ import annotations

__all__ = [
    "REASON_BOTH_FEET",
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
