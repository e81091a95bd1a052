# ---
# jupyter:
#   kernelspec:
#     display_name: Python (grfkit)
#     language: python
#     name: grfkit
# ---

# %% [markdown]
# # Real running data
#
# The study's own recordings are private, so the chapters so far ran on a simulated cohort.
# This chapter brings three openly licensed data sets of **real** running into the same code:
#
# | data set | what | used here for |
# |---|---|---|
# | Hamner & Delp {cite:p}`hamner2013`, re-published by Fox {cite:p}`fox2024` | 10 runners on an instrumented treadmill at 2, 3, 4 and 5 m/s: per-foot 3-D force and centre of pressure (960-2000 Hz), 41-45 markers (100-120 Hz) | the treadmill data set: every stance of both feet |
# | Dorn et al. {cite:p}`dorn2012` | 1 runner crossing 8 force plates: a 3.5 m/s jog and a 9 m/s sprint (plates 1500 Hz, markers 250 Hz) | the overground data set: every *clean* plate contact |
# | Alcantara et al. {cite:p}`alcantara2022` | 1 runner, 31 treadmill trials at 2.5-4.2 m/s on slopes of -10° to +10°: a sacral accelerometer and the normal force (500 Hz) | a model on a **real wearable** |
#
# We use them in four steps:
#
# 1. run the study's preprocessing chain on real force data (20 Hz zero-lag low-pass, 20 N
#    initial contact and toe-off, 101-point time normalisation) and count what it keeps and
#    rejects;
# 2. **validate the simulator**: compare simulated and real stances at matched speeds;
# 3. a **treadmill → overground** demonstration: a model trained on Hamner's treadmill
#    runners estimates Dorn's overground jog (3.5 m/s, inside the 2-5 m/s training range) and
#    sprint (9 m/s, far outside it);
# 4. the study's network on a **real wearable**: sacral accelerometer → vertical force.
#
# :::{important}
# **What is real and what is derived.** The forces, centres of pressure and marker
# trajectories are measured. Hamner and Dorn have **no wearables**: the shoe IMU and the
# pressure insole of steps 3 are *virtual* — computed from the foot markers and from the
# measured force and centre of pressure through the simulator's own insole model. A model
# trained on them shows how the method transfers between real *force* recordings; it says
# nothing about the noise, drift and fit of real insoles and IMUs. Only the Alcantara
# accelerometer (step 4) is a real wearable signal.
# :::
#
# `scale = "ci"` trains tiny models for a quick check; `"book"` is what this page shows;
# `"paper"` trains longer.

# %% tags=["parameters"]
scale = "book"
seed = 0

# %%
import pandas as pd

from grfkit.datasets import DataUnavailableError, fetch
from grfkit.real.alcantara import alcantara_stances, condition_split_evaluation, summarise_by_trial
from grfkit.real.chain import skip_reasons, stance_counts
from grfkit.real.dorn import dorn_stances
from grfkit.real.figures import (
    condition_rrmse_figure,
    estimates_figure,
    input_curves_figure,
    mean_curves_figure,
    participant_rrmse_figure,
    stance_count_figure,
    validation_curves_figure,
)
from grfkit.real.hamner import hamner_stances
from grfkit.real.scales import get_real_scale
from grfkit.real.transfer import leave_one_subject_out, summarise_transfer, train_and_test
from grfkit.real.wearables import dorn_wearable_stances, hamner_wearable_stances
from grfkit.validation import format_validation_table, validate_simulator

config = get_real_scale(scale)
try:
    folders = {name: fetch(name, download=False) for name in ("hamner2013", "dorn2012", "alcantara2022")}
    have_data = True
except DataUnavailableError as missing:
    folders, have_data = {}, False
    print(f"The real data sets are not available, so this chapter is skipped: {missing}")
config

