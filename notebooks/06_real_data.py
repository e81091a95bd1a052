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
# 2. **validate the simulator**: compare simulated and real stances at matched speeds, on
#    runners held out from the simulator's calibration, measure how much real runners'
#    speed varies from step to step, and check that the simulated cohort leaves the wearables
#    as much to explain as real runners do;
# 3. a **treadmill → overground** demonstration: a model trained on Hamner's treadmill
#    runners estimates Dorn's overground jog (3.5 m/s, inside the 2-5 m/s training range) and
#    sprint (9 m/s, far outside it);
# 4. the study's network on a **real wearable**: sacral accelerometer → vertical force.
#
# **Without the data.** Each data set is looked up on its own (`grfkit.real.availability`), so a
# present one is used even when another is absent. Every section whose data set is absent shows
# the tables, figures and numbers of a **kept run** instead: this page executed once with all the
# data, from a clean commit, with `keep_results = True` (`make keep-real-data`), and kept in
# `results/real-data/` with its provenance (`grfkit.storage.kept_run`). A note at the top of the page
# then names the absent data sets, the kept run's commit and command, and how to fetch the data
# (`grfkit data fetch`, or `make data`). The simulated parts — the static baseline on the
# simulated cohort and the oracle floor — are always computed.
#
# :::{important}
# **What is real and what is derived.** The forces, centres of pressure and marker
# trajectories are measured. Hamner and Dorn have **no wearables**: the shoe IMU and the
# pressure insole of step 3 are *virtual* — computed from the foot markers and from the
# measured force and centre of pressure through the simulator's own insole model. The
# virtual insole is therefore built from the very vertical force the model is asked to
# estimate: step 3 cannot measure how well wearables estimate force, and it says nothing
# about the noise, drift and fit of real insoles and IMUs. In every step the stance window
# (initial contact and toe-off), the contact time and the speed come from the laboratory —
# force plates, the instrumented treadmill's belt speed, markers — not from the wearables.
# Only the Alcantara accelerometer (step 4) is a real wearable signal.
# :::
#
# `scale = "ci"` trains tiny models for a quick check; `"book"` is what this page shows;
# `"paper"` trains longer.

# %% tags=["parameters"]
scale = "book"
seed = 0
keep_results = False  # True: keep this run's tables, figures and facts in results/real-data (needs every data set)

# %%
import numpy as np
import pandas as pd
import plotly.graph_objects as go
from IPython.display import Markdown
from myst_nb import glue

from grfkit.errors import ConfigError
from grfkit.io.channels import fsr_channels
from grfkit.io.read import read_truth
from grfkit.plots.real import (
    condition_rrmse_figure,
    estimates_figure,
    input_curves_figure,
    mean_curves_figure,
    participant_rrmse_figure,
    stance_count_figure,
    validation_curves_figure,
)
from grfkit.preprocess.ground_truth import oracle_floor
from grfkit.real.alcantara import (
    alcantara_stances,
    condition_split_evaluation,
    summarise_by_trial,
)
from grfkit.real.availability import locate_real_data
from grfkit.real.calibration import CALIBRATION, VALIDATION
from grfkit.real.chain import skip_reasons, stance_counts
from grfkit.real.dorn import dorn_stances
from grfkit.real.hamner import hamner_stances
from grfkit.real.readers.alcantara import ALCANTARA_SAMPLING_RATE_HZ
from grfkit.real.speed_variability import (
    dorn_step_speeds,
    hamner_step_speeds,
    summarise_speed_variability,
)
from grfkit.real.transfer import (
    leave_one_subject_out,
    real_data_preset,
    summarise_transfer,
    train_and_test,
)
from grfkit.real.validation import (
    BASELINE_TOLERANCE_PCT,
    HAMNER_SPEED_RANGE_MPS,
    LEVEL_TOLERANCE_DEG,
    baseline_sim_vs_real,
    format_validation_table,
    runner_spread,
    stance_features,
    static_baseline_loso,
    validate_simulator,
)
from grfkit.real.wearables import dorn_wearable_stances, hamner_wearable_stances
from grfkit.scales import get_real_scale
from grfkit.storage.cohort_cache import prepare_cohort
from grfkit.storage.kept_run import open_kept_run

config = get_real_scale(scale)
real = locate_real_data()  # each data set on its own: present (checksums verified) or absent
kept = open_kept_run(
    "real-data", keep=keep_results, parameters={"scale": scale, "seed": seed},
    command=f"make keep-real-data SCALE={scale} SEED={seed}",
)
if keep_results and real.absent:
    raise ConfigError(f"keep_results needs every real data set; absent: {', '.join(real.absent)}")
facts: dict[str, str] = {}  # every number the prose quotes, glued at the end of the page
Markdown(real.note(kept.describe())) if real.absent else config

