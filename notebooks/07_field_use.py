# ---
# jupyter:
#   kernelspec:
#     display_name: Python (grfkit)
#     language: python
#     name: grfkit
# ---

# %% [markdown]
# # 7. Using the model in the field
#
# ```{admonition} Learning objectives
# After this chapter you can
# - find the {term}`stance`s of a recording with no force plate from the insoles alone, and say
#   how far their {term}`IC` and {term}`TO` lie from the truth;
# - estimate the forces of every stance of such a recording with `grfkit predict`, and read what
#   it skipped and why;
# - measure what the wearables' events cost the estimate, against the force plate's, with paired
#   statistics;
# - read an uncertainty band: what its coverage means, and whether a wide band warns of a large
#   error;
# - ship a trained model to someone else: the model folder, its provenance, ONNX.
# ```
#
# Run time: see {ref}`run-times`.
#
# Chapters 2–6 cut every stance with a force plate: the plate says when the foot landed and
# left, and the plate's force is the target. That is how a model is trained and judged. It is
# not how it is used. The promise of wearables is an estimate **wherever people run**: on a
# track, a trail or a treadmill in a gym, where no plate says when a stance begins. Then the
# insoles must find the stances themselves, the shoe {term}`IMU` must say how fast the runner
# went, and nothing says whether an estimate is right.
#
# **In this chapter you will** take the combined-strategy models of chapter 5, record a
# simulated field session — new runners, overground, the lab's force plates and markers
# removed — and estimate the force of every stance from the wearables alone. The simulator
# knows the true force of every step, so each estimate can be scored: over every step, and on
# the few contacts that also landed on a plate, against the estimate the plate's own events
# would have given.
#
# The parameters: `scale` and `seed` choose the training cohort (as in chapters 4 and 5),
# `preset` the model (default: the scale's), `workers` the processes that train folds,
# `field_seed` the field session's runners (a seed the training cohort did not use: other
# people), and `nominal` the coverage the uncertainty band aims at.

# %% tags=["parameters"]
scale = "book"
seed = 0
preset = None
workers = 2
field_seed = 1000
nominal = 0.9

# %%
import dataclasses

import numpy as np
import pandas as pd
from myst_nb import glue

from grfkit.experiment.comparisons import (
    describe_comparison,
    paired_comparison,
)
from grfkit.experiment.config import ExperimentConfig
from grfkit.experiment.fold_ensemble import fold_ensemble
from grfkit.experiment.runner import run_experiment
from grfkit.experiment.store import default_results_dir
from grfkit.field.accuracy import event_accuracy
from grfkit.field.chain import FieldConfig, wearable_stances
from grfkit.field.predict import curve_columns, predict_stances
from grfkit.field.segmentation_cost import SEGMENTATIONS, segmentation_cost
from grfkit.field.session import simulated_field_session
from grfkit.field.truth_curves import true_stance_curves
from grfkit.io.read import read_bouts, read_participants
from grfkit.model.metrics import rmse, rrmse_pct
from grfkit.model.ood import TrainingRanges
from grfkit.model.uncertainty import band_coverage, width_error_correlation
from grfkit.plots.field import band_width_figure, field_stretch_figure
from grfkit.preprocess.skip_reasons import primary_reasons
from grfkit.scales import preset_for_scale
from grfkit.storage.cohort_cache import load_or_build_stances, preprocessed

TARGETS = ("vgrf", "apgrf")
config = ExperimentConfig(scale=scale, seed=seed,
                          preset=preset or preset_for_scale(scale),
                          strategies=("combined",))
stances = load_or_build_stances(scale, seed)
results = run_experiment(config, default_results_dir(config),
                         stances=stances, workers=workers,
                         progress=False, keep_models=True)
ensembles = {
    target: fold_ensemble(default_results_dir(config),
                          strategy="combined", target=target)
    for target in TARGETS
}
n_members = len(ensembles["vgrf"].members)
ranges = TrainingRanges.from_stances(
    stances, ensembles["vgrf"].members[0].features)
