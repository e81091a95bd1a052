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
# The lab records each instrument on its own clock and at its own rate. Before a network can
# learn anything, every {term}`stance` has to be found, cut out of every signal at the same
# instants, and brought to a common length. This chapter follows the study's methods
# {cite:p}`carter_transfer_abstract` one step at a time, and — because the cohort is simulated —
# scores every step against the truth, something a real lab cannot do.
#
# ```{admonition} Learning objectives
# After this chapter you can
# * run the preprocessing chain on a raw data folder and read its report of skipped contacts;
# * explain how the insole clock is synchronised with the lab clock, and why running's
#   periodicity makes that hard;
# * say which contacts become stances, and what the rules that reject the others cost;
# * tell where grfkit deviates from the study (events on the raw force) and by how much;
# * read a time-normalised stance: 101 points from initial contact to toe-off.
# ```
#
# Run time: see {ref}`run-times`.
#
# :::{admonition} Words used in this chapter
# :class: note
# The glossary defines {term}`IMU`, {term}`FSR`, {term}`ADC` counts, {term}`IC` and
# {term}`TO`, {term}`COP`, {term}`Nyquist frequency`, {term}`aliasing`,
# {term}`cross-correlation`, {term}`Butterworth filter` and {term}`BW`. Three more:
#
# polyphase resampler
# : changes the sampling rate by a ratio of integers (here 8/9): it inserts zeros, low-pass
#   filters and keeps every 9th sample, computing only the samples it keeps.
#
# dB (decibel)
# : a gain on a log scale, $20 \log_{10}(\text{gain})$: −3 dB is a gain of 0.71, −40 dB 0.01.
#
# robust line
# : a straight-line fit that ignores outliers: here, pairs whose residual is more than four
#   robust standard deviations from the line are dropped and the line is fitted again.
# :::
#
# The chain, in the order `grfkit.preprocess.chain.preprocess_bout` runs it, one public
# function per step:
#
# | step | what | function |
# |---|---|---|
# | 1 | IMU 1125 → 1000 Hz | `resampling.resample_poly_at` |
# | 2 | insole clock → lab clock | `synchronisation.synchronise_clocks` |
# | 3 | insole contacts (which foot) | `insole_contacts.detect_insole_contacts` |
# | 4 | clean plate contacts, 20 N | `plate_contacts.classify_plate_contacts` |
# | 5 | running speed, pass rule | `speed.stance_speed`, `speed.pass_speed_check` |
# | 6 | insole and IMU cut at IC, TO | `segmentation.segment_stances` |
# | 7 | force: 20 Hz zero lag, cut | `filtering.lowpass_zero_lag_at` |
#
# Each step's settings live in one small config (`grfkit.preprocess.config`), all held by
# `PreprocessConfig`. The study filters the force before it detects the events; grfkit
# detects on the raw force and filters the force curves last (section 4 says why, and what
# it changes).

# %% tags=["parameters"]
scale = "book"
seed = 0

# %% [markdown]
# Chapter 1 simulated the cohort; this chapter preprocesses it. Both calls keep their result
# in a cache folder (`cache=True`), so running the chapter again reads them back.

# %%
import numpy as np
import pandas as pd
from myst_nb import glue

from grfkit.constants import FORCE_CUTOFF_HZ, GRAVITY_MPS2
from grfkit.io.read import read_bout, read_participants, read_truth
from grfkit.plots.signals import (
    event_error_figure,
    filter_response_figure,
    filtered_stance_figure,
    stance_curves_figure,
    sync_figure,
)
from grfkit.preprocess.chain import preprocess_raw
from grfkit.preprocess.config import PreprocessConfig
from grfkit.preprocess.events import filtered_detection_shift_ms
from grfkit.preprocess.filtering import lowpass_zero_lag
from grfkit.preprocess.ground_truth import (
    contact_detection_summary,
    edge_accepts,
    match_plate_contacts,
    stance_truth,
    sync_errors,
)
from grfkit.preprocess.plate_contacts import (
    OUTLINE_HEEL_MARGIN_FRAC,
    OUTLINE_TOE_MARGIN_FRAC,
)
from grfkit.preprocess.resampling import resample_table
from grfkit.preprocess.skip_reasons import primary_reasons
from grfkit.preprocess.synchronisation import ClockSync
from grfkit.simulate import simulate_cohort
from grfkit.simulate.overground import OvergroundConfig
from grfkit.simulate.treadmill import TreadmillConfig