# %% [markdown]
# ## 1. The preprocessing chain on real forces
#
# The same functions as for the simulated data (`grfkit.preprocess.events`, `grfkit.preprocess.filtering`,
# `grfkit.preprocess.segmentation`), applied per recording at its own sampling rate: the 20 Hz filter is
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
readers = {"hamner2013": hamner_stances, "dorn2012": dorn_stances, "alcantara2022": alcantara_stances}
stances, counts, reasons = {}, [], []
for name, read in readers.items():
    if real.has(name):
        stances[name] = read(real.folder(name))
        counts.append(kept.keep(f"counts_{name}", stance_counts(stances[name], by=("dataset", "bout"))))
        reasons.append(kept.keep(f"skip_reasons_{name}", skip_reasons([stances[name]])))
    else:
        counts.append(kept.recall(f"counts_{name}"))
        reasons.append(kept.recall(f"skip_reasons_{name}"))
counts = pd.concat(counts, ignore_index=True)
summary = counts.groupby("dataset", sort=False)[["accepted", "rejected", "total"]].sum()
summary["accepted_share"] = (summary["accepted"] / summary["total"]).round(3)
summary

# %%
stance_count_figure(counts)

# %% [markdown]
# Why stances were rejected:

# %%
pd.concat(reasons, ignore_index=True)

# %%
if real.has("dorn2012"):
    dorn = stances["dorn2012"]
    dorn_contacts = pd.concat([dorn.meta[["bout", "plate", "ic_s"]], dorn.skipped[["bout", "plate", "ic_s"]]])
    dorn_contacts = dorn_contacts.sort_values("ic_s")
    dorn_facts = {"dorn_force_rates_hz": ",".join(f"{r:.0f}" for r in dorn.meta["force_rate_hz"].unique())}
    for bout in ("jog", "sprint"):
        plates = dorn_contacts.loc[dorn_contacts["bout"] == bout, "plate"].str.removeprefix("plate")
        dorn_facts[f"dorn_{bout}_plates"] = ", ".join(plates)
        dorn_facts[f"dorn_{bout}_clean"] = str(int((dorn.meta["bout"] == bout).sum()))
        dorn_facts[f"dorn_{bout}_contacts"] = str(len(plates))
    dorn_features = stance_features(dorn).groupby("bout")
    propulsive = dorn_features["peak_propulsive_bw"].mean()
    dorn_facts["sprint_to_jog_propulsive"] = f"{propulsive['sprint'] / propulsive['jog']:.1f}"
    dorn_facts["sprint_contact_s"] = f"{dorn_features['contact_time_s'].mean()['sprint']:.2f}"
    dorn_facts["sprint_propulsive_bw"] = f"{propulsive['sprint']:.2f}"
    facts |= kept.keep("facts_dorn", dorn_facts)
else:
    facts |= kept.recall("facts_dorn")
if real.has("hamner2013"):
    hamner = stances["hamner2013"]
    facts |= kept.keep("facts_hamner", {
        "hamner_force_rates_hz": ",".join(f"{r:.0f}" for r in hamner.meta["force_rate_hz"].unique()),
        "hamner_shortest_contact_s": f"{hamner.meta['contact_time_s'].min():.2f}",
        "hamner_largest_propulsive_bw": f"{stance_features(hamner)['peak_propulsive_bw'].max():.2f}",
    })
else:
    facts |= kept.recall("facts_hamner")

# %% [markdown]
# Dorn's jog crosses plates {glue:text}`dorn_jog_plates`; at the end of the right foot's
# contact on plate 2 its toes touch plate 3 just after plate 2's 20 N toe-off, so that contact
# is rejected as a straddle ({glue:text}`dorn_jog_clean` of {glue:text}`dorn_jog_contacts`
# jog contacts are clean). Of the sprint's {glue:text}`dorn_sprint_contacts` contacts (plates
# {glue:text}`dorn_sprint_plates`) {glue:text}`dorn_sprint_clean` are clean. The mean curves of
# every condition:

# %%
if real.has("hamner2013"):
    groups = {f"{v:g} m/s": hamner.subset((hamner.meta["speed_mps"] == v).to_numpy()) for v in (2.0, 3.0, 4.0, 5.0)}
    fig = kept.keep("curves_hamner", mean_curves_figure(groups, title="Hamner treadmill: mean ± SD per speed"))
else:
    fig = kept.recall("curves_hamner")
fig

# %%
if real.has("dorn2012"):
    groups = {bout: dorn.subset((dorn.meta["bout"] == bout).to_numpy()) for bout in ("jog", "sprint")}
    fig = kept.keep("curves_dorn", mean_curves_figure(groups, title="Dorn overground: mean ± SD per trial"))
else:
    fig = kept.recall("curves_dorn")
fig