# %% [markdown]
# ## 1. The preprocessing chain on real forces
#
# The same functions as for the simulated data (`grfkit.events`, `grfkit.filtering`,
# `grfkit.segmentation`), applied per recording at its own sampling rate: the 20 Hz filter is
# designed for each rate, and time normalisation interpolates on each recording's own time
# axis, so nothing needs resampling first.
#
# * **Hamner**: every contact of both feet. A contact is rejected when the trial starts or
#   ends inside it, or when the *other* foot's channel carries more than 20 N for over 30 ms
#   of it. The two channels come from the treadmill's two force-measuring halves; a foot
#   landing across both (a cross-over step) is measured by neither alone.
# * **Dorn**: every contact on each of the 8 plates, rejected when it straddles two plates
#   (another plate above 20 N during the contact or within 10 ms of its IC/TO), lies too close
#   to a plate edge, or is cut by the trial's ends. The foot is the one whose markers (heel,
#   toe, 1st and 5th metatarsal heads) lie closest to the centre of pressure, verified by
#   distance and by alternation of the feet.
# * **Alcantara**: the force's flight phases sit at a small, trial-specific offset with noise
#   of up to 0.08 BW before filtering, so a 20 N (0.027 BW) threshold would fall inside the
#   noise. After the 20 Hz filter each trial's flight offset is removed and contacts are the
#   0.05 BW crossings (38 N: more than five flight-noise SD above the baseline).

# %%
if have_data:
    hamner = hamner_stances(folders["hamner2013"])
    dorn = dorn_stances(folders["dorn2012"])
    alcantara = alcantara_stances(folders["alcantara2022"])
    counts = pd.concat([stance_counts(d, by=("dataset", "bout")) for d in (hamner, dorn, alcantara)], ignore_index=True)
    summary = counts.groupby("dataset", sort=False)[["accepted", "rejected", "total"]].sum()
    summary["accepted_share"] = (summary["accepted"] / summary["total"]).round(3)
else:
    summary = None
summary

# %%
fig = stance_count_figure(counts) if have_data else None
fig

# %% [markdown]
# Why stances were rejected:

# %%
skip_reasons([hamner, dorn, alcantara]) if have_data else None

# %% [markdown]
# Dorn's jog crosses plates 1, 2, 4, 5 and 7; at the end of the right foot's contact on
# plate 2 its toes touch plate 3 (about 25 N for 2 ms just after plate 2's 20 N toe-off), so
# that contact is rejected as a straddle. The sprint's four contacts (plates 2, 4, 7, 8) are
# clean. The mean curves of every condition:

# %%
if have_data:
    groups = {f"Hamner {v:g} m/s": hamner.subset((hamner.meta["speed_mps"] == v).to_numpy()) for v in (2.0, 3.0, 4.0, 5.0)}
    groups |= {f"Dorn {b}": dorn.subset((dorn.meta["bout"] == b).to_numpy()) for b in ("jog", "sprint")}
    fig = mean_curves_figure(groups, title="Real stances: mean ± SD per condition")
else:
    fig = None
fig

# %% [markdown]
# Faster running brings shorter, higher vertical peaks and larger braking and propulsive
# forces; the sprint's propulsive peak is twice the jog's. The Hamner forces are very smooth:
# the published files carry almost no power above 30 Hz, so they were low-pass filtered before
# release, and impact peaks and loading rates cannot be compared with other data sets.
#
# ## 2. Does the simulator run like real runners?
#
# The simulator's treadmill bouts at Hamner's four belt speeds (level) and its overground
# bouts at 3.5 m/s go through the **same chain**, and six stance features are compared:
# peak vertical force, peak braking and propulsive force (BW), contact time, and braking and
# propulsive impulse (BW·s). `z` is the difference of the means in units of the reference
# spread: the real SD for Hamner (ten runners), the simulated cohort's SD for Dorn (a single
# runner's stance-to-stance SD is no population spread, so the question there is whether the
# real runner is a plausible member of the simulated population). The sprint is listed
# without simulation: 9 m/s is far outside the 2.5-6 m/s the simulator's gait relations are
# written for, and extrapolating them would be guesswork. 2 m/s is also below that range.

