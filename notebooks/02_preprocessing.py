# ---
# jupyter:
#   kernelspec:
#     display_name: Python (grfkit)
#     language: python
#     name: grfkit
# ---

# %% [markdown]
# # 2. Preprocessing: from raw recordings to stances
#
# The study's methods, one step at a time {cite:p}`carter_transfer_abstract`:
#
# 1. resample the IMU from 1125 Hz to the insoles' 1000 Hz;
# 2. synchronise the insole clock with the lab clock by aligning pressure and force;
# 3. low-pass filter the force at 20 Hz (zero lag);
# 4. find initial contact (IC) and toe-off (TO) with a 20 N threshold, and keep only clean
#    left-foot contacts on one plate;
# 5. take the running speed from the waist marker;
# 6. cut every signal at IC and TO and time-normalise it to 101 points.
#
# Each step is one function in `grfkit` (see `grfkit.preprocess.chain` for the chain). Because the
# cohort is simulated, every step can be **scored against the truth** — something a real
# lab cannot do.

# %% tags=["parameters"]
scale = "book"
seed = 0

# %%
import numpy as np

from grfkit.io.read import read_bout, read_participants, read_truth
from grfkit.plots.signals import (
    event_error_figure,
    filter_response_figure,
    stance_curves_figure,
    sync_figure,
)
from grfkit.preprocess.events import detect_contacts
from grfkit.preprocess.ground_truth import (
    contact_detection_summary,
    match_plate_contacts,
    stance_truth,
    sync_errors,
)
from grfkit.preprocess.resampling import resample_table
from grfkit.preprocess.synchronisation import ClockSync
from grfkit.storage.cohort_cache import prepare_cohort

cohort = prepare_cohort(scale, seed)
result = cohort.result
true_trials, true_contacts = read_truth(cohort.raw_dir)
participants = read_participants(cohort.raw_dir).set_index("participant")
print(result.summary())

# %% [markdown]
# The rest of this chapter opens one overground bout to show each step, then scores the whole
# cohort.

# %%
example = result.bouts.query("dataset == 'overground' and status == 'ok'").iloc[0]
bout = read_bout(cohort.raw_dir / example["dataset"] / example["participant"] / example["bout"])
truth = true_trials.set_index(["dataset", "participant", "bout"]).loc[
    (example["dataset"], example["participant"], example["bout"])
]
example[["dataset", "participant", "bout"]].to_dict()

# %% [markdown]
# ## 1. IMU resampling, 1125 → 1000 Hz
#
# 1000/1125 = 8/9 exactly, so a **polyphase** resampler (`scipy.signal.resample_poly`, wrapped by
# `grfkit.preprocess.resampling`) upsamples by 8, low-pass filters below the new Nyquist frequency (500 Hz)
# and keeps every 9th sample — no interpolation error and no aliasing of the impact transient.
# The IMU stays on the insole clock.

# %%
imu_1000 = resample_table(bout.imu, bout.info.imu_rate_hz, 1000.0, name="imu")
print(f"{len(bout.imu)} samples at 1125 Hz -> {len(imu_1000)} samples at 1000 Hz")

# %% [markdown]
# ## 2. Clock synchronisation
#
# The insole clock runs on its own: $t_\mathrm{lab} = \mathrm{offset} + t_\mathrm{insole}(1 +
# \mathrm{drift})$. grfkit aligns the **onsets of contacts** seen by the insoles (load leaving its
# unloaded level) with those seen by the plates (20 N), first globally by cross-correlation, then
# by a robust line through the paired onsets, which gives offset and drift. Running is nearly
# periodic, so shifting by one step also lines contacts up with contacts; the step-to-step
# variability of real running breaks the tie, and grfkit refuses to guess (a `SyncError`) when the
# best peak is not clearly higher than the runner-up (`peak_ratio`). See
# `grfkit.preprocess.synchronisation` for the details.
#
# Grey: the insole load placed as if the clocks agreed. Green: placed by the estimated clock
# model. Orange dotted: the generator's true clock.

# %%
estimate = ClockSync(example["sync_offset_s"], example["sync_drift_ppm"], example["sync_peak_ratio"],
                     example["sync_residual_s"], 0)
true_sync = ClockSync(truth["clock_offset_s"], truth["clock_drift_ppm"], np.inf, 0.0, 0)
first_stance = result.stances.meta.query(
    "participant == @example.participant and bout == @example.bout"
)["ic_s"].min()
sync_figure(bout, estimate, start_lab_s=first_stance - 1.5, duration_s=3.5, true_sync=true_sync)

# %% [markdown]
# Over the whole cohort, the **mapping error** is the largest error of the estimated clock model
# over a recording (offset and drift errors together).

# %%
sync = sync_errors(result.bouts, true_trials)
sync.groupby("dataset")[["offset_error_ms", "drift_error_ppm", "mapping_error_ms"]].describe().round(2).T