# %% [markdown]
# Faster running brings shorter, higher vertical peaks and larger braking and propulsive
# forces; the sprint's mean propulsive peak is {glue:text}`sprint_to_jog_propulsive` times the
# jog's. The Hamner forces are very smooth: the published files were low-pass filtered before
# release, so impact peaks and loading rates cannot be compared with other data sets.
#
# ## 2. Does the simulator run like real runners?
#
# **Calibration and validation runners.** The simulator was corrected by comparing it with
# these recordings (below), so comparing it with the same recordings again would be circular.
# The real runners are therefore split once, by a fixed rule
# (`grfkit.real.calibration`): Hamner's first five subjects in their published numbering
# calibrate, the last five validate, and Dorn's single runner — whose jog guided the braking
# correction — calibrates, so **no overground runner is held out**. The verdict below is
# computed on the {glue:text}`held_out_runners`. The split was introduced after the
# corrections listed below, which had looked at all ten Hamner runners: the validation runners
# are held out from every simulator change made since, not from those.
#
# The simulator's treadmill bouts at Hamner's four belt speeds (level) and, for the calibration
# part, its overground bouts at 3.5 m/s go through the **same chain**, and six stance features
# are compared: peak vertical force, peak braking and propulsive force (BW), contact time, and
# braking and propulsive impulse (BW·s). `z` is the difference of the means in units of the
# reference spread: the real SD for Hamner (several runners), the simulated cohort's SD for
# Dorn (a single runner's stance-to-stance SD is no population spread, so the question there
# is whether the real runner is a plausible member of the simulated population). The sprint is
# listed without simulation: it is far outside the speeds the simulator's gait relations are
# written for, and extrapolating them would be guesswork; Hamner's slowest speed is also below
# that range.

# %%
simulation = dict(
    n_participants=config.validation_participants,
    treadmill_duration_s=config.treadmill_duration_s,
    overground_duration_s=config.overground_duration_s,
    seed=seed,
)
if real.has("hamner2013"):
    validation = validate_simulator(hamner, None, part=VALIDATION, **simulation)  # no held-out overground runner
    compared = validation.table.dropna(subset=["inside"])
    outside = compared[~compared["inside"].astype(bool)]
    real_curves = validation.curves[(validation.curves["channel"] == "apgrf")]
    braking_peak = real_curves.loc[real_curves.groupby(["comparison", "source"])["mean_bw"].idxmin()]
    braking_peak_pct = braking_peak.groupby("source")["stance_pct"].mean()
    by_feature = validation.table.set_index(["comparison", "feature"])
    balance = (
        by_feature.xs("braking_impulse_bws", level="feature")["real_mean"]
        - by_feature.xs("propulsive_impulse_bws", level="feature")["real_mean"]
    )
    spread = runner_spread(validation.comparisons)
    ratios = spread[["between_ratio", "within_ratio"]]
    facts |= kept.keep("facts_validation", {
        "held_out_runners": validation.runners,
        "held_out_inside": f"{int(compared['inside'].sum())} of {len(compared)}",
        "held_out_outside": (
            "; ".join(f"{row.label} at {row.comparison} (z = {row.z:.1f})" for row in outside.itertuples())
            if len(outside) else "none"
        ),
        "braking_peak_pct_real": f"{braking_peak_pct['real']:.0f}",
        "braking_peak_pct_simulated": f"{braking_peak_pct['simulated']:.0f}",
        "hamner_impulse_balance_bws": f"{balance.abs().max():.4f}",
        "spread_between_range": f"{ratios['between_ratio'].min():.2f}–{ratios['between_ratio'].max():.2f}",
        "spread_within_range": f"{ratios['within_ratio'].min():.2f}–{ratios['within_ratio'].max():.2f}",
    })
    table = kept.keep("validation_table", format_validation_table(validation.table))
    spread_table = kept.keep("spread_table", spread.set_index(["comparison", "feature"]).round(4))
    curves_fig = kept.keep(
        "validation_curves", validation_curves_figure(validation.curves, title="Simulated vs held-out real stances (mean ± SD)")
    )
else:
    facts |= kept.recall("facts_validation")
    table, spread_table, curves_fig = (kept.recall(name) for name in ("validation_table", "spread_table", "validation_curves"))
table

# %%
curves_fig

# %% [markdown]
# On the held-out runners {glue:text}`held_out_inside` simulated stance features lie within
# two real SD of the real mean; outside: {glue:text}`held_out_outside`. With five runners per
# speed the real SD is itself uncertain, so this is a coarse check, not a proof of realism.

# Means are not the whole story: a simulated cohort whose runners are too alike, or whose
# strides repeat too exactly, makes estimation easier than it is. The spread **between runners**
# (SD of the runners' mean values) and **within one runner** (mean of each runner's own SD over
# their stances), held-out real runners beside the simulated ones, with the ratio simulated /
# real (`grfkit.real.validation.runner_spread`):

# %%
spread_table

# %% [markdown]
# Ratios of simulated to real spread: between runners {glue:text}`spread_between_range`, within
# one runner {glue:text}`spread_within_range` (1 would be a perfect match). With four or five
# runners per condition these SDs are themselves uncertain by tens of percent; values far from
# 1 point at what the simulator over- or under-states.
#
# For transparency, the same comparison on the calibration runners, which include Dorn's
# overground runner — what the simulator was tuned against, so agreement here is expected
# rather than evidence:

# %%
if real.has("hamner2013", "dorn2012"):
    calibration = validate_simulator(hamner, dorn, part=CALIBRATION, **simulation)
    compared = calibration.table.dropna(subset=["inside"])
    facts |= kept.keep("facts_calibration", {"calibration_inside": f"{int(compared['inside'].sum())} of {len(compared)}"})
    calibration_table = kept.keep("calibration_table", format_validation_table(calibration.table))
else:
    facts |= kept.recall("facts_calibration")
    calibration_table = kept.recall("calibration_table")