glue("n_members", str(n_members), display=False)
glue("preset_name", config.model_preset.name, display=False)
print(f"{n_members} fold models per force; "
      f"{results.provenance['n_fits_cached']} read from the cache, "
      f"{results.provenance['n_fits_computed']} trained")

# %% [markdown]
# ## The models: chapter 5's folds, all of them
#
# The combined strategy trains one model per held-out overground participant: the
# {glue:text}`n_members` models of its {term}`LOSO` {term}`fold`s (preset
# {glue:text}`preset_name`). Chapter 4 kept them (`keep_models=True`), so after chapter 4 they
# are read back from the cache, not trained again (the line above says which). For a runner none of them has seen, every one of them is a fair
# estimator, and together they are an *ensemble*: the estimate is their mean. Each was also
# scored on the participant it left out, and those held-out errors are what the uncertainty
# band below is built from.
#
# For a model of your own, `grfkit train STANCES --target vgrf --strategy combined --out
# MODEL_DIR` trains one on every participant, and `grfkit experiment ... --keep-models` keeps
# the fold models as above; either folder records the channels and their units, the
# normalisation, the preset, the grfkit version and the SHA-256 of every stance file it was
# trained on.
#
# ## A field session
#
# The field session is a new simulated cohort (seed {glue:text}`field_seed`): overground runs
# of {glue:text}`n_field_runners` runners, {glue:text}`n_field_bouts` bouts of
# {glue:text}`bout_minutes` minutes each, {glue:text}`field_hours` hours of recording in all.
# Of each bout only what a runner carries is kept — `bout.json`, the insoles and the shoe IMU;
# the force plates and the waist marker are left out. The participant labels repeat those of
# the training cohort (`OG01` …), but these are other people: other body masses, speeds and
# running styles, drawn with another seed.

# %%
session = simulated_field_session(scale, field_seed)
bouts = read_bouts(session.wearable_dir)
runners = read_participants(session.wearable_dir)
glue("field_seed", str(field_seed), display=False)
glue("n_field_runners", str(len(runners)), display=False)
glue("n_field_bouts", str(len(bouts)), display=False)
glue("bout_minutes", f"{session.scale.overground_duration_s / 60:g}",
     display=False)
field_hours = len(bouts) * session.scale.overground_duration_s / 3600
glue("field_hours", f"{field_hours:.1f}", display=False)
runners[["participant", "body_mass_kg", "sex", "foot_strike"]]

# %% [markdown]
# ## Finding the stances
#
# Without a plate, the stances come from the insole's total load: a contact starts where the
# load rises through a threshold and ends where it falls through another, with rules against
# flickers, and the shoe IMU's jolt at landing checks each contact
# (`grfkit.field.events.detect_wearable_stances`). Each stance is then cut and time-normalised
# exactly as in training. Its speed, a model input, comes from the IMU: the foot is still at
# mid-stance, so integrating the acceleration between two still moments gives the stride length
# and so the speed (zero-velocity updates, `grfkit.field.speed.imu_stance_speeds`).
#
# The simulator knows when each foot really landed and left (the 20 N crossings of its
# noise-free force), so every event can be scored:

# %%
accuracy = event_accuracy(session.raw_dir)
summary = accuracy.summary.set_index(["quantity", "unit"])
for key, (quantity, unit) in {"ic": ("IC", "ms"), "to": ("TO", "ms"),
                              "contact": ("contact time", "ms"),
                              "speed": ("IMU speed", "%")}.items():
    row = summary.loc[(quantity, unit)]
    glue(f"{key}_median", f"{row['median_abs']:.1f}", display=False)
    glue(f"{key}_p95", f"{row['p95_abs']:.1f}", display=False)
glue("to_signed", f"{summary.loc[('TO', 'ms'), 'median_signed']:+.1f}",
     display=False)