# %% [markdown]
# ## 3. Force filtering: 20 Hz, zero lag
#
# A Butterworth filter run forward and backward has no phase lag, but the two passes
# attenuate twice: designed at 20 Hz, the combined filter is already at −6 dB there and its
# −3 dB point falls lower. The design cutoff is therefore raised by the two-pass correction
# $f_\mathrm{design} = f_c / C$, $C = (2^{1/n_\mathrm{passes}} - 1)^{1/(2N)}$ for a filter of order
# $N$ {cite:p}`winter2009,robertson2003`, so that the whole filter is −3 dB at 20 Hz.

# %%
filter_response_figure(cutoff_hz=20.0, sampling_rate_hz=1000.0, order=2)

# %% [markdown]
# ## 4. Events and clean contacts
#
# **Filter before thresholding?** The 20 Hz filter is for the force *curves*. A zero-lag filter
# spreads the sharp rise at touch-down in both directions, so the filtered force crosses 20 N
# *before* the foot lands. On the example bout, detection on the filtered force moves the events
# by several milliseconds compared with the raw force (plate noise is a few newtons, far below
# 20 N), so grfkit detects on the raw force:

# %%
plate = result.stances.meta.query("participant == @example.participant and bout == @example.bout")["plate"].iloc[0]
fz = bout.force[f"{plate}_fz_n"].to_numpy()
raw_events = detect_contacts(fz, 1000.0, time_s=bout.force["time_s"].to_numpy())
filtered_events = detect_contacts(fz, 1000.0, time_s=bout.force["time_s"].to_numpy(), detection_cutoff_hz=20.0)
shift_ms = (filtered_events[["ic_s", "to_s"]].to_numpy() - raw_events[["ic_s", "to_s"]].to_numpy()) * 1e3
print(f"{plate}: filtered minus raw, IC {shift_ms[:, 0].mean():+.1f} ms, TO {shift_ms[:, 1].mean():+.1f} ms")

# %% [markdown]
# **Clean contacts.** A stance is kept when it is a complete contact of the **left** foot (the
# foot with the IMU) on **one** plate: no other plate loaded at the same time (straddle), the
# centre of pressure away from the plate's edge, and IC and TO agreeing with the insole's contact
# (a foot partly off the plate loads it late or leaves it early). Every contact that is not kept
# is listed with its reason — nothing is dropped silently:

# %%
result.stances.skipped["reason"].value_counts().to_frame("plate contacts")

# %% [markdown]
# Scored against the truth: the share of truly clean left-foot contacts that became stances,
# the stances whose contact was in truth *not* clean (false accepts: typically a small part of
# the footprint off a plate edge, which neither the plate nor the insole can see), and the
# timing error of IC and TO against the true 20 N crossings.

# %%
matched = match_plate_contacts(result.contacts, true_contacts)
contact_detection_summary(matched).round(2)

# %%
event_error_figure(matched)

# %% [markdown]
# On the treadmill the detected IC comes a few milliseconds **late**: the treadmill's frame rings
# and its response to the impact lags the force under the foot — a measurement difference
# between the two data sets, not a detection error that more care could remove.
#
# ## 5. Speed
#
# Overground, speed is the mean horizontal speed of the waist marker over a window centred on
# the stance (`grfkit.preprocess.speed.stance_speed`); on the treadmill it is the belt speed. Against the
# generator's true running speed at each stance:

# %%
paired = stance_truth(result.stances.meta, true_contacts)
paired = paired.assign(speed_error_mps=paired["speed_mps"] - paired["true_speed_mps"])
paired.groupby("dataset")["speed_error_mps"].describe().round(3)

# %% [markdown]
# ## 6. Segmentation and time normalisation
#
# Every signal is cut between IC and TO and resampled to 101 points (0 %, 1 %, ..., 100 % of
# stance) by interpolating at the event times themselves, not at the nearest samples. Insole and
# IMU are cut at the event times mapped back to the insole clock. The vertical and
# anteroposterior GRF, in body weights, mean ± SD per data set:

# %%
stance_curves_figure(result.stances, "vgrf_n")

# %%
stance_curves_figure(result.stances, "apgrf_n")

# %% [markdown]
# ... and two of the model's inputs: an FSR under the heel and the shoe's vertical acceleration.

# %%
stance_curves_figure(result.stances, "left_fsr02_adc")

# %%
stance_curves_figure(result.stances, "acc_z_mps2")

# %% [markdown]
# ## The stance data set
#
# The output of the chain is a `grfkit.io.stances.StanceDataset`: one metadata row per stance and
# arrays of inputs (101 × 24 channels: 16 FSR, insole centre of pressure, 3 + 3 IMU) and targets
# (101 × 2: vertical and anteroposterior GRF in newtons). It saves to a folder and loads back;
# from the shell the same chain is
#
# ```bash
# grfkit simulate --scale book --seed 0 --out raw/
# grfkit preprocess raw/ --out stances/
# ```

# %%
result.stances.meta.groupby("dataset").agg(
    stances=("participant", "size"),
    participants=("participant", "nunique"),
    speed_mps=("speed_mps", "mean"),
    contact_time_s=("contact_time_s", "mean"),
).round(3)