calibration_table

# %% [markdown]
# On the calibration runners {glue:text}`calibration_inside` features lie inside. This
# comparison changed the simulator. Its first version fell outside the real spread in three
# ways, each traced to a physical cause and fixed in `grfkit.simulate` (never tuned to the
# study's errors):
#
# 1. **The treadmill runner's speed jittered.** The runner's drift along the belt was an
#    Ornstein-Uhlenbeck path, which is not differentiable: its finite differences gave large
#    speed jumps between successive samples, and each step's momentum balance turned them
#    into braking and propulsive impulses spread much wider than Hamner's. The drift path is
#    now smoothed, as a runner holding position on a belt moves; how much real runners' speed
#    does vary from step to step is measured below.
# 2. **A belt-friction artefact.** A backward force proportional to the normal load made the
#    simulated braking impulse exceed the propulsive one; on Hamner's treadmill (held-out
#    runners) the two agree within {glue:text}`hamner_impulse_balance_bws` BW·s at every
#    speed. The term is now off by default.
# 3. **Braking was too strong.** A braking peak that rose with speed by a fixed relation put
#    the simulated braking peak and impulse several SD above Hamner's. That relation was first
#    lowered, then replaced by physics with nothing to fit: the ground reaction force points
#    from the centre of pressure to the centre of mass, so the anteroposterior force follows
#    from the vertical force, the centre of pressure's path along the foot, the running speed
#    and the height of the point the force aims at (`grfkit.simulate.grf_model`). Two numbers
#    of that model — the height of that point and the impact's share of braking — were chosen
#    on the calibration runners only; the comparison above, on the held-out runners, is of
#    that model.
#
# `tests/test_validation.py` keeps the simulator inside the held-out Hamner runners' spread at
# 3 and 4 m/s (with the real data) and inside physical ranges (always). What remains visible in
# the curves: the simulated impact rises faster than Hamner's pre-filtered forces, and the
# simulated braking lobe peaks earlier in stance (at {glue:text}`braking_peak_pct_simulated` %
# of stance on average, against {glue:text}`braking_peak_pct_real` % in the held-out runners).
#
# ### Step-to-step speed of real runners
#
# How much does a real runner's speed change from one step to the next? A step runs from the
# initial contact of one foot to that of the other (events from the force, as above); its mean
# speed is the forward displacement of the pelvis over the step time — the centroid of the
# {glue:text}`hamner_pelvis_markers` markers for Hamner and of {glue:text}`dorn_pelvis_markers`
# for Dorn (`grfkit.real.speed_variability`). On the treadmill the runner's speed relative to
# the belt is the belt speed plus the pelvis's velocity along it; the files hold no belt-speed
# signal, so the nominal belt speed is taken as constant — it cancels from every step-to-step
# change. The braking impulse is expressed as the velocity it removes (impulse over body mass).

# %%
if real.has("hamner2013"):
    steps = hamner_step_speeds(real.folder("hamner2013"), hamner)
    treadmill_steps = summarise_speed_variability(steps)
    facts |= kept.keep("facts_steps_hamner", {
        "hamner_pelvis_markers": ", ".join(steps["markers"].iloc[0].split("+")),
        "step_change_sd_range": (
            f"{treadmill_steps['speed_change_sd_mps'].min():.3f}-{treadmill_steps['speed_change_sd_mps'].max():.3f}"
        ),
        "step_cv_range": (
            f"{100 * treadmill_steps['speed_cv_mean'].min():.1f}-{100 * treadmill_steps['speed_cv_mean'].max():.1f}"
        ),
        "step_change_to_braking": (
            f"{treadmill_steps['change_to_braking'].min():.2f}-{treadmill_steps['change_to_braking'].max():.2f}"
        ),
        "step_net_impulse_r": (
            f"{treadmill_steps['change_net_impulse_r'].min():.2f}-{treadmill_steps['change_net_impulse_r'].max():.2f}"
        ),
        "hamner_steps": str(int(treadmill_steps["n_steps"].sum())),
        "hamner_step_trials": str(int(treadmill_steps["n_trials"].sum())),
    })
    treadmill_steps = kept.keep("steps_hamner", treadmill_steps.round(3))
else:
    facts |= kept.recall("facts_steps_hamner")
    treadmill_steps = kept.recall("steps_hamner")
if real.has("dorn2012"):
    steps = dorn_step_speeds(real.folder("dorn2012"))
    overground_steps = summarise_speed_variability(steps)
    facts |= kept.keep("facts_steps_dorn", {
        "dorn_pelvis_markers": ", ".join(steps["markers"].iloc[0].split("+")),
        "dorn_steps": str(int(overground_steps["n_steps"].sum())),
    })
    overground_steps = kept.keep("steps_dorn", overground_steps.round(3))
else:
    facts |= kept.recall("facts_steps_dorn")
    overground_steps = kept.recall("steps_dorn")
pd.concat([treadmill_steps, overground_steps], ignore_index=True)

