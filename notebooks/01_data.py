# ---
# jupyter:
#   kernelspec:
#     display_name: Python (grfkit)
#     language: python
#     name: grfkit
# ---

# %% [markdown]
# # 1. The two data sets
#
# The study {cite:p}`carter_transfer_abstract` asks whether a large **treadmill** data set helps a
# network estimate ground reaction forces ({term}`GRF`) in **overground** running, where data are
# scarce. Both data sets pair wearable signals — a pressure insole with {glue:text}`n_fsr`
# force-sensitive resistors ({term}`FSR`) under each foot and an inertial measurement unit
# ({term}`IMU`) on the left shoe — with a gold-standard force measurement.
#
# ```{admonition} Learning objectives
# After this chapter you can
# * say what the two data sets hold and how the simulated cohort follows the study's protocol;
# * read the tables the lab records in one {term}`bout`, each on its own clock;
# * explain why only some overground contacts give a force curve, and every treadmill one does;
# * name the physical paths by which the forces reach the insole and the IMU;
# * switch one treadmill/overground difference of the simulator on or off.
# ```
#
# Run time: see {ref}`run-times`.
#
# :::{admonition} Words used in this chapter
# :class: note
# The glossary defines {term}`FSR`, {term}`ADC` counts, {term}`bout`, {term}`stance`,
# {term}`COP` (centre of pressure), {term}`BW` (body weight), {term}`vGRF` and {term}`apGRF`
# (the vertical and anteroposterior force). Two more:
#
# ppm
# : parts per million; a clock's drift in ppm is how many microseconds it gains or loses every
#   second.
#
# foot strike
# : the part of the foot that lands first: rear foot (heel), mid foot or fore foot.
# :::
#
# The study's recordings are private. grfkit therefore ships a **simulated cohort** that follows
# the same protocol and — unlike a real lab — knows its own ground truth: the true clock offset
# of every insole recording and the true timing of every foot contact. This chapter shows what
# the simulator records. Everything downstream (preprocessing, models) treats these recordings
# exactly as it would treat real ones: the truth is only used to *score* the methods.
#
# :::{note}
# The published book runs at `book` scale: {glue:text}`n_overground_book` overground and
# {glue:text}`n_treadmill_book` treadmill participants, while the study had
# {glue:text}`n_overground_study` and {glue:text}`n_treadmill_study`. This page was run at scale
# {glue:text}`scale_name`, with {glue:text}`n_overground` overground and {glue:text}`n_treadmill`
# treadmill participants. Change `scale` below to `"ci"` for a quick run or `"paper"` for the
# study's full size (it takes a while). `seed` draws another cohort.
# :::

# %% tags=["parameters"]
scale = "book"
seed = 0

# %%
import pandas as pd
from myst_nb import glue

from grfkit.io.channels import N_FSR
from grfkit.io.read import (
    read_bout,
    read_bouts,
    read_participants,
    read_truth,
)
from grfkit.plots.signals import (
    bout_signals_figure,
    cohort_figure,
    sensor_paths_figure,
)
from grfkit.scales import get_scale
from grfkit.simulate import (
    OVERGROUND_COHORT,
    TREADMILL_COHORT,
    DomainGap,
    protocol_table,
    sample_participant,
    simulate_cohort,
)
from grfkit.simulate.imu import ImuConfig
from grfkit.simulate.paths import sensor_path_variants
from grfkit.simulate.treadmill import TreadmillConfig

# The simulator writes a raw data folder; cache=True keeps it and reuses it
# on the next run (same scale, seed and simulator code).
raw_dir = simulate_cohort(scale, seed, cache=True)
participants = read_participants(raw_dir)
bouts = read_bouts(raw_dir)
true_trials, true_contacts = read_truth(raw_dir)
n_by_dataset = participants["dataset"].value_counts()
for name, value in {
    "n_fsr": N_FSR,
    "scale_name": get_scale(scale).name,
    "n_overground": int(n_by_dataset.get("overground", 0)),
    "n_treadmill": int(n_by_dataset.get("treadmill", 0)),
    "n_overground_book": get_scale("book").overground_participants,
    "n_treadmill_book": get_scale("book").treadmill_participants,
    "n_overground_study": OVERGROUND_COHORT.n_participants,
    "n_treadmill_study": TREADMILL_COHORT.n_participants,
}.items():
    glue(name, value, display=False)