glue("plate_found_pct", f"{100 * accuracy.plate_contacts_found:.1f}",
     display=False)
glue("n_true_contacts", f"{len(accuracy.matches):,}", display=False)
accuracy.summary.round(2)

# %% [markdown]
# Of the {glue:text}`n_true_contacts` true contacts, the insoles find the initial contact
# within {glue:text}`ic_median` ms (median; 95th percentile {glue:text}`ic_p95` ms). Toe-off is
# harder: the insole unloads later than the force falls through 20 N, so TO is late by
# {glue:text}`to_signed` ms (median signed error), and the contact time is off by
# {glue:text}`contact_median` ms (median; 95th percentile {glue:text}`contact_p95` ms). The
# IMU's speed is off by {glue:text}`speed_median` % (median; 95th percentile
# {glue:text}`speed_p95` %). Of the contacts that landed cleanly on a plate,
# {glue:text}`plate_found_pct` % are found.
#
# ## Estimating the forces
#
# `grfkit predict MODEL_DIR RAW_DIR --out OUT` does all of it in one call: it refuses a model
# whose input channels or units the recording cannot supply, cuts the stances, estimates each
# one, and writes one row per stance — participant, bout, foot, IC and TO, the speed used and
# where it came from, the 101-point curve in newtons and in body weights, and the discrete
# measures a sports scientist asks for (peak force, loading rate, braking and propulsive peaks
# and impulses) — plus the list of contacts it did not estimate, each with its reason. From
# Python it is `grfkit.field.predict.predict_stances`:

# %%
field_config = FieldConfig(speed_source="imu")
predictions = {
    target: predict_stances(ensembles[target], session.wearable_dir,
                            config=field_config, nominal=nominal,
                            ranges=ranges)
    for target in TARGETS
}
vgrf_rows = predictions["vgrf"].stances
glue("n_field_stances", f"{len(vgrf_rows):,}", display=False)
glue("n_skipped", f"{len(predictions['vgrf'].skipped):,}", display=False)
measures = [c for c in vgrf_rows.columns
            if c.endswith(("_bw", "_bw_per_s", "_bws"))
            and not c.startswith("force_")]
vgrf_rows[["participant", "bout", "ic_s", "contact_time_s", "speed_mps",
           *measures]].head().round(3)

# %% [markdown]
# {glue:text}`n_field_stances` stances were estimated; {glue:text}`n_skipped` contacts were
# not, for these reasons:

# %%
(primary_reasons(predictions["vgrf"].skipped)
 .value_counts().rename("contacts").reset_index())

# %% [markdown]
# The right foot has no IMU, so its contacts are listed, not estimated: the model needs the shoe
# IMU of the foot it estimates. A contact cut off by the start or end of the recording, or
# without a complete stride around it for the IMU's speed, is listed too. Nothing is filled in.
#
# Here is a stretch of one bout as a field user sees it: each stance's estimate between the
# events the insoles found, its band, and (dotted) the force the simulator generated between
# the true events.

# %%
truths = {
    target: true_stance_curves(session.wearable_dir,
                               predictions[target].stances,
                               clock="insole")
    for target in TARGETS
}
bout_rows = vgrf_rows.groupby(["participant", "bout"]).ngroup() == 0
first = vgrf_rows.loc[bout_rows]
start_s = float(first["ic_s"].median())
field_stretch_figure(
    truths["vgrf"].table.loc[bout_rows],
    first[curve_columns("bw")].to_numpy(),
    truths["vgrf"].curves_bw("vgrf")[bout_rows.to_numpy()],
    lower_bw=first[curve_columns("bw", edge="lower")].to_numpy(),
    upper_bw=first[curve_columns("bw", edge="upper")].to_numpy(),
    target="vgrf", start_s=start_s, duration_s=3.0,
    title=f"{first['participant'].iloc[0]}, {first['bout'].iloc[0]} bout: "
          "vertical force",
)