# %% [markdown]
# Over {glue:text}`hamner_steps` steps of {glue:text}`hamner_step_trials` treadmill trials the
# SD of the step-to-step speed change is {glue:text}`step_change_sd_range` m/s per belt
# speed, the within-trial coefficient of variation of step speed
# {glue:text}`step_cv_range` %, and the speed change's SD is
# {glue:text}`step_change_to_braking` of the mean braking impulse per body mass. The speed
# changes correlate only weakly with the net fore-aft impulse of the stance between the two
# steps (r = {glue:text}`step_net_impulse_r`), although physics ties the two: one or both
# carry errors of the size of the changes themselves (the pelvis is not the centre of mass; a
# small fore-aft offset of a treadmill's force sensors adds to every stance's net impulse), so
# the SD above is best read as an upper bound on the runners' true step-to-step variation.
# Dorn's {glue:text}`dorn_steps` overground steps (one runner) illustrate, they do not
# estimate a spread.
#
# ### How much of each force do the wearables have to explain?
#
# A stance's contact time, speed, body mass and gradient already tell much of its force curve:
# the static baseline (`grfkit.model.baselines`: the mean curve of the training stances nearest in
# those four quantities) uses nothing else. What it misses is what the wearables have to
# explain — the stance-to-stance variation no static quantity accounts for. A simulator with
# too little of it would make wearable models look better than they can be on real runners;
# one with too much, worse. So the static baseline is scored the same way (leave one
# participant out, rRMSE averaged per participant, then over participants) on the real Hamner
# stances (every accepted stance of both feet, as in step 1) and on the simulated treadmill
# cohort of chapters 1-5 (left foot), once restricted to Hamner's conditions
# ({glue:text}`matched_rule`) and once whole (`grfkit.real.validation.baseline_sim_vs_real`). The
# simulator passes when its matched static-baseline rRMSE lies within
# ±{glue:text}`baseline_tolerance_pct` % (relative) of the real one, for each force.

# %%
cohort = prepare_cohort(scale, seed)  # the simulated cohort of chapters 1-5, from the cache
if real.has("hamner2013"):
    sim_vs_real = baseline_sim_vs_real(hamner, cohort.result.stances)
    kept.keep("baseline_real", sim_vs_real[sim_vs_real["cohort"] == "real"])
else:  # the real rows from the kept run; the simulated rows are computed here
    sim_vs_real = baseline_sim_vs_real(None, cohort.result.stances, real_scores=kept.recall("baseline_real"))
facts["matched_rule"] = (
    f"level within ±{LEVEL_TOLERANCE_DEG:g}°, speeds {HAMNER_SPEED_RANGE_MPS[0]:g}-{HAMNER_SPEED_RANGE_MPS[1]:g} m/s"
)
facts["baseline_tolerance_pct"] = f"{BASELINE_TOLERANCE_PCT:g}"
static = sim_vs_real[sim_vs_real["kind"] == "baseline_static"].set_index(["cohort", "target"])
for target in ("vgrf", "apgrf"):
    matched = static.loc[("simulated matched", target)]
    facts[f"baseline_sim_{target}"] = f"{matched['rrmse_pct']:.1f}"
    facts[f"baseline_sim_all_{target}"] = f"{static.loc[('simulated all', target), 'rrmse_pct']:.1f}"
    facts[f"baseline_real_{target}"] = f"{static.loc[('real', target), 'rrmse_pct']:.1f} %"
    inside = "within" if matched["within_tolerance"] else "outside"
    facts[f"baseline_verdict_{target}"] = (
        f"{matched['relative_difference_pct']:+.1f} % relative to the real runners: {inside} ±{BASELINE_TOLERANCE_PCT:g} %"
    )
sim_vs_real.set_index(["cohort", "target", "kind"]).round(2)

# %% [markdown]
# The static baseline's rRMSE on the matched simulated stances is {glue:text}`baseline_sim_vgrf` %
# for the vertical force (real: {glue:text}`baseline_real_vgrf`), {glue:text}`baseline_verdict_vgrf`;
# for the anteroposterior force {glue:text}`baseline_sim_apgrf` % (real:
# {glue:text}`baseline_real_apgrf`), {glue:text}`baseline_verdict_apgrf`. On the whole simulated
# treadmill cohort, slopes and all speeds, it is {glue:text}`baseline_sim_all_vgrf` % and
# {glue:text}`baseline_sim_all_apgrf` %. The mean-curve rows are context, not the criterion: the
# mean curve knows no speed or slope, so its error depends on how widely the conditions of a
# cohort spread, which differs between the simulated protocol and Hamner's.
#
# **The floor.** The simulator knows every stance's true force: its truth table holds the
# parameters of each contact's force model. An *oracle* that knows them all — everything a
# wearable could in principle sense — rebuilds the true force, samples it like the plate,
# filters it with the same 20 Hz filter, cuts it at the same detected initial contact and
# toe-off and normalises it to the same 101 points as the measured target
# (`grfkit.preprocess.ground_truth.oracle_floor`). Its error against the measured target is what the
# measurement alone leaves. Overground that is plate noise, offsets and resolution, all random:
# no model, with any sensors, can go below it. On the treadmill it also holds the belt's
# resonance, a fixed transform of the force that a model could in principle learn, so there
# the oracle's error bounds the floor from above.