body_columns = ["body_mass_kg", "height_m", "insole_length_m"]
participants.groupby("dataset")[body_columns].describe().round(2).T

# %% [markdown]
# The table above describes the runners' bodies in each data set: the count, mean, standard
# deviation and quartiles of body mass, height and insole length. Use it to check that the
# simulated runners are plausible adults, and to see that the two cohorts are alike but not the
# same people.
#
# ## The protocol
#
# The table below is built from the simulator's cohort definitions, so it shows what is
# simulated. The treadmill protocol is the published one: the speeds and inclines in the study's
# data-set code ([`Dataset_Generator.py`](https://github.com/JoshCarter97/LSTM_GRF_Estimation/blob/069a239/Dataset_Generator.py)
# of `JoshCarter97/LSTM_GRF_Estimation` at commit `069a239`) {cite:p}`carter2024`; its incline
# settings are read as percent grade. The overground runners chose their own slow, medium and
# fast speeds; the simulator draws them as multiples of each runner's preferred speed.

# %%
protocol_table(participants, bouts)

# %% [markdown]
# ## Two cohorts
#
# The two data sets come from **different people**, as in the study: the treadmill cohort is
# its own group of runners with its own spread of body size, foot-strike pattern and speeds.
# Each point is one participant (body mass, height) or one bout (speed). Hover to see who.

# %%
from grfkit.io.schema import FOOT_STRIKES

cohort_figure(participants, bouts)

# %% [markdown]
# **Takeaway:** the cohorts overlap but are not the same people: a model trained on one meets new
# bodies and speeds in the other.

# %%
strikes = (participants.groupby(["dataset", "foot_strike"]).size()
           .unstack(fill_value=0).reindex(columns=FOOT_STRIKES, fill_value=0))
for dataset in ("overground", "treadmill"):
    row = strikes.loc[dataset] if dataset in strikes.index else None
    text = "none" if row is None else f"{row['rearfoot']} of {row.sum()}"
    glue(f"rearfoot_{dataset}", text, display=False)
strikes

# %% [markdown]
# **Takeaway:** {glue:text}`rearfoot_treadmill` treadmill runners in this run land on the rear
# foot, and {glue:text}`rearfoot_overground` overground runners. The foot strike shapes the
# impact peak and the path of the centre of pressure, so this difference between the cohorts is
# one part of the {term}`domain gap` that transfer learning has to bridge.

# %% [markdown]
# ## What the lab records in one overground bout
#
# A table per instrument, each on its own clock:
#
# * **force** ({glue:text}`force_rate_hz` Hz, lab clock): force and centre of pressure of each plate;
# * **marker** ({glue:text}`marker_rate_hz` Hz, lab clock): the waist marker, missing outside the
#   capture volume;
# * **insole** ({glue:text}`insole_rate_hz` Hz, *insole* clock): the FSR channels of each foot,
#   in raw ADC counts;
# * **IMU** ({glue:text}`imu_rate_hz` Hz, *insole* clock): accelerometer (with gravity) and
#   gyroscope on the left shoe.
#
# The insole system starts its own clock, which is offset from the lab's (by up to
# {glue:text}`max_offset_s` s in this cohort) and runs slightly fast or slow (up to
# {glue:text}`max_drift_ppm` ppm). The window below starts one second before the bout's first
# plate contact (at {glue:text}`first_plate_contact_s` s on the lab clock): in its
# {glue:text}`window_s` seconds the plate forces (top) come in a burst — a pass over the plates —
# while the insole loads never stop. The two are not yet aligned: chapter 2 does that.

# %%
window_s = 3.0
og = bouts.loc[bouts["dataset"] == "overground"].iloc[0]
og_bout = read_bout(
    raw_dir / og["dataset"] / og["participant"] / og["bout"])
og_contacts = true_contacts.query(
    "dataset == @og.dataset and participant == @og.participant"
    " and bout == @og.bout")
# Off-plate contacts have plate "" (an empty name), not a missing value.
first_plate_contact = og_contacts.loc[og_contacts["plate"] != "", "ic_s"].min()
info = og_bout.info
for name, value in {
    "force_rate_hz": f"{info.force_rate_hz:g}",
    "marker_rate_hz": f"{info.marker_rate_hz:g}",
    "insole_rate_hz": f"{info.insole_rate_hz:g}",
    "imu_rate_hz": f"{info.imu_rate_hz:g}",
    "max_offset_s": f"{true_trials['clock_offset_s'].abs().max():.1f}",
    "max_drift_ppm": f"{true_trials['clock_drift_ppm'].abs().max():.0f}",
    "window_s": f"{window_s:g}",
    "first_plate_contact_s": f"{first_plate_contact:.1f}",
}.items():
    glue(name, value, display=False)