raw_dir = simulate_cohort(scale, seed, cache=True)
result = preprocess_raw(raw_dir, cache=True)
print(result.summary())

# %% [markdown]
# `result.stances` is the stance data set the models of chapters 3–5 learn from;
# `result.contacts` lists every plate contact with its fate, and `result.bouts` one row per
# {term}`bout`. The truth the simulator wrote is only used to score:

# %%
true_trials, true_contacts = read_truth(raw_dir)
participants = read_participants(raw_dir).set_index("participant")
example = result.bouts.query(
    "dataset == 'overground' and status == 'ok'"
).iloc[0]
keys = ["dataset", "participant", "bout"]
bout = read_bout(raw_dir.joinpath(*example[keys]))
truth = true_trials.set_index(keys).loc[tuple(example[keys])]
example[keys].to_dict()

# %% [markdown]
# ## 1. IMU resampling, 1125 → 1000 Hz
#
# 1000/1125 = 8/9 exactly, so a polyphase resampler upsamples by 8, low-pass filters and keeps
# every 9th sample. grfkit designs its own anti-aliasing filter (a Kaiser-window FIR): flat to
# 400 Hz, at least 60 dB down from the output's {term}`Nyquist frequency` of 500 Hz on, each
# polyphase branch scaled to pass gravity's 9.81 m/s² unchanged, and the ends padded along a
# straight line so an accelerometer reading 9.81 m/s² does not ring at the edges. Its
# transition band is finite, so {term}`aliasing` is not zero but negligible: content between
# 400 and 500 Hz is attenuated only partly, and shoe IMU content during running lies well below
# 400 Hz. The IMU stays on the insole clock.

# %%
imu_1000 = resample_table(bout.imu, bout.info.imu_rate_hz, 1000.0, name="imu")
print(
    f"{len(bout.imu)} samples at 1125 Hz -> {len(imu_1000)} samples at 1000 Hz"
)

# %% [markdown]
# ## 2. Clock synchronisation
#
# The insole clock runs on its own: $t_\mathrm{lab} = \mathrm{offset} + t_\mathrm{insole}(1 +
# \mathrm{drift})$, with an offset of seconds and a drift of tens of ppm. grfkit estimates both
# as the study did, post hoc, by aligning the **onsets of contacts**: when the summed insole
# load leaves its resting level, and when the total plate force rises through 20 N. Each
# crossing is extrapolated back to the signal's resting level, so that both estimate the
# instant of touch-down (toe-off is less trustworthy in an insole: foam and sensors unload with
# a lag). Then:
#
# 1. a {term}`cross-correlation` of the two onset trains over lags up to
#    ±{glue:text}`sync_max_offset_s` s and a grid of drifts finds the coarse offset;
# 2. each plate onset is paired with the nearest insole onset, and a robust line through the
#    pairs gives offset and drift.
#
# Running is nearly periodic, so a shift by one step also lines contacts up with contacts. What
# breaks the tie is the step-to-step variability of real running, which a narrow
# ({glue:text}`sync_kernel_ms` ms) kernel rewards only at the true lag. grfkit refuses to guess
# (a `SyncError`) when the best peak is not at least {glue:text}`sync_min_peak_ratio` times the
# best one more than half a step away (`peak_ratio`).
#
# The bout table keeps each bout's estimated offset, drift, peak ratio and residual; the next
# cell turns that row, and the generator's truth, back into the clock relation
# (`ClockSync`) that the figure needs to place the insole samples on the lab clock.

# %%
sync_settings = PreprocessConfig().sync
glue("sync_max_offset_s", f"{sync_settings.max_offset_s:g}", display=False)
glue("sync_kernel_ms", f"{1e3 * sync_settings.kernel_s:g}", display=False)
glue("sync_min_peak_ratio", f"{sync_settings.min_peak_ratio:g}", display=False)
estimate = ClockSync(
    example["sync_offset_s"],
    example["sync_drift_ppm"],
    example["sync_peak_ratio"],
    example["sync_residual_s"],
    0,
)
true_sync = ClockSync(
    truth["clock_offset_s"], truth["clock_drift_ppm"], np.inf, 0.0, 0
)
example_stances = result.stances.meta.query(
    "participant == @example.participant and bout == @example.bout"
)
first_ic = example_stances["ic_s"].min()
glue("example_offset_s", f"{truth['clock_offset_s']:.2f}", display=False)
glue("example_peak_ratio", f"{example['sync_peak_ratio']:.1f}", display=False)
sync_figure(
    bout,
    estimate,
    start_lab_s=first_ic - 0.6,
    duration_s=1.6,
    true_sync=true_sync,
)