# %% [markdown]
# ## How good is it over every step?
#
# Every stance the truth covers is scored against the true force between the true events, with
# the {term}`rRMSE` of chapter 4, and averaged per runner:

# %%
def field_scores(target: str) -> pd.DataFrame:
    rows = predictions[target].stances
    truth = truths[target]
    matched = truth.table["matched"].to_numpy()
    true_bw = truth.curves_bw(target)[matched]
    estimate_bw = rows[curve_columns("bw")].to_numpy()[matched]
    return pd.DataFrame({
        "participant": rows["participant"].to_numpy()[matched],
        "target": target,
        "rrmse_pct": rrmse_pct(true_bw, estimate_bw),
        "rmse_bw": rmse(true_bw, estimate_bw),
    })


scores = pd.concat([field_scores(t) for t in TARGETS], ignore_index=True)
per_runner = scores.groupby(["target", "participant"], sort=False)[
    "rrmse_pct"].mean().unstack("target")
for target in TARGETS:
    glue(f"field_{target}_rrmse", f"{per_runner[target].mean():.1f}",
         display=False)
glue("n_scored", f"{len(scores) // len(TARGETS):,}", display=False)
per_runner.round(1)

# %% [markdown]
# Over {glue:text}`n_scored` stances, the mean rRMSE per runner is
# {glue:text}`field_vgrf_rrmse` % for the vertical force and {glue:text}`field_apgrf_rrmse` %
# for the anteroposterior one. These are every step of the bouts — the speed-ups and slow-downs
# at either end of the runway and the turns included — where the experiment scores only clean,
# steady contacts on a plate.
#
# ## What do the wearables' events cost?
#
# To separate the cost of the events from everything else, take the contacts that landed
# cleanly on a plate and estimate each of them three ways with the same models: cut by the
# plate, as in the experiment; cut by the insoles' events but with the speed the plate chain
# gives; and cut by the insoles' events with the IMU's speed, as in the field. All three are
# scored against the same measured plate force (`grfkit.field.segmentation_cost`), and the
# runners are compared in pairs, as the strategies were in chapter 5.

# %%
plate_stances = preprocessed(session.raw_dir).stances
field_stances, _ = wearable_stances(session.raw_dir, config=field_config)
costs = {
    target: segmentation_cost(
        lambda s, t=target: ensembles[t].estimate(s, nominal=nominal).mean_bw,
        target, session.raw_dir, plate_stances, field_stances)
    for target in TARGETS
}
comparisons = []
for target, cost in costs.items():
    for other in SEGMENTATIONS[1:]:
        row = paired_comparison(cost.by_participant, other,
                                SEGMENTATIONS[0], target=target)
        comparisons.append(row)
        key = f"{target}_{'imu' if 'IMU' in other else 'events'}"
        glue(f"cost_{key}", describe_comparison(row), display=False)
glue("n_paired_contacts", str(costs["vgrf"].n_paired), display=False)
glue("n_plate_contacts", str(costs["vgrf"].n_plate_stances), display=False)
pd.DataFrame(comparisons)[
    ["target", "a", "b", "n_participants", "mean_a", "mean_b",
     "mean_difference_pp", "ci_low_pp", "ci_high_pp", "p_value"]
].round(3)