bout_signals_figure(og_bout, start_s=max(first_plate_contact - 1.0, 0.0),
                    duration_s=window_s)

# %% [markdown]
# **Takeaway:** overground, force is measured only during the few steps on the plates, while the
# wearables record every step — on a clock of their own.
#
# ## ... and in one treadmill bout
#
# On the treadmill one force-measuring belt (`belt`) sees every contact of both feet. The
# treadmill's frame rings after each impact (at {glue:text}`treadmill_resonance_hz` Hz in the
# normal force) and the motor adds vibration. Floor plates resonate too, at higher frequencies;
# the simulator leaves their ringing out (see `grfkit.simulate.treadmill.TreadmillConfig`).

# %%
glue("treadmill_resonance_hz",
     f"{TreadmillConfig().vertical_resonance_hz:g}", display=False)
tm = bouts.loc[bouts["dataset"] == "treadmill"].iloc[0]
tm_bout = read_bout(
    raw_dir / tm["dataset"] / tm["participant"] / tm["bout"])
bout_signals_figure(tm_bout, start_s=float(tm_bout.force["time_s"].iloc[0])
                    + 2.0, duration_s=window_s)

# %% [markdown]
# **Takeaway:** on the treadmill every step of both feet has its force curve on the one belt,
# so every step can be used for training.
#
# ## How many contacts are usable?
#
# The generator writes every foot contact to `truth/stances.csv`, with the plate it landed on
# and whether the whole footprint stayed on that one plate (`clean`). Overground, most contacts
# miss the plates altogether (`off_plate`), and some land across two plates (`straddle`) or over
# a plate's edge (`edge`): only clean ones give a complete force curve. On the treadmill every
# contact is clean. In this run the treadmill set has {glue:text}`stance_ratio` times as many
# clean left-foot stances (inside the insole recording) as the overground set: the ratio of
# usable stances is what makes the treadmill data set so much larger.
#
# How long the simulator records each treadmill condition is a design choice: at every scale a
# condition lasts {glue:text}`treadmill_bout_s` s, so that the full `paper` cohort (every runner,
# every condition) has about 70 times as many clean left-foot stances on the treadmill as
# overground — the ratio the study reports. The `book` and `ci` scales keep fewer treadmill
# conditions per runner, so their ratio is smaller.

# %%
left_recorded = (true_contacts["insole_recorded"]
                 & (true_contacts["foot"] == "left"))
usable = true_contacts.loc[true_contacts["clean"] & left_recorded]
usable_counts = usable["dataset"].value_counts()
ratio = (usable_counts.get("treadmill", 0)
         / usable_counts.get("overground", 1))
glue("stance_ratio", f"{ratio:.0f}", display=False)
glue("treadmill_bout_s", f"{get_scale('paper').treadmill_duration_s:g}",
     display=False)
reasons = true_contacts["reason"].replace("", "clean")
(true_contacts.assign(reason=reasons)
 .groupby(["dataset", "foot", "reason"]).size().unstack(fill_value=0))