# %% [markdown]
# The clocks of this bout differ by {glue:text}`example_offset_s` s. Placed with insole time as
# lab time (middle), the insole's contacts rise away from the plate's 20 N rises (dashed): a
# shift of many steps lands them on some other step. Placed by the estimated clock (bottom),
# they rise with the plate force; the peak ratio of this bout was {glue:text}`example_peak_ratio`.
#
# Over the whole cohort, the **mapping error** is the largest error of the estimated clock model
# over a recording (offset and drift errors together), in milliseconds:

# %%
sync = sync_errors(result.bouts, true_trials)
mapping = sync.groupby("dataset")["mapping_error_ms"]
mapping.describe()[["count", "50%", "max"]].round(2)

# %%
glue(
    "sync_median_ms", f"{sync['mapping_error_ms'].median():.2f}", display=False
)
glue("sync_max_ms", f"{sync['mapping_error_ms'].max():.2f}", display=False)
mean_stance_s = result.stances.meta["contact_time_s"].mean()
glue("point_spacing_ms", f"{1e3 * mean_stance_s / 100:.1f}", display=False)

# %% [markdown]
# The median bout maps insole time to lab time within {glue:text}`sync_median_ms` ms, the worst
# within {glue:text}`sync_max_ms` ms: well below the spacing of the 101 points of a stance
# ({glue:text}`point_spacing_ms` ms for the mean stance).
#
# ## 3–4. Insole contacts, then clean plate contacts
#
# The insoles see every step of both feet; mapped to the lab clock, their contacts tell which
# foot made each plate contact. A plate contact starts at its **initial contact** ({term}`IC`)
# and ends at **toe-off** ({term}`TO`): the instants the vertical force crosses 20 N, each
# interpolated between the two samples around the threshold.
#
# **A deviation from the study.** The study filters the force at 20 Hz and then detects the
# events. A zero-lag filter is non-causal: it spreads the sharp rise at touch-down in both
# directions, so the filtered force crosses 20 N *before* the foot lands and after it has left.
# Plate noise is a few newtons (the simulator's vertical white-noise SD is
# {glue:text}`plate_noise_sd_n` N on the floor plates and {glue:text}`belt_noise_sd_n` N on
# the treadmill), far below 20 N, so grfkit detects on the **raw** force (zero offset
# removed); the 20 Hz filter is kept for the force curves (step 7). On the example bout,
# detecting the study's way moves the events by:

# %%
shift = pd.concat(
    filtered_detection_shift_ms(
        bout.force[f"{plate}_fz_n"].to_numpy(),
        bout.info.force_rate_hz,
        time_s=bout.force["time_s"].to_numpy(),
        detection_cutoff_hz=20.0,
    )
    for plate in example_stances["plate"].unique()
)
shift = shift.set_axis(["IC (ms)", "TO (ms)"], axis=1)
shift = shift.reset_index(drop=True).dropna()
glue("plate_noise_sd_n", f"{OvergroundConfig().plate_noise_sd_n:g}",
     display=False)
glue("belt_noise_sd_n", f"{TreadmillConfig().noise_sd_n:g}", display=False)
contact_ms = 1e3 * example_stances["contact_time_s"].mean()
ic_shift, to_shift = shift["IC (ms)"].mean(), shift["TO (ms)"].mean()
glue("ic_shift_ms", f"{ic_shift:+.1f}", display=False)
glue("to_shift_ms", f"{to_shift:+.1f}", display=False)
glue(
    "shift_pct",
    f"{100 * (to_shift - ic_shift) / contact_ms:.1f}",
    display=False,
)
shift.describe().loc[["count", "mean", "min", "max"]].round(2)