# %%
_, truth = read_truth(cohort.raw_dir)
floors = pd.concat(
    [oracle_floor(cohort.raw_dir, cohort.result.stances, truth, target=target) for target in ("vgrf", "apgrf")]
)
floor = floors.groupby(["dataset", "target"], sort=False)["rrmse_pct"].agg(["mean", "min", "max"])
floor["participants"] = floors.groupby(["dataset", "target"], sort=False).size()
for target in ("vgrf", "apgrf"):
    mean, low, high = floor.loc[("overground", target), ["mean", "min", "max"]]
    facts[f"oracle_overground_{target}"] = f"{mean:.2f} % (participants {low:.2f}-{high:.2f} %)"
    treadmill_floor = floor.loc[("treadmill", target), "mean"]
    facts[f"oracle_treadmill_{target}"] = f"{treadmill_floor:.2f} %"
    facts[f"floor_share_{target}"] = f"{100 * treadmill_floor / static.loc[('simulated all', target), 'rrmse_pct']:.0f}"
facts["oracle_unmatched"] = str(int(floors.loc[floors["target"] == "vgrf", "n_unmatched"].sum()))
floor.round(3)

# %%
fig = go.Figure()
for cohort_name, group in static.reset_index().groupby("cohort", sort=False):
    fig.add_trace(go.Bar(
        x=group["target"], y=group["rrmse_pct"], name=f"static baseline, {cohort_name}",
        error_y=dict(type="data", symmetric=False, array=group["rrmse_pct_max"] - group["rrmse_pct"],
                     arrayminus=group["rrmse_pct"] - group["rrmse_pct_min"]),
    ))
for dataset, group in floor.reset_index().groupby("dataset", sort=False):
    fig.add_trace(go.Bar(
        x=group["target"], y=group["mean"], name=f"oracle floor, simulated {dataset}",
        error_y=dict(type="data", symmetric=False, array=group["max"] - group["mean"],
                     arrayminus=group["mean"] - group["min"]),
    ))
fig.update_layout(barmode="group", title="What the wearables have to explain: no-wearable error and the floor",
                  yaxis_title="rRMSE (%), mean over participants (bars: range)", xaxis_title="force")
fig

# %% [markdown]
# On the simulated overground cohort the oracle's rRMSE is {glue:text}`oracle_overground_vgrf`
# for the vertical force and {glue:text}`oracle_overground_apgrf` for the anteroposterior
# force; on the simulated treadmill {glue:text}`oracle_treadmill_vgrf` and
# {glue:text}`oracle_treadmill_apgrf` ({glue:text}`oracle_unmatched` treadmill stance(s)
# matched no true contact and are left out). On the simulated treadmill the floor is
# {glue:text}`floor_share_vgrf` % of the static baseline's error for the vertical force and
# {glue:text}`floor_share_apgrf` % for the anteroposterior force. Between the floor and the
# static baseline lies what the wearables have to explain; a wearable model's error above the
# floor is set by what its sensors capture of each stance's force, not by the force plates.
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
#
# :::{warning}
# **The virtual insole is made from the target.** Its 16 pressure channels are the measured
# vertical force — the quantity the network estimates — spread over the insole by the measured
# centre of pressure; the network is asked, in effect, to undo the simulator's insole model.
# The stance window (the force plates' or belt's 20 N crossings), the contact time (from the
# same force) and the speed (belt speed, or the pelvis markers overground) are laboratory
# measurements too, not wearable ones. What this section **can** show: the chain and the model
# run on real force recordings; and whether a mapping learned on treadmill stances carries over
# to overground force *shapes* (the jog, and the sprint outside the training speeds) when the
# inputs are known functions of the force. What it **cannot** show: how accurately real
# insoles and IMUs estimate force, or whether treadmill-trained models transfer with real
# sensors — the errors below are likely optimistic for a wearable system.
# :::

# %%
if real.has("hamner2013"):
    hamner_wear = hamner_wearable_stances(real.folder("hamner2013"), hamner, seed=seed)
    fsr_total = sum(hamner_wear.input(channel) for channel in fsr_channels("left"))
    r = np.corrcoef(fsr_total.ravel(), hamner_wear.target("vgrf_n").ravel())[0, 1]
    facts |= kept.keep("facts_insole", {"insole_target_r": f"{r:.3f}"})
    shown = {"Hamner (treadmill)": hamner_wear}
    if real.has("dorn2012"):
        dorn_wear = dorn_wearable_stances(real.folder("dorn2012"), dorn, seed=seed)
        shown["Dorn (overground)"] = dorn_wear
    fig = kept.keep("input_curves", input_curves_figure(shown))
else:
    facts |= kept.recall("facts_insole")
    fig = kept.recall("input_curves")
fig

# %% [markdown]
# How much of the target the inputs hold: over every point of every Hamner stance, the sum of
# the 16 virtual insole channels correlates with the measured vertical force at
# r = {glue:text}`insole_target_r`.
#
# The virtual insole depends on where the markers say the foot is. On Hamner the measured
# centre of pressure runs ahead of where the markers put the toes late in stance (for one
# runner throughout the stance); those samples are clipped onto the insole. The share of
# clipped samples per runner:

