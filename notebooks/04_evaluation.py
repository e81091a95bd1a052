# ---
# jupyter:
#   kernelspec:
#     display_name: Python (grfkit)
#     language: python
#     name: grfkit
# ---

# %% [markdown]
# # 4. Evaluation: rRMSE, leave-one-subject-out, and the leakage guard
#
# How good is an estimated force curve, and how do we know the number is honest? This chapter
# explains the study's error measure, the **relative root mean squared error (rRMSE)**, and its
# evaluation scheme, **leave-one-subject-out (LOSO)** cross-validation
# {cite:p}`carter_transfer_abstract`, then demonstrates that the participant a model is tested on
# never leaks into its training, and asks which inputs the model relies on.
#
# The experiment run here — four training strategies × two forces × every held-out participant —
# is the one chapter 5 discusses; both chapters share its cache, so it is trained only once.
#
# :::{note}
# `preset` `None` takes the scale's default model (`"fast"` for the book). `workers` is the
# number of processes that train folds in parallel (each with one torch thread); the results do
# not depend on it.
# :::

# %% tags=["parameters"]
scale = "book"
seed = 0
preset = None
workers = 2

# %%
import numpy as np
import pandas as pd

from grfkit.cohort_cache import load_or_build_stances
from grfkit.experiment import ExperimentConfig, default_results_dir, preset_for_scale, run_experiment
from grfkit.figures import feature_importance, participant_errors, rrmse_example
from grfkit.importance import permutation_importance
from grfkit.metrics import rmse, rrmse_pct, summarise
from grfkit.stances import StanceDataset
from grfkit.strategies import exaggerate_participant, identical_fit, run_fold, split_domains, train_strategy
from grfkit.training import split_participants

config = ExperimentConfig(scale=scale, seed=seed, preset=preset or preset_for_scale(scale))
stances = load_or_build_stances(scale, seed)
overground, treadmill = split_domains(stances)
config

# %% [markdown]
# ## Leave one subject out
#
# With only a handful of overground participants, setting a fixed group aside for testing would
# waste most of them and make the result depend on who happened to be in that group. LOSO uses
# every participant once as the test set:
#
# 1. hold out participant 1; train on everyone else; estimate participant 1's stances;
# 2. hold out participant 2; train again from scratch on everyone else; ...
#
# and so on, one **fold** per overground participant. Each participant's error is therefore
# measured by a model that has never seen *that person* — the situation of a new runner buying
# the insoles. Testing on unseen stances of people who *were* in the training set would be far
# easier and would overstate the accuracy, because stances of one runner resemble each other.
#
# The experiment runs every fold of the four strategies of chapter 5 and writes one row per
# strategy × force × held-out participant. Finished folds are cached on disk, so an interrupted
# run resumes where it stopped, and a finished one (e.g. when chapter 5 asks for the same
# configuration) is only read back.

# %%
results = run_experiment(config, default_results_dir(config), stances=stances, workers=workers, progress=False)
print(results.summary())
print(f"{results.provenance['n_fits_computed']} trainings computed, {results.provenance['n_fits_cached']} "
      f"read from the cache; {results.provenance['compute_time_s'] / 60:.1f} min of training and evaluation")

# %% [markdown]
# ## rRMSE, worked through
#
# For one stance, with the measured curve $y_i$ and the estimate $\hat y_i$ at the 101 points
# $i$ of the stance:
#
# $$
# \mathrm{RMSE} = \sqrt{\frac{1}{101}\sum_{i=1}^{101} (\hat y_i - y_i)^2}, \qquad
# \mathrm{rRMSE} = 100\,\% \times \frac{\mathrm{RMSE}}{\max_i y_i - \min_i y_i}.
# $$
#
# Dividing by the **range of the measured curve** makes errors comparable between forces of
# very different size: the vertical force of a runner peaks at 2–3 body weights, the
# anteroposterior force swings only a few tenths of a body weight either way, so an RMSE of
# 50 N is small for one and large for the other. (For apGRF the range spans braking *and* propulsion.)
#
# Here is one held-out stance of the combined strategy — the shaded area is the error between
# the curves, the arrow the measured range:

# %%
curves = results.curves()
pick = np.flatnonzero((curves["strategy"] == "combined") & (curves["target"] == "vgrf"))[0]
measured, estimated = curves["measured_n"][pick], curves["estimated_n"][pick]
print(f"participant {curves['subject'][pick]}, bout {curves['bout'][pick]}: "
      f"RMSE {rmse(measured, estimated):.1f} N, range {np.ptp(measured):.0f} N, "
      f"rRMSE {rrmse_pct(measured, estimated):.2f} %")
rrmse_example(measured, estimated)

# %% [markdown]
# The study's numbers are then aggregated in two steps: the **mean over a participant's
# stances** gives one rRMSE per held-out participant, and the **mean and range (min–max) over
# participants** is what the study reports. A participant with many stances therefore counts as
# much as one with few. The same stance of the apGRF model:

