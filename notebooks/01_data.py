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
# network estimate ground reaction forces (GRF) in **overground** running, where data are scarce.
# Both data sets pair wearable signals — a pressure insole with {glue:text}`n_fsr` force-sensitive
# resistors under each foot and an inertial measurement unit (IMU) on the left shoe — with a
# gold-standard force measurement.
#
# :::{admonition} What you will learn
# :class: tip
# * what the two data sets hold, and how the simulated cohort follows the study's protocol;
# * what the lab records in one bout, each table on its own clock;
# * how the wearables "see" the forces: not as a copy, but through a few physical paths;
# * which differences between treadmill and overground running the simulator models, one switch
#   each.
# :::
#
# :::{admonition} Words used in this chapter
# :class: note
# FSR
# : force-sensitive resistor: a thin sensor in the insole whose resistance drops as it is pressed.
#
# ADC counts
# : the raw numbers an analogue-to-digital converter writes; for an FSR they grow with force, but
#   not in proportion, and they are not newtons.
#
# ppm
# : parts per million; a clock's drift in ppm is how many microseconds it gains or loses every
#   second.
#
# bout
# : one continuous recording of a runner in one condition (one speed, one gradient).
#
# stance
# : the time one foot is on the ground, from foot contact to toe-off.
#
# foot strike
# : the part of the foot that lands first: rear foot (heel), mid foot or fore foot.
#
# COP
# : centre of pressure: the point under the foot where the ground force acts.
#
# BW
# : body weight; forces divided by the runner's weight.
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
import math

import pandas as pd
from myst_nb import glue

from grfkit.io.channels import N_FSR
from grfkit.io.read import (
    read_bout,
    read_bouts,
    read_participants,
    read_truth,
)
from grfkit.plots.signals import bout_signals_figure, cohort_figure, sensor_paths_figure
from grfkit.scales import get_scale
from grfkit.simulate import (
    OVERGROUND_COHORT,
    TREADMILL_COHORT,
    DomainGap,
    sample_participant,
)
from grfkit.simulate.imu import ImuConfig
from grfkit.simulate.paths import sensor_path_variants
from grfkit.simulate.treadmill import TreadmillConfig
from grfkit.storage.cohort_cache import prepare_cohort

cohort = prepare_cohort(scale, seed)
participants = read_participants(cohort.raw_dir)
bouts = read_bouts(cohort.raw_dir)
true_trials, true_contacts = read_truth(cohort.raw_dir)
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
participants.groupby("dataset")[["body_mass_kg", "height_m", "insole_length_m"]].describe().round(2).T

# %% [markdown]
# ## The protocol
#
# The table below is built from the simulator's cohort definitions, so it shows what is
# simulated. The treadmill protocol is the published one: the speeds and inclines in the study's
# data-set code ([`Dataset_Generator.py`](https://github.com/JoshCarter97/LSTM_GRF_Estimation/blob/069a239/Dataset_Generator.py)
# of `JoshCarter97/LSTM_GRF_Estimation` at commit `069a239`) {cite:p}`carter2024`; its incline
# settings are read as percent grade. The overground runners chose their own slow, medium and
# fast speeds; the simulator draws them as multiples of each runner's preferred speed.

# %%
def speed_classes(spec) -> str:
    """Speed classes of a cohort: multiples of the preferred speed and fixed speeds in km/h."""
    ratios = [f"{name} {ratio:g} × preferred" for name, ratio in spec.speed_ratios]
    fixed = [f"{name} {speed_mps * 3.6:g} km/h" for name, speed_mps in spec.fixed_speeds_mps]
    return ", ".join(ratios + fixed)


def gradients(spec) -> str:
    """Gradient classes of a cohort in percent grade."""
    grades = {name: round(100 * math.tan(math.radians(deg))) for name, deg in spec.gradients_deg}
    return ", ".join(f"{name} {grade:+d} %" if grade else f"{name} 0 %" for name, grade in grades.items())


def bouts_per_runner(dataset: str) -> str:
    """Bouts per participant and their length in this run."""
    b = bouts.loc[bouts["dataset"] == dataset]
    if b.empty:
        return "none in this run"
    per_runner = b.groupby("participant").size()
    return f"{per_runner.max()} of {b['duration_s'].median():g} s ({', '.join(sorted(b['condition'].unique()))})"