# %%
if real.has("hamner2013"):
    clipped = kept.keep("cop_clipped", hamner_wear.meta.groupby("participant")["cop_clipped_share"].mean().round(2).to_frame())
else:
    clipped = kept.recall("cop_clipped")
clipped

# %% [markdown]
# **Treadmill error (leave one subject out).** For each Hamner runner, one network per target
# is trained on the other runners' stances and estimates this runner's. rRMSE is the RMSE over
# the range of the measured curve, averaged per runner, then across runners (mean and range).
# Beside it, two estimators that use **no wearable signal**, scored the same way on the same
# held-out runners (`grfkit.model.baselines`): the training runners' mean curve, and the mean curve of
# the training stances nearest in contact time, speed, body mass and gradient — all of them
# laboratory quantities here.

# %%
if real.has("hamner2013"):
    held_out = hamner_wear.participants[: config.loso_participants]
    loso = leave_one_subject_out(hamner_wear, preset=real_data_preset(config), participants=held_out, seed=seed)
    loso_summary = summarise_transfer(loso).round(3)
    baselines = pd.concat([static_baseline_loso(hamner_wear, target=target) for target in ("vgrf", "apgrf")])
    baselines = baselines[baselines["participant"].isin(held_out)]
    network = loso_summary.set_index("target")["rrmse_pct_mean"].rename("network (virtual wearables)")
    comparison = pd.concat([network, baselines.groupby(["target", "kind"])["rrmse_pct"].mean().unstack()], axis=1).round(2)
    comparison.index.name = "target"
    loso_facts = {"loso_runners": str(len(held_out))}
    for target in ("vgrf", "apgrf"):
        network_rrmse, static_rrmse = comparison.loc[target, ["network (virtual wearables)", "baseline_static"]]
        loso_facts[f"loso_{target}"] = f"{network_rrmse:.1f}"
        loso_facts[f"static_{target}"] = f"{static_rrmse:.1f}"
        loso_facts[f"mean_{target}"] = f"{comparison.loc[target, 'baseline_mean']:.1f}"
        loso_facts[f"network_vs_static_{target}"] = "below" if network_rrmse < static_rrmse else "not below"
    facts |= kept.keep("facts_loso", loso_facts)
    loso_summary = kept.keep("loso_summary", loso_summary)
    comparison = kept.keep("loso_comparison", comparison)
    participants_fig = kept.keep("loso_participants", participant_rrmse_figure(loso, title="Hamner treadmill, leave one subject out"))
    estimates_fig = kept.keep(
        "loso_estimates", estimates_figure(loso, "vgrf", title="Hamner: measured vs estimated vertical force (held-out runners)")
    )
else:
    facts |= kept.recall("facts_loso")
    loso_summary, comparison, participants_fig, estimates_fig = (
        kept.recall(name) for name in ("loso_summary", "loso_comparison", "loso_participants", "loso_estimates")
    )
loso_summary

# %% [markdown]
# Mean rRMSE (%) over the held-out runners, network against the no-wearable baselines:

# %%
comparison

# %% [markdown]
# Over the {glue:text}`loso_runners` held-out runners the network's vertical-force rRMSE is
# {glue:text}`loso_vgrf` % against {glue:text}`static_vgrf` % for the static baseline and
# {glue:text}`mean_vgrf` % for the mean curve; for the anteroposterior force
# {glue:text}`loso_apgrf` %, {glue:text}`static_apgrf` % and {glue:text}`mean_apgrf` %: the
# network's error is {glue:text}`network_vs_static_vgrf` the static baseline's for the vertical
# force and {glue:text}`network_vs_static_apgrf` it for the anteroposterior force. Neither
# direction is evidence about wearables: the network's insole inputs are made from the measured
# vertical force, and the baselines know the laboratory's contact time and speed.

# %%
participants_fig

# %%
estimates_fig

# %% [markdown]
# **Overground.** A network trained on *all* Hamner runners estimates Dorn's clean left-foot
# stances: the jog lies inside the treadmill's speed range, the sprint far outside it, with
# contact times ({glue:text}`sprint_contact_s` s on average; the shortest treadmill stance:
# {glue:text}`hamner_shortest_contact_s` s) and propulsive peaks
# ({glue:text}`sprint_propulsive_bw` BW; the largest on the treadmill:
# {glue:text}`hamner_largest_propulsive_bw` BW) the network never saw in training.

# %%
if real.has("hamner2013", "dorn2012"):
    overground = train_and_test(hamner_wear, dorn_wear, preset=real_data_preset(config), seed=seed)
    overground_summary = summarise_transfer(overground, by=("target", "bout")).round(3)
    by_bout = overground_summary.set_index(["target", "bout"])
    overground_facts = {"dorn_left_stances": str(len(dorn_wear))}
    for target in ("vgrf", "apgrf"):
        for bout in ("jog", "sprint"):
            overground_facts[f"dorn_{bout}_{target}"] = f"{by_bout.loc[(target, bout), 'rrmse_pct_mean']:.1f}"
    facts |= kept.keep("facts_overground", overground_facts)
    overground_summary = kept.keep("overground_summary", overground_summary)
    vgrf_fig = kept.keep("overground_vgrf", estimates_figure(overground, "vgrf", title="Dorn overground: vertical force"))
    apgrf_fig = kept.keep("overground_apgrf", estimates_figure(overground, "apgrf", title="Dorn overground: anteroposterior force"))