# %% [markdown]
# ## How the simulator makes a bout
#
# * **The runners** (`grfkit.simulate.participants`): each runner draws a body size, a foot
#   strike, preferred speeds, gait and force-shape factors, stride-to-stride variation, a
#   left/right asymmetry, and the sensor gains and IMU mounting of one recording session. A
#   runner draws from a generator keyed by their id, so `OG03` is the same person at every
#   scale.
# * **The vertical force** ({term}`vGRF`) of each stance follows the two-mass model of running
#   {cite:p}`clark2017`: an impact of the lower limb ({glue:text}`lower_limb_mass_pct` % of body
#   mass) plus the slower loading of the rest of the body, with the stance's vertical impulse
#   equal to body weight times step time. Contact time, step time and impact follow the speed
#   and the foot strike. The pulse shapes are grfkit's own, and Clark's model covers the
#   vertical force only.
# * **The anteroposterior force** ({term}`apGRF`) is grfkit's own model: the normal force times
#   the lean of the line from the centre of pressure to a pivot point above the centre of mass
#   ({glue:text}`pivot_height_m` m up for runner {glue:text}`path_runner`, who is
#   {glue:text}`path_height_m` m tall). Where the foot lands ahead of the body is set so that the
#   stance's net AP impulse equals the step's change of momentum. The pivot height and a small
#   backward spike at impact were tuned on calibration runners of a real data set; the
#   [Real running data](06_real_data) chapter checks the curves against real recordings.
# * **The overground lab** (`grfkit.simulate.lab`, `grfkit.simulate.overground`):
#   {glue:text}`n_plates` force plates of {glue:text}`plate_size` lie in a row in the middle of a
#   straight runway. The runner loops around the lab, slows into each turn and runs at a nearly
#   steady speed over the plates; where each foot lands follows from the step lengths.
# * **The treadmill** (`grfkit.simulate.treadmill`): every contact lands on the belt. The force
#   table is in the belt's frame (`x` along the belt, `z` normal to it), so on a slope the mean
#   normal force is body weight times the cosine of the gradient.
# * **The wearables** (`grfkit.simulate.wearables`, `grfkit.simulate.imu`): next.
#
# ## How the wearables see the forces
#
# No sensor is a copy of the force. The network of chapter 3 sees only the insole and IMU
# signals, so it can learn about the force only what reaches those sensors, and in the
# simulator — as in a real shoe — information reaches them only through physical paths:
#
# * **The insole feels the normal (vertical) force**, spread over its sensors by the *plantar
#   load model*: each sensor's share of the load depends on where the centre of pressure is
#   (`grfkit.io.insole.plantar_distribution`). On the way to the ADC counts the FSRs add their own
#   errors — hysteresis (they read more while unloading), creep (the reading rises under steady
#   load), drift over a bout, saturation — and every recording session has its own gains
#   (`grfkit.simulate.wearables`).
# * **The anteroposterior (AP) force** — braking first, then propulsion — presses on no sensor
#   at all. In the simulator, as to a good approximation in a runner, the ground reaction
#   force points from the centre of pressure towards the body's centre of mass (more exactly,
#   at a point a little above it): the foot lands ahead of the centre of mass and brakes, the
#   body passes over the foot, and the foot pushes it on
#   (`grfkit.simulate.grf_model`). The AP force is therefore the normal force times the lean of
#   the line from the centre of pressure to the centre of mass — set by the centre of
#   pressure's path along the foot (which the insole senses), the running speed, and the
#   height of the point the force aims at. It reaches the wearables through the insole's load and its
#   distribution, and through the IMU paths below.
#
# To see each path alone, we take one stance of runner {glue:text}`path_runner` (a
# {glue:text}`path_strike` striker, at {glue:text}`path_speed` m/s), switch off the runner's
# stride-to-stride variation, and change one property of the AP force at a time
# (`grfkit.simulate.paths.sensor_path_variants`). The sensor curves are the simulator's own IMU
# and insole functions, without noise. Time runs in % of stance: 0 at foot contact, 100 at
# toe-off.

# %%
from grfkit.simulate.grf_model import GrfShape
from grfkit.simulate.lab import LabLayout

path_runner = sample_participant(OVERGROUND_COHORT, 0, seed)
curves, path_numbers = sensor_path_variants(path_runner, seed=seed)
numbers = path_numbers.set_index(["path", "variant"])


def path_value(path: str, variant: str, column: str, fmt: str) -> str:
    """One number of the variants' table, formatted for the text."""
    return format(numbers.loc[(path, variant), column], fmt)


high_push = numbers.loc[("propulsion", "high")]
# Momentum balance of the step: the net AP impulse per kilogram is the
# speed change.
speed_change = (high_push["propulsive_impulse_mps"]
                - high_push["braking_impulse_mps"])
plate = LabLayout()
for name, value in {
    "lower_limb_mass_pct":
        f"{100 * GrfShape().lower_limb_mass_fraction:g}",
    "n_plates": plate.n_plates,
    "plate_size": f"{plate.plate_length_m:g} m × {plate.plate_width_m:g} m",
    "pivot_height_m": f"{path_runner.pivot_height_m:.2f}",
    "path_height_m": f"{path_runner.height_m:.2f}",
    "path_runner": path_runner.participant,
    "path_strike": path_runner.foot_strike.replace("foot", "-foot"),
    "path_speed": f"{path_runner.speeds_mps['medium']:.2f}",
    "touchdown_ratio": f"{ImuConfig().touchdown_braking_ratio:g}",
    "speed_change": f"{speed_change:.2f}",
}.items():
    glue(name, value, display=False)