# %% [markdown]
# {glue:text}`n_paired_contacts` of the {glue:text}`n_plate_contacts` plate contacts pair with
# a stance the insoles found. Cut by the insoles' events instead of the plate's:
#
# - {glue:text}`cost_vgrf_events`
# - {glue:text}`cost_apgrf_events`
#
# Cut by the insoles' events and given the IMU's speed, as in the field:
#
# - {glue:text}`cost_vgrf_imu`
# - {glue:text}`cost_apgrf_imu`
#
# Where the difference is small, the reason is in the events: a late toe-off stretches the
# stance by a few milliseconds, about one percent of its length, and the time-normalised curve
# barely moves. The simulated insole is kinder than a real one — it does not shift in the shoe,
# wear, or drift with temperature — so in the field these costs are a lower bound.
#
# ## Can you trust the band?
#
# In the field nothing says when an estimate is wrong, so each curve comes with a band. It is
# built from the folds ({cite:p}`barber2021`, *jackknife+* with runners as the unit): fold
# model *k* never saw runner *k*, and its errors on runner *k* are what an unseen runner's
# errors look like. The band at each point of a new stance spans the middle of every fold
# model's estimate plus that fold's held-out errors at that point. With only
# {glue:text}`n_members` runners, and an error that is mostly an offset of each runner's own,
# a band that spans the nominal {glue:text}`nominal_pct` % of those values is too narrow for a
# new runner. So its level is calibrated on the training runners themselves, leaving each out
# in turn: the band of the others must cover {glue:text}`nominal_pct` % of the left-out
# runner's points (`grfkit.experiment.fold_ensemble.lopo_calibration`). For the vertical force
# that takes the level {glue:text}`level_vgrf`, for the anteroposterior force
# {glue:text}`level_apgrf`. Then the band is checked on the field session, which no fold has
# seen, against the true force of every step:

# %%
glue("nominal_pct", f"{100 * nominal:g}", display=False)
band_rows, width_rows = [], []
for target in TARGETS:
    level, _ = ensembles[target].band_level(nominal)
    glue(f"level_{target}", f"{level:.3f}", display=False)
    rows = predictions[target].stances
    truth = truths[target]
    matched = truth.table["matched"].to_numpy()
    true_bw = truth.curves_bw(target)[matched]
    estimate_bw, lower, upper = (
        rows[curve_columns("bw", edge=edge)].to_numpy()[matched]
        for edge in (None, "lower", "upper"))
    unsteady = rows["unsteady"].to_numpy()[matched]
    for steps, keep in (("every step", np.ones_like(unsteady)),
                        ("steady steps", ~unsteady),
                        ("unsteady steps", unsteady)):
        coverage = band_coverage(true_bw[keep], lower[keep], upper[keep])
        band_rows.append({
            "target": target, "steps": steps, "stances": int(keep.sum()),
            "coverage (%)": 100 * coverage.overall,
            "mean width (BW)": float(np.mean(upper[keep] - lower[keep])),
            "width-error rho": width_error_correlation(
                true_bw[keep], estimate_bw[keep], lower[keep], upper[keep]),
        })
    assert np.array_equal(field_stances.meta["ic_s"], rows["ic_s"])
    raw_band = ensembles[target].estimate(
        field_stances[np.flatnonzero(matched)], nominal, calibrated=False)
    band_rows.append({
        "target": target, "steps": "every step, uncalibrated",
        "stances": int(matched.sum()),
        "coverage (%)": 100 * band_coverage(
            true_bw, raw_band.lower_bw, raw_band.upper_bw).overall,
        "mean width (BW)": float(np.mean(raw_band.upper_bw
                                         - raw_band.lower_bw)),
        "width-error rho": width_error_correlation(
            true_bw, estimate_bw, raw_band.lower_bw, raw_band.upper_bw),
    })
    width_rows.append(pd.DataFrame({
        "target": target,
        "band_width_bw": (upper - lower).mean(axis=1),
        "rmse_bw": rmse(true_bw, estimate_bw),
    }))
band_table = pd.DataFrame(band_rows)
for _, row in band_table.iterrows():
    key = f"{row['target']}_{row['steps'].split()[0]}"
    if "uncalibrated" in row["steps"]:
        key = f"{row['target']}_uncalibrated"
    glue(f"coverage_{key}", f"{row['coverage (%)']:.1f}", display=False)
    glue(f"rho_{key}", f"{row['width-error rho']:.2f}", display=False)
