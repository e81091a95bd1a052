"""The study's constants, each defined once: gravity, the contact threshold, the cut-off and the stance length.

Every module that needs one imports it from here, so that a reader who wants
to try, say, a 50 N contact threshold finds the one place that sets its
default (the functions that use it also take it as an argument).
"""

__all__ = ["CONTACT_THRESHOLD_N", "FORCE_CUTOFF_HZ", "GRAVITY_MPS2", "N_POINTS"]

#: Gravitational acceleration (m/s²) that turns body mass into body weight (BW), as the study's code.
GRAVITY_MPS2: float = 9.81
#: Vertical-force threshold (N) of initial contact and toe-off: the study's 20 N.
CONTACT_THRESHOLD_N: float = 20.0
#: Low-pass cut-off (Hz) of the force (and insole and IMU) signals: the study's 20 Hz.
FORCE_CUTOFF_HZ: float = 20.0
#: Samples per time-normalised stance, 0 % to 100 % of stance in 1 % steps.
N_POINTS: int = 101