# Text name -> (path, variant, column of the variants' table, format).
B, T, P = "braking", "transition", "propulsion"
for name, where in {
    "braking_low": (B, "low", "braking_impulse_mps", ".2f"),
    "braking_high": (B, "high", "braking_impulse_mps", ".2f"),
    "touchdown_low": (B, "low", "touchdown_acc_x_integral_mps", ".2f"),
    "touchdown_high": (B, "high", "touchdown_acc_x_integral_mps", ".2f"),
    "transition_early": (T, "early", "transition_pct", ".0f"),
    "transition_late": (T, "late", "transition_pct", ".0f"),
    "onset_early": (T, "early", "gyro_y_onset_pct", ".0f"),
    "onset_late": (T, "late", "gyro_y_onset_pct", ".0f"),
    "heel_off_early": (T, "early", "heel_off_pct", ".0f"),
    "heel_off_late": (T, "late", "heel_off_pct", ".0f"),
    "propulsive_low": (P, "low", "propulsive_impulse_mps", ".2f"),
    "propulsive_high": (P, "high", "propulsive_impulse_mps", ".2f"),
    "rollover_low": (P, "low", "rollover_angle_deg", ".0f"),
    "rollover_high": (P, "high", "rollover_angle_deg", ".0f"),
    "peak_low": (P, "low", "gyro_y_pushoff_peak_dps", ".0f"),
    "peak_high": (P, "high", "gyro_y_pushoff_peak_dps", ".0f"),
}.items():
    glue(name, path_value(*where), display=False)

# %% [markdown]
# ### Path 1: braking shows in the shoe's deceleration at touchdown
#
# A longer lever — the foot further ahead of a lower pivot point — brakes the body more, and
# a foot that lands further ahead is still moving forward when it touches down. The shoe's
# forward speed at touchdown is proportional to the stance's braking impulse
# ({glue:text}`touchdown_ratio` m/s per N·s/kg), and the impact stops it: the harder the braking,
# the deeper the forward deceleration in `acc_x` during the impact. Below, the point the force
# aims at is lowered or raised so that it brakes with {glue:text}`braking_low` (low) to
# {glue:text}`braking_high` (high) N·s per kg; `acc_x` integrated over the impact is
# {glue:text}`touchdown_low` and {glue:text}`touchdown_high` m/s.

# %%
sensor_paths_figure(curves, "braking")

# %% [markdown]
# **Takeaway:** the size of the braking lobe reaches the IMU as the depth of one short
# deceleration at touchdown, mixed into a large impact; the insole carries the lever.
#
# ### Path 2: the transition from braking to propulsion follows the centre of pressure
#
# Braking turns into propulsion when the centre of mass passes over the centre of pressure.
# Where the centre of pressure is along the foot — what the insole's load distribution shows —
# therefore shapes the AP force. Here the centre of pressure moves along the foot more slowly or
# more quickly: the transition moves from {glue:text}`transition_early` % to
# {glue:text}`transition_late` % of stance, the heel rises and the foot rolls over the forefoot
# just after it (the onset of `gyro_y`: {glue:text}`onset_early` % and {glue:text}`onset_late` %),
# while the heel sensors unload (heel off) at {glue:text}`heel_off_early` % and
# {glue:text}`heel_off_late` %. A centre of pressure that reaches the forefoot sooner stays ahead
# of the body longer: braking lasts longer even though the heel unloads earlier.

# %%
sensor_paths_figure(curves, "transition")

# %% [markdown]
# **Takeaway:** the insole's centre-of-pressure path is the lever of the AP force, and the
# gyroscope marks when the body passes over the foot.
#
# ### Path 3: propulsion shows in the push-off roll
#
# A stronger push rolls the foot further over the forefoot before it leaves the ground: the pitch
# at toe-off grows with the propulsive impulse. Here the step speeds the runner down or up by
# {glue:text}`speed_change` m/s, which moves impulse between braking and propulsion (propulsive
# impulse {glue:text}`propulsive_low` to {glue:text}`propulsive_high` N·s per kg). The angle the
# foot rolls through after heel rise — the area under `gyro_y` — grows from
# {glue:text}`rollover_low`° to {glue:text}`rollover_high`°. Its peak changes far less
# ({glue:text}`peak_low` and {glue:text}`peak_high` deg/s): a step that pushes harder also brakes
# less and raises its heel earlier, so the larger roll is spread over a longer time.