pd.DataFrame(
    {
        "overground": {
            "participants in the study": f"{OVERGROUND_COHORT.n_participants} ({OVERGROUND_COHORT.n_female} female)",
            "participants in this run": int(n_by_dataset.get("overground", 0)),
            "speeds": f"self-selected; simulated as {speed_classes(OVERGROUND_COHORT)}",
            "gradient": gradients(OVERGROUND_COHORT),
            "bouts per participant in this run": bouts_per_runner("overground"),
            "running": "loops around the lab, across the force plates",
            "force": "force plates in the floor: only some contacts land cleanly on one plate",
            "speed measured by": "a waist marker (motion capture); varies around the loop",
        },
        "treadmill": {
            "participants in the study": f"{TREADMILL_COHORT.n_participants} ({TREADMILL_COHORT.n_female} female)",
            "participants in this run": int(n_by_dataset.get("treadmill", 0)),
            "speeds": speed_classes(TREADMILL_COHORT),
            "gradient": gradients(TREADMILL_COHORT),
            "bouts per participant in this run": bouts_per_runner("treadmill"),
            "running": "on an instrumented treadmill",
            "force": "the treadmill's force-measuring belt: every contact is measured",
            "speed measured by": "the belt speed, constant",
        },
    }
)

# %% [markdown]
# ## Two cohorts
#
# The two data sets come from **different people**, as in the study: the treadmill cohort is
# its own group of runners with its own spread of body size, foot-strike pattern and speeds.
# Each point is one participant (body mass, height) or one bout (speed). Hover to see who.

# %%
cohort_figure(participants, bouts)

# %% [markdown]
# **Takeaway:** the cohorts overlap but are not the same people: a model trained on one meets new
# bodies and speeds in the other.

# %%
participants.groupby(["dataset", "foot_strike"]).size().unstack(fill_value=0)

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
# {glue:text}`max_drift_ppm` ppm). In the {glue:text}`window_s` seconds below, the plate forces
# (top) come in bursts — a pass over the plates — while the insole loads never stop. The two are
# not yet aligned: chapter 2 does that.

# %%
window_s = 3.0
og = bouts.loc[bouts["dataset"] == "overground"].iloc[0]
og_bout = read_bout(cohort.raw_dir / og["dataset"] / og["participant"] / og["bout"])
first_plate_contact = true_contacts.query(
    "dataset == @og.dataset and participant == @og.participant and bout == @og.bout and plate != ''"
)["ic_s"].min()
for name, value in {
    "force_rate_hz": f"{og_bout.info.force_rate_hz:g}",
    "marker_rate_hz": f"{og_bout.info.marker_rate_hz:g}",
    "insole_rate_hz": f"{og_bout.info.insole_rate_hz:g}",
    "imu_rate_hz": f"{og_bout.info.imu_rate_hz:g}",
    "max_offset_s": f"{true_trials['clock_offset_s'].abs().max():.1f}",
    "max_drift_ppm": f"{true_trials['clock_drift_ppm'].abs().max():.0f}",
    "window_s": f"{window_s:g}",
}.items():
    glue(name, value, display=False)
bout_signals_figure(og_bout, start_s=max(first_plate_contact - 1.0, 0.0), duration_s=window_s)

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
glue("treadmill_resonance_hz", f"{TreadmillConfig().vertical_resonance_hz:g}", display=False)
tm = bouts.loc[bouts["dataset"] == "treadmill"].iloc[0]
tm_bout = read_bout(cohort.raw_dir / tm["dataset"] / tm["participant"] / tm["bout"])
bout_signals_figure(tm_bout, start_s=float(tm_bout.force["time_s"].iloc[0]) + 2.0, duration_s=window_s)

# %% [markdown]
# **Takeaway:** on the treadmill every step has its force curve, so every step can be used for
# training.
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

# %%
left_recorded = true_contacts["insole_recorded"] & (true_contacts["foot"] == "left")
usable = true_contacts.loc[true_contacts["clean"] & left_recorded]
usable_counts = usable["dataset"].value_counts()
glue("stance_ratio", f"{usable_counts.get('treadmill', 0) / usable_counts.get('overground', 1):.0f}", display=False)
true_contacts.assign(reason=true_contacts["reason"].replace("", "clean")).groupby(
    ["dataset", "foot", "reason"]
).size().unstack(fill_value=0)

# %% [markdown]
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
path_runner = sample_participant(OVERGROUND_COHORT, 0, seed)
curves, path_numbers = sensor_path_variants(path_runner, seed=seed)
numbers = path_numbers.set_index(["path", "variant"])


