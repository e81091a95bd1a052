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
# Both data sets pair wearable signals — a pressure insole with 16 force-sensitive resistors
# (FSR) under each foot and an inertial measurement unit (IMU) on the left shoe — with a
# gold-standard force measurement.
#
# | | overground | treadmill |
# |---|---|---|
# | participants | 15 (6 female) | 50 runners {cite:p}`carter2024` |
# | running | three 2-min bouts (slow, medium, fast, self-selected), looping around the lab | 3 personalised speeds × 3 gradients |
# | force | 4 force plates in the floor: only *some* left-foot contacts land cleanly on one plate | instrumented treadmill: *every* contact is measured |
# | speed | from a waist marker (motion capture), varies around the loop | belt speed, constant |
# | stances | few | about 70 times more |
#
# The study's recordings are private. grfkit therefore ships a **simulated cohort** that follows
# the same protocol and — unlike a real lab — knows its own ground truth: the true clock offset
# of every insole recording and the true timing of every foot contact. This chapter shows what
# the simulator records. Everything downstream (preprocessing, models) treats these recordings
# exactly as it would treat real ones: the truth is only used to *score* the methods.
#
# :::{note}
# Change `scale` below to `"ci"` for a quick run or `"paper"` for the study's full size
# (15 + 50 participants; it takes a while). `seed` draws another cohort.
# :::

# %% tags=["parameters"]
scale = "book"
seed = 0

# %%
from grfkit.cohort_cache import prepare_cohort
from grfkit.rawdata import read_bout, read_bouts, read_participants, read_truth
from grfkit.signal_plots import bout_signals_figure, cohort_figure

cohort = prepare_cohort(scale, seed)
participants = read_participants(cohort.raw_dir)
bouts = read_bouts(cohort.raw_dir)
true_trials, true_contacts = read_truth(cohort.raw_dir)
participants.groupby("dataset")[["body_mass_kg", "height_m", "insole_length_m"]].describe().round(2).T

# %% [markdown]
# ## Two cohorts
#
# The two data sets come from **different people**, as in the study: the treadmill cohort is
# its own group of runners with its own spread of body size, foot-strike pattern and speeds.
# Each point is one participant (body mass, height) or one bout (speed). Hover to see who.

# %%
cohort_figure(participants, bouts)

# %%
participants.groupby(["dataset", "foot_strike"]).size().unstack(fill_value=0)

# %% [markdown]
# ## What the lab records in one overground bout
#
# Four tables per bout, each on its own clock:
#
# * **force** (1000 Hz, lab clock): force and centre of pressure of each plate;
# * **marker** (200 Hz, lab clock): the waist marker, missing outside the capture volume;
# * **insole** (1000 Hz, *insole* clock): 16 FSR channels per foot, in raw ADC counts;
# * **IMU** (1125 Hz, *insole* clock): accelerometer (with gravity) and gyroscope on the left shoe.
#
# The insole system starts its own clock, which is offset from the lab's by seconds and runs
# slightly fast or slow (tens of parts per million). In the three seconds below, the plate
# forces (top) come in bursts — a pass over the four plates — while the insole loads never stop.
# The two are not yet aligned: chapter 2 does that.

# %%
og = bouts.loc[bouts["dataset"] == "overground"].iloc[0]
og_bout = read_bout(cohort.raw_dir / og["dataset"] / og["participant"] / og["bout"])
first_plate_contact = true_contacts.query(
    "dataset == @og.dataset and participant == @og.participant and bout == @og.bout and plate == plate"
)["ic_s"].min()
bout_signals_figure(og_bout, start_s=max(first_plate_contact - 1.0, 0.0), duration_s=3.0)

# %% [markdown]
# ## ... and in one treadmill bout
#
# On the treadmill one force-measuring belt (`belt`) sees every contact of both feet. The
# treadmill's frame rings after each impact and the motor adds vibration: measurement effects
# that overground plates do not have (see `grfkit.simulate.treadmill.TreadmillConfig`).

# %%
tm = bouts.loc[bouts["dataset"] == "treadmill"].iloc[0]
tm_bout = read_bout(cohort.raw_dir / tm["dataset"] / tm["participant"] / tm["bout"])
bout_signals_figure(tm_bout, start_s=float(tm_bout.force["time_s"].iloc[0]) + 2.0, duration_s=3.0)

# %% [markdown]
# ## How many contacts are usable?
#
# The generator writes every foot contact to `truth/stances.csv`, with the plate it landed on
# and whether the whole footprint stayed on that one plate (`clean`). Overground, most contacts
# miss the plates altogether (`off_plate`), and some land across two plates (`straddle`) or over
# a plate's edge (`edge`): only clean ones give a complete force curve. On the treadmill every
# contact is clean. The ratio of usable stances is what makes the treadmill data set so much
# larger.

# %%
true_contacts.assign(reason=true_contacts["reason"].replace("", "clean")).groupby(
    ["dataset", "foot", "reason"]
).size().unstack(fill_value=0)

# %% [markdown]
# ## What makes treadmill and overground differ
#
# The simulator models each difference with its own parameter, so that a reader can switch
# one off and see what it does to transfer learning (chapter 5):
#
# * **population** — separate cohorts (`grfkit.simulate.participants.OVERGROUND_COHORT`,
#   `TREADMILL_COHORT`);
# * **speed** — constant belt speed on the treadmill; overground, runners slow into the turns
#   and speed up out of them, so stances have a net braking or propulsive impulse
#   (`grfkit.simulate.overground.OvergroundConfig`);
# * **gradient** — uphill and downhill treadmill conditions;
# * **measurement** — frame resonance, motor vibration, larger offsets and COP noise on the
#   treadmill; partial and split contacts on plates overground
#   (`grfkit.simulate.treadmill.TreadmillConfig`).
#
# The stance force itself comes from the two-mass model of running {cite:p}`clark2017`: an
# impact of the lower limb plus the slower loading of the rest of the body, with contact time,
# step time and peak forces that follow speed. The [Real running data](06_real_data) chapter
# checks these curves against real force recordings.
#
# The raw format is documented in [Raw data format](../book/data_format): researchers can bring
# their own recordings in it.