unsteady_share = vgrf_rows["unsteady"].mean()
glue("unsteady_pct", f"{100 * unsteady_share:.0f}", display=False)
band_table.round(3)

# %% [markdown]
# Over every step, the calibrated {glue:text}`nominal_pct` % band covers
# {glue:text}`coverage_vgrf_every` % of the true vertical force's points and
# {glue:text}`coverage_apgrf_every` % of the anteroposterior force's; uncalibrated it would
# cover {glue:text}`coverage_vgrf_uncalibrated` % and {glue:text}`coverage_apgrf_uncalibrated` %.
# The column `unsteady`
# of `predict`'s output marks a stance whose neighbouring strides, by the IMU's speed, differ
# from it by more than 5 % — the training chain's own rule for a steady contact. The simulated
# overground bouts are shuttle runs along a runway, so {glue:text}`unsteady_pct` % of their
# steps are taken while speeding up, slowing down or turning: steps unlike any the models were
# trained on. On the steady steps the band covers {glue:text}`coverage_vgrf_steady` % (vertical)
# and {glue:text}`coverage_apgrf_steady` % (anteroposterior); on the unsteady ones
# {glue:text}`coverage_vgrf_unsteady` % and {glue:text}`coverage_apgrf_unsteady` %.
#
# Two things limit the band, and both are stated rather than tuned away. Its calibration rests
# on {glue:text}`n_members` runners, so a new runner may still lie outside it. And the held-out
# errors come from steady plate contacts: for a step unlike those — the unsteady ones — the
# anteroposterior band is too narrow. Whether a wider band warns of a larger error, stance by
# stance, is the Spearman correlation (`rho`) of each stance's mean band width with its RMSE:
# {glue:text}`rho_vgrf_every` (vertical) and {glue:text}`rho_apgrf_every` (anteroposterior)
# over every step. Near 0, it says that the band's width follows the point in the stance, not
# the stance: the band tells you how far off *a* stance may be, not which stance is off.

# %%
band_width_figure(pd.concat(width_rows, ignore_index=True))

# %% [markdown]
# ### Outside what the models learnt
#
# A band calibrated on the training runners says nothing about a runner unlike all of them.
# `predict` therefore also compares every stance with what the training stances covered
# (`grfkit.model.ood.TrainingRanges`): speed, body mass and contact time outside their training
# range, or insole and IMU signals outside the training stances' 0.5th–99.5th percentiles for
# too much of the stance. In this field session:

# %%
flags = ["ood_speed", "ood_body_mass", "ood_contact_time", "ood_signal", "ood",
         "unsteady"]
flag_counts = vgrf_rows[flags].sum().rename("stances flagged")
glue("n_ood", f"{int(vgrf_rows['ood'].sum()):,}", display=False)
flag_counts.to_frame()

# %% [markdown]
# {glue:text}`n_ood` of {glue:text}`n_field_stances` stances lie outside the training
# distribution on at least one count. A heavier runner than any in training is flagged, with
# the reason spelled out:

# %%
three = field_stances[:3]
heavy = dataclasses.replace(three, meta=three.meta.assign(body_mass_kg=140.0))
ranges.ood_flags(heavy)[["ood", "ood_reason"]]

# %% [markdown]
# ## Shipping the model
#
# A model folder is what `grfkit train` writes, and what `grfkit predict` and `grfkit export`
# read: the network's weights (read back `weights_only`, so loading runs no code), the
# normalisation statistics, the input channels and their units, the target, the preset, the
# grfkit version and the provenance of the training data. A recording with other channels or
# units is refused with an error that names each difference.
#
# Outside Python, `grfkit export MODEL_DIR --format onnx` writes one ONNX file whose graph
# z-scores the raw channel values itself: feed it the 101 × {glue:text}`n_channels` inputs in
# physical units, get the force in body weights. Here one fold model is exported and run by
# ONNX Runtime on the field session's stances:

# %%
import tempfile
from pathlib import Path