# %% [markdown]
# Detected on the 20 Hz filtered force, IC moves by {glue:text}`ic_shift_ms` ms and TO by
# {glue:text}`to_shift_ms` ms (negative: earlier) from where the raw force puts them: the
# stance is {glue:text}`shift_pct` % longer. The study's stances therefore start a little
# earlier and end a little later than grfkit's; the curves between are the same force.
#
# **Clean contacts.** A contact becomes a stance when it is complete, of the **left** foot (the
# foot with the IMU), on **one** plate (no other plate loaded meanwhile: no *straddle*), with its
# centre of pressure ({term}`COP`) away from the plate's edge and the foot outline estimated
# from the COP path and the insole length inside the plate, and when its IC and TO and its load
# agree with one insole contact (a foot partly off the plate loads it late, leaves it early or
# puts less load on it). Every contact that is not kept is listed with its reasons — nothing is
# dropped silently.
#
# The foot outline needs a word. The COP is the centre of the load, so it always lies some way
# inside the sole: a heel or toes over the edge can leave the COP well inside the plate while
# the floor takes part of the load. grfkit therefore draws the outline from the COP path: its
# toe end {glue:text}`toe_margin_pct` % of the insole length ahead of the foremost COP (the
# push-off load centre, under the first metatarsal head and the hallux, lies about that far
# behind the tip of the toes), its heel end {glue:text}`heel_margin_pct` % behind the rearmost
# COP (the heel pad's load centre) or one insole length behind the toe end, whichever is
# further back, and one insole width across. Only overground: on a treadmill the COP travels
# with the belt.
#
# Grouped by the first reason each contact failed, and by the step that applied it:

# %%
glue("toe_margin_pct", f"{100 * OUTLINE_TOE_MARGIN_FRAC:g}", display=False)
glue("heel_margin_pct", f"{100 * OUTLINE_HEEL_MARGIN_FRAC:g}", display=False)
table = primary_reasons(result.stances.skipped)
table.value_counts().rename("contacts").reset_index()

# %% [markdown]
# Most contacts that do not become stances are simply the right foot's, or fail several plate
# rules at once (the table counts each contact once, by its first reason). Scored against the
# truth: the share of truly clean left-foot contacts that became stances, the stances whose
# contact was in truth *not* clean (false accepts), and the absolute timing error of IC and TO
# against the true 20 N crossings of the noise-free force (one row per data set, transposed to
# fit the page):

# %%
matched = match_plate_contacts(result.contacts, true_contacts)
summary = contact_detection_summary(matched).set_index("dataset")
summary.T.round(2)

# %%
event_error_figure(matched)

# %% [markdown]
# Each panel is normalised to its own number of stances. Overground, 95 % of the detected ICs
# lie within {glue:text}`og_ic_p95_ms` ms of the truth and 95 % of the TOs within
# {glue:text}`og_to_p95_ms` ms. On the treadmill the detected IC comes late, by a
# median of {glue:text}`tm_ic_median_ms` ms (95th percentile {glue:text}`tm_ic_p95_ms` ms): the
# treadmill's frame responds to the impact with a lag, so the measured force rises after the
# force under the foot. That is a property of the instrument, not of the detection; a known
# instrument response (e.g. measured by tapping the belt with an instrumented hammer) could be
# deconvolved from the force before detection.

# %%
edges = edge_accepts(matched).set_index("dataset")
og = edges.loc["overground"]
glue(
    "tm_ic_median_ms",
    f"{summary.loc['treadmill', 'ic_median_ms']:.2f}",
    display=False,
)
glue(
    "tm_ic_p95_ms",
    f"{summary.loc['treadmill', 'ic_p95_ms']:.2f}",
    display=False,
)
for event in ("ic", "to"):
    glue(
        f"og_{event}_p95_ms",
        f"{summary.loc['overground', f'{event}_p95_ms']:.2f}",
        display=False,
    )
glue(
    "og_false_accepts",
    int(summary.loc["overground", "false_accepts"]),
    display=False,
)
glue("og_accepted", int(og["accepted"]), display=False)
glue("og_edge", int(og["edge_accepted"]), display=False)
glue("og_deficit_median", f"{og['deficit_median_pct']:.1f}", display=False)
glue("og_deficit_max", f"{og['deficit_max_pct']:.1f}", display=False)
edges.T.round(2)