# %%
sensor_paths_figure(curves, "propulsion")

# %% [markdown]
# **Takeaway:** propulsion reaches the IMU as how far, and from when, the foot rolls — not as a
# single peak.
#
# The numbers of every variant (one column per path and variant):

# %%
readable = {
    "contact_time_s": "contact time (s)",
    "braking_impulse_mps": "braking impulse (N·s/kg)",
    "propulsive_impulse_mps": "propulsive impulse (N·s/kg)",
    "transition_pct": "braking to propulsion (% stance)",
    "touchdown_acc_x_integral_mps": "touchdown acc_x integral (m/s)",
    "gyro_y_onset_pct": "gyro_y onset (% stance)",
    "gyro_y_pushoff_peak_dps": "push-off gyro_y peak (deg/s)",
    "rollover_angle_deg": "roll-over angle (deg)",
    "heel_off_pct": "heel off (% stance)",
}
numbers[list(readable)].rename(columns=readable).T.round(2)

# %% [markdown]
# In the recordings these paths are never this clean: stride-to-stride variation, noise, the
# IMU's mounting angle and the FSR errors sit on top, and every path is shared with other
# effects (speed, foot strike). The network of chapters 3 to 5 has to learn to read the AP force
# back from these traces.
#
# ## Limits of the simulated inputs
#
# The simulated sensors are simpler than real ones. Take the shoe's vertical acceleration in the
# overground bout above while the foot is flat on the ground, from {glue:text}`flat_window` % of
# each left stance (after the landing, before the heel rises):

# %%
import numpy as np

from grfkit.constants import GRAVITY_MPS2
from grfkit.simulate.clocks import lab_to_insole

trial = true_trials.query(
    "dataset == @og.dataset and participant == @og.participant"
    " and bout == @og.bout").iloc[0]
left = og_contacts.loc[(og_contacts["foot"] == "left")
                       & og_contacts["insole_recorded"]]
flat_from, flat_to = 0.25, 0.40  # fractions of stance: foot flat
glue("flat_window", f"{100 * flat_from:.0f}–{100 * flat_to:.0f}",
     display=False)
contact_s = (left["to_s"] - left["ic_s"]).to_numpy()
imu_t = og_bout.imu["time_s"].to_numpy()
mid = np.zeros(imu_t.size, dtype=bool)
for lab_s in zip(left["ic_s"] + flat_from * contact_s,
                 left["ic_s"] + flat_to * contact_s, strict=True):
    start, end = lab_to_insole(np.array(lab_s), trial["clock_offset_s"],
                               trial["clock_drift_ppm"])
    mid |= (imu_t >= start) & (imu_t <= end)
acc_z = og_bout.imu["acc_z_mps2"].to_numpy()[mid]
glue("midstance_acc_z", f"{acc_z.mean():.2f} ± {acc_z.std():.2f}",
     display=False)
glue("gravity_mps2", f"{GRAVITY_MPS2:.2f}", display=False)
pd.Series({"foot-flat acc_z, mean (m/s²)": acc_z.mean(),
           "foot-flat acc_z, SD (m/s²)": acc_z.std(),
           "IMU samples": acc_z.size}).round(2)