from grfkit.model.export import export_model, load_exported
from grfkit.model.features import build_inputs

member = ensembles["vgrf"].members[0]
with tempfile.TemporaryDirectory() as folder:
    exported = load_exported(
        export_model(member, "onnx", Path(folder) / "vgrf.onnx"))
    raw_inputs = build_inputs(field_stances, member.features)
    onnx_bw = exported.estimate_bw(raw_inputs)
eager_bw = member.predict_bw(member.prepare_inputs(field_stances))
largest = float(np.abs(onnx_bw - eager_bw).max())
glue("n_channels", str(len(member.features)), display=False)
glue("onnx_difference", f"{largest:.1e}", display=False)
print(f"{len(raw_inputs)} stances; largest difference between ONNX Runtime "
      f"and PyTorch: {largest:.1e} BW")

# %% [markdown]
# The exported graph and the PyTorch model agree to {glue:text}`onnx_difference` BW.
#
# ## Real recordings
#
# The real data sets of chapter 6 cannot show this chapter on a real runner. The Alcantara
# set has one sacral accelerometer and the treadmill's normal force, but no pressure insoles
# and no shoe IMU; Hamner's and Dorn's have motion capture and force plates, from which chapter 6
# derives *virtual* insoles and a virtual shoe IMU. A virtual insole is computed from the very
# force it would be asked to estimate, so field-use accuracy measured on it would be
# circular. What the real data do allow is what chapter 6 does: check that the simulated
# force curves, and what a no-wearable baseline explains of them, look like real ones. To run a
# model on your own insole recordings, write them in the raw format of {doc}`/book/data_format`
# (only `bout.json`, the insole and the IMU tables are needed) and run `grfkit predict`.
#
# ## Recap
#
# - Without a plate the insoles find the stances: initial contact within about a millisecond,
#   toe-off a few milliseconds late; the shoe IMU gives the speed to a few percent.
# - `grfkit predict` turns a wearable-only recording into one row per stance — the curve in N
#   and BW, its discrete measures and a band — and lists every contact it did not estimate,
#   with the reason.
# - Scored over every step of a field session, and paired with the plate's own segmentation
#   on the plate contacts, the events cost the estimate little here; a real insole would cost
#   more.
# - The band comes from the folds' held-out errors; its coverage on new runners is measured,
#   not assumed, and so is how well its width warns of a large error.
#
# ## Exercises
#
# ```{exercise} Give the model the stated speed
# :label: ex-07-speed
#
# In the cell of "Estimating the forces", set `field_config = FieldConfig(speed_source=
# "stated")`: every stance then gets its bout's stated speed from `bouts.csv` instead of the
# IMU's. Rerun that cell and the ones after it. Does the rRMSE over every step change, and by
# how much do the speeds differ?
# ```
#
# ```{solution} ex-07-speed
# :class: dropdown
#
# The stated speed is the speed the runner was asked to hold, not the speed at each step: at
# the ends of the runway, where the runner speeds up and slows down, it is off by far more than
# the IMU's estimate. The model uses speed as an input, so the rRMSE over every step rises,
# most in the anteroposterior force, whose braking and propulsion depend on speed. On steady
# plate contacts the two speeds are close and the difference is small.
# ```
#
# ```{exercise} Other runners
# :label: ex-07-runners
#
# Set `field_seed = 1001` in the parameters cell and rerun the notebook: a new field session
# with other runners. Which numbers move, and by how much? Does the band still cover about
# {glue:text}`nominal_pct` % of the points?
# ```
#
# ```{solution} ex-07-runners
# :class: dropdown
#
# The event errors barely move: they depend on the insole and the threshold, not on the
# runner. The rRMSE per runner moves by a few tenths of a percentage point to a point, more for
# a runner whose body mass or running style lies at the edge of the training cohort. The
# coverage moves by a few points around the nominal value: the band is built from
# {glue:text}`n_members` held-out runners, and a new runner is one draw.
# ```