# %%
if have_data:
    validation = validate_simulator(
        hamner,
        dorn,
        n_participants=config.validation_participants,
        treadmill_duration_s=config.treadmill_duration_s,
        overground_duration_s=config.overground_duration_s,
        seed=seed,
    )
    table = format_validation_table(validation.table)
else:
    table = None
table

# %%
fig = validation_curves_figure(validation.curves) if have_data else None
fig

# %% [markdown]
# This comparison changed the simulator. Its first version fell outside the real spread in
# three ways, each traced to a physical cause and fixed in `grfkit.simulate` (never tuned to
# the study's errors):
#
# 1. **The treadmill runner's speed jittered.** The runner's drift along the belt was an
#    Ornstein-Uhlenbeck path, which is not differentiable: its finite differences gave speed
#    jumps of about 0.35 m/s every 10 ms, and each step's momentum balance turned them into
#    braking and propulsive impulses spread four times wider than Hamner's. The drift path is
#    now smoothed (0.5 s), as a runner holding position on a belt moves.
# 2. **A belt-friction artefact.** A backward force of 2 % of the normal load made the
#    simulated braking impulse exceed the propulsive one by about 0.008 BW·s; on Hamner's
#    treadmill the two agree within 0.001 BW·s at every speed. The term is now off by default.
# 3. **Braking was too strong.** The braking peak rose as 0.10 + 0.07·v BW, putting the
#    simulated braking peak 2-4 SD and the braking impulse 4-5 SD above Hamner's. It is now
#    0.05 + 0.06·v BW, which keeps Dorn's single runner within 2 SD of the simulated
#    overground runners as well.
#
# `tests/test_validation.py` keeps the simulator inside Hamner's spread at 3 and 4 m/s (with
# the real data) and inside physical ranges (always). What remains visible in the curves: the
# simulated impact rises faster than Hamner's pre-filtered forces, and the simulated braking
# lobe peaks earlier in stance (about 20 % instead of 30 %).
#
# ## 3. Treadmill → overground with virtual wearables
#
# For every left-foot stance the study's 24 input channels are derived from the recordings:
# a shoe IMU from the heel, toe and 5th-metatarsal markers (foot frame → orientation →
# angular velocity; a point on the lateral shoe differentiated twice → acceleration including
# gravity; computed at the marker rate and resampled to 1000 Hz) and a 16-sensor insole from
# the measured vertical force and centre of pressure, placed on the foot frame, through the
# simulator's plantar-load and FSR model. Static inputs: contact time, body mass, speed,
# gradient and the insole length placed from the markers. Subject04's 5 m/s trial lacks the
# left 5th-metatarsal marker and has no virtual IMU.

# %%
if have_data:
    hamner_wear = hamner_wearable_stances(folders["hamner2013"], hamner, seed=seed)
    dorn_wear = dorn_wearable_stances(folders["dorn2012"], dorn, seed=seed)
    fig = input_curves_figure({"Hamner (treadmill)": hamner_wear, "Dorn (overground)": dorn_wear})
else:
    fig = None
fig

# %% [markdown]
# The virtual insole depends on where the markers say the foot is. On Hamner the measured
# centre of pressure runs ahead of where the markers put the toes late in stance (for one
# runner throughout the stance); those samples are clipped onto the insole. The share of
# clipped samples per runner:

# %%
hamner_wear.meta.groupby("participant")["cop_clipped_share"].mean().round(2).to_frame() if have_data else None

# %% [markdown]
# **Treadmill error (leave one subject out).** For each Hamner runner, one network per target
# is trained on the other runners' stances and estimates this runner's. rRMSE is the RMSE over
# the range of the measured curve, averaged per runner, then across runners (mean and range).