def path_value(path: str, variant: str, column: str, fmt: str) -> str:
    """One number of the variants' table, formatted for the text."""
    return format(numbers.loc[(path, variant), column], fmt)


high_push = numbers.loc[("propulsion", "high")]
for name, value in {
    "path_runner": path_runner.participant,
    "path_strike": path_runner.foot_strike.replace("foot", "-foot"),
    "path_speed": f"{path_runner.speeds_mps['medium']:.2f}",
    "touchdown_ratio": f"{ImuConfig().touchdown_braking_ratio:g}",
    "braking_low": path_value("braking", "low", "braking_impulse_mps", ".2f"),
    "braking_high": path_value("braking", "high", "braking_impulse_mps", ".2f"),
    "touchdown_low": path_value("braking", "low", "touchdown_acc_x_integral_mps", ".2f"),
    "touchdown_high": path_value("braking", "high", "touchdown_acc_x_integral_mps", ".2f"),
    "transition_early": path_value("transition", "early", "transition_pct", ".0f"),
    "transition_late": path_value("transition", "late", "transition_pct", ".0f"),
    "onset_early": path_value("transition", "early", "gyro_y_onset_pct", ".0f"),
    "onset_late": path_value("transition", "late", "gyro_y_onset_pct", ".0f"),
    "heel_off_early": path_value("transition", "early", "heel_off_pct", ".0f"),
    "heel_off_late": path_value("transition", "late", "heel_off_pct", ".0f"),
    # Momentum balance of the step: the net AP impulse per kilogram is the speed change.
    "speed_change": f"{high_push['propulsive_impulse_mps'] - high_push['braking_impulse_mps']:.2f}",
    "propulsive_low": path_value("propulsion", "low", "propulsive_impulse_mps", ".2f"),
    "propulsive_high": path_value("propulsion", "high", "propulsive_impulse_mps", ".2f"),
    "rollover_low": path_value("propulsion", "low", "rollover_angle_deg", ".0f"),
    "rollover_high": path_value("propulsion", "high", "rollover_angle_deg", ".0f"),
    "peak_low": path_value("propulsion", "low", "gyro_y_pushoff_peak_dps", ".0f"),
    "peak_high": path_value("propulsion", "high", "gyro_y_pushoff_peak_dps", ".0f"),
}.items():
    glue(name, value, display=False)

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
# The numbers of every variant:

# %%
path_numbers.round(3)

# %% [markdown]
# In the recordings these paths are never this clean: stride-to-stride variation, noise, the
# IMU's mounting angle and the FSR errors sit on top, and every path is shared with other
# effects (speed, foot strike). The network of chapters 3 to 5 has to learn to read the AP force
# back from these traces.
#
# ## What makes treadmill and overground differ
#
# The simulator models each difference between the two data sets with one switch of
# `grfkit.simulate.DomainGap`, so that a reader can switch one off and see what it does to
# transfer learning. The table lists them as the code documents them; chapter 5 switches them
# all off (`grfkit.simulate.NO_GAP`). What no switch removes: the two data sets have different
# runners, and force is measured differently (treadmill belt versus floor plates).

# %%
DomainGap.switches()

# %% [markdown]
# The vertical force comes from the two-mass model of running {cite:p}`clark2017`: an impact of
# the lower limb plus the slower loading of the rest of the body, with contact time, step time
# and peak forces that follow speed; the anteroposterior force from the line between the centre
# of pressure and the point above the centre of mass that the force aims at. The [Real running data](06_real_data) chapter
# checks these curves against real force recordings.
#
# The raw format is documented in [Raw data format](../book/data_format): researchers can bring
# their own recordings in it.
#
# ## Recap
#
# * Separate cohorts, as in the study: overground runners looping over floor plates, and
#   treadmill runners on the published protocol. The book runs a subset of them.
# * Each bout has a table per instrument, on the lab's clock or the insole's; chapter 2 aligns
#   the clocks and cuts the stances.
# * Overground, only clean plate contacts have a force curve; on the treadmill every step does.
# * The insole feels the normal force through the plantar load model and imperfect FSRs; the AP
#   force reaches the wearables only through physical paths — the shoe's deceleration at
#   touchdown, the timing of heel rise and forefoot loading, and the push-off roll.
# * Every modelled difference between treadmill and overground is a `DomainGap` switch.