# %% [markdown]
# :::{admonition} What the simulator leaves out
# :class: warning
# * **FSRs**: hysteresis, creep within a stance and a slow gain drift over a bout are modelled,
#   one parameter each (`grfkit.simulate.wearables.InsoleConfig`). The drift is a linear gain
#   change, not a temperature model; the sensors do not wear, shift in the shoe or cross-talk,
#   and each session's gains stay fixed.
# * **Shoe IMU**: the shoe is a rigid body, and the foot is still while it is flat on the
#   ground. There `acc_z` is {glue:text}`midstance_acc_z` m/s² (mean ± SD): gravity
#   ({glue:text}`gravity_mps2` m/s², tilted by the sensor's mounting angle) with little spread,
#   where a real shoe IMU also picks up shoe and soft-tissue vibration. The foot moves as if the
#   lab's loop were straight.
# * **Force**: floor plates do not ring in the simulation (real ones do, at higher frequencies
#   than a treadmill); the treadmill rings at one resonance.
# :::
#
# A model that does well on these inputs may meet errors in real recordings that it never saw;
# the [Real running data](06_real_data) chapter tries it on real ones.
#
# ## What makes treadmill and overground differ
#
# The simulator models each difference between the two data sets with one switch of
# `grfkit.simulate.DomainGap`, so that a reader can switch one off and see what it does to
# transfer learning. The table lists them as the code documents them. Chapter 5 compares the
# full gap with all switches off (`grfkit.simulate.NO_GAP`), and one of its exercises switches
# off a single difference and reruns the transfer table. What no switch removes: the two data
# sets have different runners, and force is measured differently (treadmill belt versus floor
# plates).

# %%
DomainGap.switches()

# %% [markdown]
# The raw format is documented in [Raw data format](../book/data_format): researchers can bring
# their own recordings in it.
#
# ## Recap
#
# * Two separate cohorts, as in the study: overground runners looping over floor plates, and
#   treadmill runners on the published protocol. The `book` scale runs a subset of them.
# * Each bout has a table per instrument, on the lab's clock or the insole's; chapter 2 aligns
#   the clocks and cuts the stances.
# * Overground, only clean plate contacts have a force curve; on the treadmill every step does.
# * The insole feels the normal force through the plantar load model and imperfect FSRs; the AP
#   force reaches the wearables only through physical paths — the shoe's deceleration at
#   touchdown, the timing of heel rise, and the push-off roll.
# * Every modelled difference between treadmill and overground is a `DomainGap` switch; the
#   simulated sensors are simpler than real ones.
#
# ## Exercises
#
# ```{exercise} Another cohort
# :label: ex-01-seed
#
# Set `seed = 1` in the parameters cell and rerun the chapter. Compare the foot-strike table and
# the ratio of usable treadmill to overground stances with the ones above.
# ```
#
# ```{solution} ex-01-seed
# :class: dropdown
#
# Other people are drawn: body sizes, foot strikes and preferred speeds change, and with them
# the foot-strike table. The protocol table does not change, and the stance ratio stays close to
# this page's, because it is set by the design (bout lengths, the plate row, the conditions of
# the scale), not by who runs. Each runner draws from a generator keyed by their id, so the same
# seed always gives the same people.
# ```
#
# ```{exercise} Where the plates are silent
# :label: ex-01-window
#
# In the overground signal figure's cell, replace
# `start_s=max(first_plate_contact - 1.0, 0.0)` by `start_s=0.0` and rerun the cell. What do
# the plate panel and the insole panel show now?
# ```
#
# ```{solution} ex-01-window
# :class: dropdown
#
# Unless the bout's first plate contact happens in the first seconds, the plate panel shows only
# a few newtons of noise around zero, while the insole loads go on step after step: most
# overground contacts miss the plates. That is why the cell looks for the first contact on a
# plate. Off-plate contacts are stored with `plate` equal to `""`, not as a missing value, so
# the test is `plate != ""`: a test for "not missing" would keep every contact.
# ```
#
# ````{exercise} A quiet treadmill
# :label: ex-01-quiet
#
# Simulate the treadmill bout again without its motor noise, roller vibration and mains hum, and
# draw it over the same window:
#
# ```python
# from grfkit.simulate import simulate_bout
#
# quiet = TreadmillConfig(noise_sd_n=0.0, roller_vibration_n=0.0,
#                         mains_hum_n=0.0)
# sim = simulate_bout("treadmill", tm["participant"], tm["bout"],
#                     seed=seed, scale=scale, treadmill=quiet)
# bout_signals_figure(sim.raw, start_s=float(sim.raw.force["time_s"].iloc[0])
#                     + 2.0, duration_s=window_s)
# ```
#
# Which wiggles of the belt force stay?
# ````
#
# ```{solution} ex-01-quiet
# :class: dropdown
#
# The steps are the same (the runner draws from the same generator), and the fuzz on the belt
# force is gone. What stays is the ringing right after each impact: the treadmill frame's
# resonance is part of how the belt measures force, not noise added to it. Chapter 2's low-pass
# filter removes both, because they lie far above the frequencies of the running force.
# ```