# %% [markdown]
# **False accepts.** Overground, {glue:text}`og_false_accepts` of the
# {glue:text}`og_accepted` stances were in truth not clean; {glue:text}`og_edge` of them had
# part of the footprint over a plate edge, so the plate measured only part of the force: a
# median deficit of {glue:text}`og_deficit_median` % of the foot's impulse (largest
# {glue:text}`og_deficit_max` %). Neither the plate's centre of pressure nor the insole can see
# a heel or a toe that carries that little load on the floor. Those force targets are low by
# that deficit, and the models of chapters 3–5 learn from them and are scored against them.
#
# ## 5. Speed
#
# Overground, the speed of a stance is the mean horizontal speed of the waist marker over a
# window of {glue:text}`speed_window_ms` ms (one typical step) centred on the stance: the waist
# speeds up and slows down within every step, and a mean over one step averages that out
# whatever its phase (a stride-long window would also average left–right differences, but
# needs the marker over more of the runway). Each
# pass over the plate row is a trial, kept only if its speed lies within
# ±{glue:text}`speed_tolerance_pct` % of the bout's target (the median of its passes). On the
# treadmill the speed is the belt speed. Against the generator's true running speed at each
# stance, in m/s:

# %%
settings = PreprocessConfig()
glue("speed_window_ms", f"{1e3 * settings.speed.window_s:.0f}", display=False)
glue(
    "speed_tolerance_pct",
    f"{100 * settings.speed.tolerance_fraction:g}",
    display=False,
)
paired = stance_truth(result.stances.meta, true_contacts)
speed_error = paired["speed_mps"] - paired["true_speed_mps"]
speed_error.groupby(paired["dataset"]).describe().round(3)

# %% [markdown]
# ## 6–7. Segmentation, time normalisation and the force filter
#
# Every signal is cut between IC and TO and resampled to 101 points (0 %, 1 %, ..., 100 % of
# stance) by interpolating at the event times themselves, not at the nearest samples. Insole and
# IMU are cut at the event times mapped back to the insole clock.
#
# The force curves are low-pass filtered at 20 Hz with a zero-lag {term}`Butterworth filter`.
# Run forward and backward it has no lag, but the two passes attenuate twice: designed at
# 20 Hz, the pair is already at −6 dB there. The design cutoff is therefore raised by the
# two-pass correction $f_\mathrm{design} = f_c / C$, $C = (2^{1/n_\mathrm{passes}} -
# 1)^{1/(2N)}$ for a filter of order $N$ {cite:p}`winter2009,robertson2003`, applied to the
# pre-warped frequency of the digital filter, so that the pair is at −3 dB at 20 Hz:

# %%
filter_response_figure(cutoff_hz=20.0, sampling_rate_hz=1000.0, order=2)

# %% [markdown]
# The corrected filter (orange) passes half the power at 20 Hz; the uncorrected one would cut
# the force curves at a lower frequency than the study states. What the filter does to one
# stance of the example bout:

# %%
stance = example_stances.iloc[0]
fz = bout.force[f"{stance['plate']}_fz_n"].to_numpy()
t = bout.force["time_s"].to_numpy()
figure = filtered_stance_figure(
    t,
    fz,
    stance["ic_s"],
    stance["to_s"],
    sampling_rate_hz=bout.info.force_rate_hz,
)
filtered = lowpass_zero_lag(fz, FORCE_CUTOFF_HZ, bout.info.force_rate_hz)
during = (t >= stance["ic_s"]) & (t <= stance["to_s"])
raw_peak, filtered_peak = fz[during].max(), filtered[during].max()
glue(
    "peak_change_pct",
    f"{100 * (filtered_peak / raw_peak - 1):+.1f}",
    display=False,
)
figure

# %% [markdown]
# The 20 Hz filter rounds off the fast changes of the force (the impact transient of a
# rear-foot strike most of all) and changes this stance's largest force by
# {glue:text}`peak_change_pct` %; it also rises before IC and stays up after TO, which is why
# grfkit detects the events on the raw force. The vertical and
# anteroposterior {term}`GRF` of all stances, in body weights ({term}`BW`), mean ± SD per data
# set:

# %%
weight_n = result.stances.meta["body_mass_kg"].to_numpy() * GRAVITY_MPS2
vgrf_bw = result.stances.target("vgrf_n") / weight_n[:, None]
is_og = (result.stances.meta["dataset"] == "overground").to_numpy()
glue("og_peak_bw", f"{vgrf_bw[is_og].mean(axis=0).max():.2f}", display=False)
glue("tm_peak_bw", f"{vgrf_bw[~is_og].mean(axis=0).max():.2f}", display=False)
stance_curves_figure(result.stances, "vgrf_n")