# %%
pick = np.flatnonzero((curves["strategy"] == "combined") & (curves["target"] == "apgrf"))[0]
rrmse_example(curves["measured_n"][pick], curves["estimated_n"][pick])

# %% [markdown]
# ## Every participant's error
#
# The mean hides how much participants differ. Each point below is one held-out participant's
# mean rRMSE; participants are the same people across strategies, so the lines show whether a
# strategy helps everyone or only some.

# %%
participant_errors(results.table)

# %% [markdown]
# rRMSE is not the only way to look at a curve. The results table also holds the RMSE in body
# weights, Pearson's correlation $r$ between the curves (shape, regardless of scale), and errors
# of features a coach would read off the curve: the vGRF peak, and the apGRF braking and
# propulsive peaks and impulses (estimated minus measured; mean absolute errors in the
# `*_abs_error_*` columns). Mean (min–max) over participants:

# %%
metrics = ["rrmse_pct", "rmse_bw", "r", "peak_abs_error_bw", "braking_peak_abs_error_bw",
           "propulsive_peak_abs_error_bw", "braking_impulse_abs_error_bws", "propulsive_impulse_abs_error_bws"]
vgrf_rows = results.table.loc[results.table["target"] == "vgrf"]
summarise(vgrf_rows, columns=[m for m in metrics if vgrf_rows[m].notna().all()], by=["strategy"]).set_index(
    "strategy").round(3).T

# %% [markdown]
# And for apGRF (braking values are magnitudes; impulses in body-weight seconds):

# %%
apgrf_rows = results.table.loc[results.table["target"] == "apgrf"]
summarise(apgrf_rows, columns=[m for m in metrics if apgrf_rows[m].notna().all()], by=["strategy"]).set_index(
    "strategy").round(3).T

# %% [markdown]
# ## The leakage guard
#
# A LOSO number is only honest if the held-out participant influences *nothing* that is fitted:
# not the weights, not the z-scoring statistics (a classic leak: statistics computed on all data
# before splitting), and not any choice of model (grfkit trains for a fixed number of steps; there
# is no early stopping on the test participant). In grfkit the fold function receives the whole
# overground set and the *name* of the participant to hold out and splits it itself, so a caller
# cannot pass the wrong data by mistake.
#
# The demonstration: train the same fold twice — once on the real data and once after making
# the held-out participant's inputs absurd (every input multiplied by 1000). If anything fitted
# depended on that participant, the two models would differ. They are compared bit for bit:

# %%
held_out = overground.participants[0]
fold = dict(target="vgrf", preset=config.preset, seed=seed, num_threads=config.num_threads)
normal = run_fold("overground", overground, held_out, **fold)
absurd = run_fold("overground", exaggerate_participant(overground, held_out, 1000.0), held_out, **fold)
pd.DataFrame(
    {
        "identical z-score statistics": [normal.model.scaler.equals(absurd.model.scaler)],
        "identical weights, scaler and training losses": [identical_fit(normal.model, absurd.model)],
        f"rRMSE of {held_out}, real inputs (%)": [normal.stances["rrmse_pct"].mean()],
        f"rRMSE of {held_out}, inputs x 1000 (%)": [absurd.stances["rrmse_pct"].mean()],
    },
    index=[f"fold holding out {held_out}"],
).T

# %% [markdown]
# The fitted models are identical; only the estimates for the absurd inputs change, as they
# must. The same check runs in grfkit's test suite for all four strategies and for the whole
# experiment.
#
# ## Which inputs does the model use?
#
# **Permutation feature importance**: shuffle one input channel across the test stances (each
# stance gets that channel from another, random stance; everything else stays in place) and
# measure how much the rRMSE rises. A channel the model ignores costs nothing when shuffled; a
# channel it relies on costs a lot. The published code offers a similar per-channel analysis
# {cite:p}`carter2024` (it replaces the channel with random numbers; shuffling keeps each channel
# within its observed range). Correlated channels share their importance: shuffling one FSR
# costs little if its neighbours carry the same information.
#
# Here for the combined strategy, trained without the last two overground participants and
# tested on their stances (5 shuffles per channel; the bars show the mean and SD over shuffles).

# %%
held_out_pair = overground.participants[-2:]
train, test = split_participants(overground, held_out_pair)
importance = pd.concat(
    [
        permutation_importance(
            train_strategy("combined", train, target=target, treadmill=treadmill, preset=config.preset, seed=seed,
                           num_threads=config.num_threads),
            test,
            n_repeats=5,
            seed=seed,
            num_threads=config.num_threads,
        ).assign(target=target)
        for target in ("vgrf", "apgrf")
    ]
)
feature_importance(importance, title=f"Permutation importance, combined strategy, held out: {', '.join(held_out_pair)}")

# %% [markdown]
# The five most important channels per force:

# %%
importance.groupby("target", sort=False).head(5)[["target", "channel", "kind", "baseline_rrmse_pct",
                                                  "increase_pct", "increase_sd"]].round(2)