# %%
if have_data:
    held_out = hamner_wear.participants[: config.loso_participants]
    loso = leave_one_subject_out(hamner_wear, preset=config.preset(), participants=held_out, seed=seed)
    loso_summary = summarise_transfer(loso).round(3)
else:
    loso_summary = None
loso_summary

# %%
fig = participant_rrmse_figure(loso, title="Hamner treadmill, leave one subject out") if have_data else None
fig

# %%
fig = estimates_figure(loso, "vgrf", title="Hamner: measured vs estimated vertical force (held-out runners)") if have_data else None
fig

# %% [markdown]
# **Overground.** A network trained on *all* Hamner runners estimates Dorn's clean left-foot
# stances: the jog at 3.5 m/s lies inside the 2-5 m/s treadmill range, the sprint at 9 m/s far
# outside it, with contact times (0.12 s) and propulsive peaks (0.75 BW) no treadmill stance
# showed the network.

# %%
if have_data:
    overground = train_and_test(hamner_wear, dorn_wear, preset=config.preset(), seed=seed)
    overground_summary = summarise_transfer(overground, by=("target", "bout")).round(3)
else:
    overground_summary = None
overground_summary

# %%
fig = estimates_figure(overground, "vgrf", title="Dorn overground: vertical force") if have_data else None
fig

# %%
fig = estimates_figure(overground, "apgrf", title="Dorn overground: anteroposterior force") if have_data else None
fig

# %% [markdown]
# With one runner and five stances these are illustrations, not estimates of an error rate.
# The pattern to look for: the jog's curves follow the measured ones about as closely as the
# treadmill runners' did, while the sprint's errors are larger — above all the propulsive
# force, beyond anything in the training data. A network interpolates within what it has
# seen; the study's transfer learning fine-tunes on overground stances for this reason.
#
# ## 4. A real wearable: sacral accelerometer → vertical force
#
# The study's network (BiLSTM) gets the vertical and anteroposterior sacral acceleration of a
# stance (101 points) plus speed and slope, and estimates that stance's vertical force. Trials
# are grouped by condition (speed × slope; the 3.33 m/s conditions were repeated in 4-5
# trials) and whole conditions are dealt into folds, so no trial — and no condition — is ever
# both trained on and tested.

# %%
if have_data:
    accelerometer = condition_split_evaluation(alcantara, n_folds=config.alcantara_folds, preset=config.preset(), seed=seed)
    accelerometer_summary = summarise_by_trial(accelerometer).round(2)
else:
    accelerometer_summary = None
accelerometer_summary

# %%
fig = condition_rrmse_figure(accelerometer, title="Alcantara: rRMSE of each test trial") if have_data else None
fig

# %%
fig = estimates_figure(accelerometer, "vgrf", title="Alcantara: measured vs estimated vertical force") if have_data else None
fig

# %% [markdown]
# Alcantara et al. report 6.4 ± 1.5 % rRMSE {cite:p}`alcantara2022` — but for another design:
# 19 runners, each left out in turn, sacral *and* shoe accelerometers, and the continuous
# force predicted frame by frame rather than single, time-normalised stances. Here one runner
# (the only one published) is tested on unseen conditions, from the sacral accelerometer
# alone, and the stance window itself comes from the force (a wearable-only system would have
# to find it in the acceleration). The two numbers sit side by side; they do not measure the
# same thing.
#
# ## Summary
#
# * The preprocessing chain runs unchanged on real treadmill and force-plate recordings at
#   five sampling rates; rejected contacts are listed with their reason.
# * The simulator's stance features lie within the real spread at matched speeds after three
#   physical fixes — a check a simulated study should always make before trusting its numbers.
# * Virtual wearables make a treadmill → overground demonstration possible on real forces: it
#   holds inside the training speed range and degrades outside it.
# * On a real wearable signal the same network estimates the vertical force of unseen
#   conditions.