else:
    facts |= kept.recall("facts_overground")
    overground_summary, vgrf_fig, apgrf_fig = (
        kept.recall(name) for name in ("overground_summary", "overground_vgrf", "overground_apgrf")
    )
overground_summary

# %%
vgrf_fig

# %%
apgrf_fig

# %% [markdown]
# The rRMSE of the vertical force is {glue:text}`dorn_jog_vgrf` % in the jog and
# {glue:text}`dorn_sprint_vgrf` % in the sprint; of the anteroposterior force
# {glue:text}`dorn_jog_apgrf` % and {glue:text}`dorn_sprint_apgrf` %. With one runner and
# {glue:text}`dorn_left_stances` stances these are illustrations, not estimates of an error
# rate — and, the virtual insole being made from the measured force, they do not show that a
# treadmill-trained *wearable* model works overground. What they can show is how a network
# trained on treadmill force shapes handles overground shapes, above all the sprint's
# propulsive force beyond anything in the training data. A network interpolates within what
# it has seen; the study's transfer learning fine-tunes on overground stances for this reason.
#
# ## 4. A real wearable: sacral accelerometer → vertical force
#
# The study's network (BiLSTM) gets the vertical and anteroposterior sacral acceleration of a
# stance (101 points) plus speed and slope, and estimates that stance's vertical force. Trials
# are grouped by condition (speed × slope; the 3.33 m/s conditions were repeated in 4-5
# trials) and whole conditions are dealt into folds, so no trial — and no condition — is ever
# both trained on and tested.

# %%
if real.has("alcantara2022"):
    accelerometer = condition_split_evaluation(
        stances["alcantara2022"], n_folds=config.alcantara_folds, preset=real_data_preset(config), seed=seed
    )
    accelerometer_summary = kept.keep("alcantara_summary", summarise_by_trial(accelerometer).round(2))
    trials_fig = kept.keep("alcantara_trials", condition_rrmse_figure(accelerometer, title="Alcantara: rRMSE of each test trial"))
    estimates_fig = kept.keep(
        "alcantara_estimates", estimates_figure(accelerometer, "vgrf", title="Alcantara: measured vs estimated vertical force")
    )
else:
    accelerometer_summary, trials_fig, estimates_fig = (
        kept.recall(name) for name in ("alcantara_summary", "alcantara_trials", "alcantara_estimates")
    )
facts["alcantara_rrmse"] = f"{accelerometer_summary['rrmse_pct_mean'].iloc[0]:.1f}"
facts["alcantara_published"] = f"{accelerometer_summary['published_rrmse_pct_mean'].iloc[0]:.1f}"
accelerometer_summary

# %%
trials_fig

# %%
estimates_fig

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

# %%
rates = {int(r) for name in ("hamner", "dorn") for r in facts[f"{name}_force_rates_hz"].split(",")}
facts["n_sampling_rates"] = str(len(rates | {round(ALCANTARA_SAMPLING_RATE_HZ)}))
for name, value in facts.items():
    glue(name, value, display=False)
if keep_results:
    kept.finish()

# %% [markdown]
# * The preprocessing chain runs unchanged on real treadmill and force-plate recordings at
#   {glue:text}`n_sampling_rates` sampling rates; rejected contacts are listed with their reason.
# * After three physical fixes made against these recordings, the simulator is checked on
#   runners held out from its calibration ({glue:text}`held_out_runners`):
#   {glue:text}`held_out_inside` stance features lie within the real spread at matched
#   speeds. No overground runner is held out, so the overground realism rests on one
#   calibration runner.
# * Real runners change speed from step to step by {glue:text}`step_change_sd_range` m/s (SD,
#   pelvis markers, treadmill) — the yardstick for the simulator's speed variation.
# * The treadmill → overground demonstration runs the method on real forces, but its virtual
#   insole is made from the measured vertical force, the target, and its stance windows,
#   contact times and speeds come from the laboratory. Its errors show how a network trained on
#   treadmill force shapes handles overground ones (the sprint, outside the training speeds,
#   is the hard case); they do not show that wearables transfer from treadmill to overground.
# * What the wearables have to explain: the static baseline's rRMSE on the simulated treadmill
#   cohort matched to Hamner's conditions is {glue:text}`baseline_sim_vgrf` % (vertical) and
#   {glue:text}`baseline_sim_apgrf` % (anteroposterior), {glue:text}`baseline_verdict_vgrf` and
#   {glue:text}`baseline_verdict_apgrf`; the measurement floor on the simulated overground
#   cohort is {glue:text}`oracle_overground_vgrf` and {glue:text}`oracle_overground_apgrf`.
# * On a real wearable signal (the Alcantara sacral accelerometer, stance windows still from the
#   force) the same network estimates the vertical force of unseen conditions with
#   {glue:text}`alcantara_rrmse` % rRMSE, beside the published {glue:text}`alcantara_published` %
#   of a different design.