# %% [markdown]
# The mean {term}`vGRF` peaks at {glue:text}`og_peak_bw` BW overground and
# {glue:text}`tm_peak_bw` BW on the treadmill, in mid-stance.

# %%
stance_curves_figure(result.stances, "apgrf_n")

# %% [markdown]
# The {term}`apGRF` brakes the runner in the first part of stance and propels them in the
# second. Two of the model's inputs: an FSR under the heel and the shoe's vertical
# acceleration.

# %%
stance_curves_figure(result.stances, "left_fsr02_adc")

# %% [markdown]
# The heel FSR carries its load in the first part of stance and little once the foot has
# rolled onto the forefoot.

# %%
stance_curves_figure(result.stances, "acc_z_mps2")

# %% [markdown]
# The shoe's vertical acceleration swings at impact and toe-off and stays near gravity while
# the foot is flat: the simulated IMU is nearly still in mid-stance.
#
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

# %% [markdown]
# :::{admonition} Limitation: the stance window comes from the force plate
# :class: warning
# IC, TO, the stance window every input is cut to, and the contact time among the metadata are
# all taken from the force plate (the reference system), and the overground speed from a waist
# marker. A wearable system on its own would have to find the stance from the insole and the
# IMU, with errors of its own; the models of chapters 3–5 are spared those errors.
# :::
#
# ## Recap
#
# * `preprocess_raw(raw_dir, cache=True)` runs seven steps, one public function each, and
#   keeps the result; every contact that does not become a stance is reported with a reason.
# * The insole clock is aligned with the lab clock from contact onsets (median mapping error
#   {glue:text}`sync_median_ms` ms here); step-to-step variability is what tells the true lag
#   from a shift by one step.
# * grfkit detects IC and TO on the raw force, a deviation from the study that makes stances
#   {glue:text}`shift_pct` % shorter than the study's way and puts the events closer to the
#   truth.
# * The treadmill's IC lag and the overground false accepts are properties of the instruments,
#   not of the detection; both are quantified above.
#
# ## Exercises
#
# ```{exercise} Detect the events the study's way
# :label: ex-02-filtered-events
#
# Preprocess the cohort with the events detected on the 20 Hz filtered force,
# `preprocess_raw(raw_dir, cache=True, config=PreprocessConfig(contacts=ContactConfig(detection_cutoff_hz=20.0)))`
# (import `ContactConfig` from `grfkit.preprocess.config`), then redraw `event_error_figure`
# and the detection summary. How do the IC and TO errors change?
# ```
#
# ```{solution} ex-02-filtered-events
# :class: dropdown
#
# Both histograms move away from zero: IC several milliseconds early, TO about a millisecond
# late, in both data sets, as the example bout showed. The truth is the 20 N crossing of the
# unfiltered force, and the non-causal filter spreads the force beyond it in both directions.
# ```
#
# ```{exercise} A higher contact threshold
# :label: ex-02-threshold
#
# Raise the contact threshold from 20 N to 50 N for the plate contacts:
# `PreprocessConfig(contacts=ContactConfig(threshold_n=50.0))`. Preprocess again and compare
# the mean contact time of the stance data set with the one above.
# ```
#
# ```{solution} ex-02-threshold
# :class: dropdown
#
# The stances get shorter by a few milliseconds: the force needs longer to climb to 50 N
# after touch-down and drops below 50 N earlier before toe-off. The scores against the truth
# get worse too, since the truth keeps the 20 N definition.
# ```
#
# ```{exercise} Without the foot-outline rule
# :label: ex-02-outline
#
# Switch off the rule that rejects contacts whose estimated foot outline crosses a plate edge,
# `PreprocessConfig(foot_outline=False)`, and run `edge_accepts(match_plate_contacts(...))`
# again. What happens to the false accepts and their force deficit?
# ```
#
# ```{solution} ex-02-outline
# :class: dropdown
#
# More overground stances are accepted whose footprint was partly over an edge, and the
# largest force deficit grows: the centre-of-pressure rule alone only sees a footprint over the
# edge once the centre of the load nears the edge, which a heel or toes over the edge do not
# move far enough.
# ```
